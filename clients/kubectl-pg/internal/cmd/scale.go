package cmd

import (
	"fmt"
	"strconv"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/kube"
	"github.com/spf13/cobra"
)

func (a *App) scaleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scale GROUP PROCESS N",
		Short: "Set a process's scale (spec.processes[].scale); the operator rolls it out",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[2])
			if err != nil || n < 0 {
				return usage("N must be a whole number >= 0, not %q", args[2])
			}
			ctx := cmd.Context()
			cl, g, err := a.group(ctx, args[0])
			if err != nil {
				return err
			}
			p, i, err := process(g, args[1])
			if err != nil {
				return err
			}
			if p.Autoscale != nil {
				return kube.Errorf(kube.ExitFailed, "process %s of %s is autoscaled (autoscale min %d, max %d): its HorizontalPodAutoscaler owns the replicas; change spec.processes[%d].autoscale instead", p.Name, g.Name, p.Autoscale.Min, p.Autoscale.Max, i)
			}
			before := 1
			if p.Scale != nil {
				before = *p.Scale
			}
			// By index, guarded by the entry's name and the resourceVersion read: a concurrent edit that reordered
			// the processes makes the patch fail instead of scaling another process.
			path := fmt.Sprintf("/spec/processes/%d", i)
			ops := []map[string]any{
				{"op": "test", "path": "/metadata/resourceVersion", "value": g.ResourceVersion},
				{"op": "test", "path": path + "/name", "value": p.Name},
				{"op": "add", "path": path + "/scale", "value": n},
			}
			if _, err := cl.JSONPatch(ctx, g.Namespace, g.Name, ops); err != nil {
				return err
			}
			fmt.Fprintf(a.Out, "procgroup/%s process %s scaled: %d -> %d\n", g.Name, p.Name, before, n)
			return nil
		},
	}
}
