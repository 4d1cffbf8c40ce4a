package cmd

import (
	"fmt"
	"sort"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/view"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
)

func (a *App) listCmd() *cobra.Command {
	var output string
	var all bool
	var window time.Duration
	c := &cobra.Command{
		Use:     "list [GROUP]",
		Aliases: []string{"ls"},
		Short:   "One row per process: order, ready/desired, restarts, phase, CPU and memory, and the group's conditions",
		Long: `One row per process of each group (all groups of the namespace without GROUP, of every namespace with -A):
order, ready/desired replicas, restarts, phase, and the app's CPU (percent of one core, summed over the
replicas) and resident memory, read from each pod's sidecar metrics (port 9464) through the API server's pod
proxy (two scrapes --cpu-window apart; needs get on pods/proxy). Then the group's conditions.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if all && len(args) == 1 {
				return usage("a GROUP and --all-namespaces do not go together")
			}
			cl, err := a.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var groups []model.Group
			if len(args) == 1 {
				g, err := cl.Group(ctx, cl.Namespace, args[0])
				if err != nil {
					return err
				}
				groups = []model.Group{*g}
			} else {
				ns := cl.Namespace
				if all {
					ns = ""
				}
				if groups, err = cl.Groups(ctx, ns); err != nil {
					return err
				}
				if len(groups) == 0 {
					if all {
						fmt.Fprintln(a.ErrOut, "No process groups found in any namespace.")
					} else {
						fmt.Fprintf(a.ErrOut, "No process groups found in namespace %q.\n", ns)
					}
					if output == "json" || output == "yaml" {
						return a.printStructured(output, map[string]any{"groups": []any{}})
					}
					return nil
				}
			}
			sort.Slice(groups, func(i, j int) bool {
				if groups[i].Namespace != groups[j].Namespace {
					return groups[i].Namespace < groups[j].Namespace
				}
				return groups[i].Name < groups[j].Name
			})
			var pods []corev1.Pod
			podsOf := map[string][]corev1.Pod{}
			for _, g := range groups {
				ps, err := cl.Pods(ctx, g.Namespace, g.Name, "")
				if err != nil {
					return err
				}
				podsOf[g.Namespace+"/"+g.Name] = ps
				pods = append(pods, ps...)
			}
			stopProgress := a.progress(fmt.Sprintf("reading %d sidecars' metrics through the API server's pod proxy", len(pods)))
			figures := scrapeAll(ctx, cl, pods, window)
			stopProgress()
			views := make([]view.Group, 0, len(groups))
			for i := range groups {
				views = append(views, view.Build(&groups[i], podsOf[groups[i].Namespace+"/"+groups[i].Name], figures))
			}
			a.warnMetrics(views)
			if output == "json" || output == "yaml" {
				return a.printStructured(output, map[string]any{"groups": views})
			}
			return view.Write(a.Out, views, view.Options{Wide: output == "wide", AllNamespaces: all, Now: time.Now()})
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "json, yaml or wide")
	c.Flags().BoolVarP(&all, "all-namespaces", "A", false, "list the groups of every namespace")
	c.Flags().DurationVar(&window, "cpu-window", time.Second, "time between the two metrics scrapes that give CPU; 0 skips CPU")
	return c
}

// warnMetrics says once on stderr which pods' metrics could not be read, and why (the first reason).
func (a *App) warnMetrics(groups []view.Group) {
	n, first := 0, ""
	for _, g := range groups {
		for _, p := range g.Processes {
			for _, pod := range p.Pods {
				if pod.MetricsError != "" {
					n++
					if first == "" {
						first = pod.Name + ": " + pod.MetricsError
					}
				}
			}
		}
	}
	if n > 0 {
		fmt.Fprintf(a.ErrOut, "warning: no metrics from %d pod(s), their CPU and memory are left out (%s)\n", n, first)
	}
}
