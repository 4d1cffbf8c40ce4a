package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/kube"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/restart"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/rules"
	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
)

func (a *App) restartCmd() *cobra.Command {
	var timeout time.Duration
	var wait bool
	c := &cobra.Command{
		Use:   "restart GROUP",
		Short: "Ordered restart (pm2 reload): every process, order by order, waiting for each order to be back",
		Long: `Asks the operator for an ordered rolling restart (sets the group's ` + rules.RestartedAtAnnotation + ` annotation
to now) and follows it: the operator rolls each order's pods to the new value only once the lower orders have
rolled out. Prints each order as it completes; exits 0 when every order has restarted, 1 when a process fails
(its reason from the group's status), 6 after --timeout.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cl, g, err := a.group(ctx, args[0])
			if err != nil {
				return err
			}
			value := time.Now().UTC().Format(time.RFC3339Nano)
			if _, err := cl.Annotate(ctx, g.Namespace, g.Name, rules.RestartedAtAnnotation, value); err != nil {
				return err
			}
			plan := g.Plan()
			fmt.Fprintf(a.Out, "procgroup/%s: ordered restart requested (%s=%s), %d order(s): %s\n", g.Name,
				rules.RestartedAtAnnotation, value, len(plan), planLine(plan))
			if !wait {
				return nil
			}
			return a.followRestart(ctx, cl, g.Name, value, timeout)
		},
	}
	c.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "how long to wait for the whole restart")
	c.Flags().BoolVar(&wait, "wait", true, "wait for the restart and show its progress; --wait=false only requests it")
	return c
}

func planLine(plan []model.Order) string {
	parts := make([]string, 0, len(plan))
	for _, o := range plan {
		parts = append(parts, fmt.Sprintf("%d: %s", o.Order, strings.Join(o.Processes, ", ")))
	}
	return strings.Join(parts, " | ")
}

func (a *App) followRestart(ctx context.Context, cl *kube.Client, group, value string, timeout time.Duration) error {
	start := time.Now()
	deadline := start.Add(timeout)
	st := &status{app: a}
	defer st.done()
	doneOrders := map[int]bool{}
	orderStart := map[int]time.Time{}
	var last restart.Progress
	for {
		g, err := cl.Group(ctx, cl.Namespace, group)
		if err != nil {
			return err
		}
		deps, err := cl.Deployments(ctx, cl.Namespace, group)
		if err != nil {
			return err
		}
		last = restart.Evaluate(value, observe(g, deps))
		for _, o := range last.Orders {
			if o.State == restart.Restarting {
				if _, ok := orderStart[o.Order]; !ok {
					orderStart[o.Order] = time.Now()
				}
			}
			if o.State == restart.Done && !doneOrders[o.Order] {
				doneOrders[o.Order] = true
				st.done()
				since := start
				if t, ok := orderStart[o.Order]; ok {
					since = t
				}
				fmt.Fprintf(a.Out, "order %d (%s): restarted in %.1fs\n", o.Order, strings.Join(o.Processes, ", "), time.Since(since).Seconds())
			}
		}
		if f := last.Failure(); f != "" {
			st.done()
			return kube.Errorf(kube.ExitFailed, "restart of procgroup/%s failed: %s", group, f)
		}
		// Rolled out is not yet done: the operator's status must agree (phase Running for the latest generation), or
		// the user's next `kubectl get pg` would still say Progressing.
		if last.Done() && g.Status.Phase == "Running" && g.Status.ObservedGeneration >= g.Generation {
			st.done()
			fmt.Fprintf(a.Out, "procgroup/%s restarted: %d order(s) in %.1fs, phase %s\n", group, len(last.Orders), time.Since(start).Seconds(), g.Status.Phase)
			return nil
		}
		clock := fmt.Sprintf("[%ds] ", int(time.Since(start).Seconds()))
		if cur := last.Current(); cur != nil {
			st.set(clock, cur.Line())
		} else {
			st.set(clock, fmt.Sprintf("every order rolled out; waiting for the operator's status (phase %s)", g.Status.Phase))
		}
		if time.Now().After(deadline) {
			st.done()
			var lines []string
			for _, o := range last.Orders {
				lines = append(lines, "  "+o.Line())
			}
			return kube.Errorf(kube.ExitTimeout, "restart of procgroup/%s not finished after %s:\n%s", group, timeout, strings.Join(lines, "\n"))
		}
		select {
		case <-ctx.Done():
			return kube.Errorf(kube.ExitFailed, "interrupted; the restart goes on in the cluster (kubectl pg list %s)", group)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// observe reads a group and its Deployments into the restart package's terms.
func observe(g *model.Group, deps map[string]appsv1.Deployment) []restart.Process {
	var out []restart.Process
	for _, p := range g.Spec.Processes {
		st := g.ProcessStatusOf(p.Name)
		rp := restart.Process{Name: p.Name, Order: p.EffectiveOrder(), Phase: st.Phase, Reason: st.Reason, Message: st.Message}
		if d, ok := deps[p.Name]; ok {
			wanted := int32(1)
			if d.Spec.Replicas != nil {
				wanted = *d.Spec.Replicas
			}
			rp.Deployment = restart.Deployment{Exists: true, RestartedAt: d.Spec.Template.Annotations[rules.RestartedAtAnnotation],
				Generation: d.Generation, ObservedGeneration: d.Status.ObservedGeneration, Wanted: wanted,
				Replicas: d.Status.Replicas, Updated: d.Status.UpdatedReplicas, Available: d.Status.AvailableReplicas}
		}
		out = append(out, rp)
	}
	return out
}
