package cmd

import (
	"context"
	"sync"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/kube"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/metrics"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/view"
	corev1 "k8s.io/api/core/v1"
)

// scrapeAll reads every running pod's sidecar metrics twice, window apart, through the pod proxy (all pods at
// once), and returns each pod's figures: CPU as the rate between the two scrapes, memory from the second.
func scrapeAll(ctx context.Context, c *kube.Client, pods []corev1.Pod, window time.Duration) map[string]view.Figures {
	type key struct{ ns, name string }
	var targets []key
	for _, p := range pods {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			targets = append(targets, key{p.Namespace, p.Name})
		}
	}
	first := make([]metrics.App, len(targets))
	firstErr := make([]error, len(targets))
	once := func(into []metrics.App, errs []error) {
		var wg sync.WaitGroup
		for i, t := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				b, err := c.SidecarGet(rctx, t.ns, t.name, "metrics")
				if err != nil {
					errs[i] = err
					return
				}
				samples, err := metrics.Parse(string(b))
				if err != nil {
					errs[i] = err
					return
				}
				into[i] = metrics.AppFigures(samples)
			}()
		}
		wg.Wait()
	}
	once(first, firstErr)
	second := make([]metrics.App, len(targets))
	secondErr := make([]error, len(targets))
	if window > 0 && len(targets) > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(window):
		}
		once(second, secondErr)
	} else {
		copy(second, first)
		copy(secondErr, firstErr)
	}
	out := map[string]view.Figures{}
	for i, t := range targets {
		f := view.Figures{}
		if err := firstErr[i]; err != nil {
			f.Err = err.Error()
		} else if err := secondErr[i]; err != nil {
			f.Err = err.Error()
		} else {
			f.CPUPercent, f.HasCPU = metrics.CPUPercent(first[i], second[i])
			f.MemoryBytes, f.HasMemory, f.Threads = second[i].MemoryBytes, second[i].HasMemory, second[i].Threads
		}
		out[t.name] = f
	}
	return out
}
