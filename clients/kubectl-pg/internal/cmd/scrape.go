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

// cpuRetries is how many more scrapes a pod gets when its CPU counter went down between two: the sidecar sums
// the CPU of the app's live processes, so a short-lived one that exits (an exec probe, a kubectl exec) takes its
// share with it; the next pair of scrapes usually has no exit in between.
const cpuRetries = 2

// scrapeAll reads every running pod's sidecar metrics through the pod proxy (all pods at once), twice, window
// apart, and returns each pod's figures: CPU as the rate between two scrapes, memory from the last.
func scrapeAll(ctx context.Context, c *kube.Client, pods []corev1.Pod, window time.Duration) map[string]view.Figures {
	type target struct {
		ns, name string
		prev     metrics.App
		figures  view.Figures
		done     bool
	}
	var targets []*target
	for _, p := range pods {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			targets = append(targets, &target{ns: p.Namespace, name: p.Name})
		}
	}
	scrape := func(t *target) (metrics.App, error) {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		b, err := c.SidecarGet(rctx, t.ns, t.name, "metrics")
		if err != nil {
			return metrics.App{}, err
		}
		samples, err := metrics.Parse(string(b))
		if err != nil {
			return metrics.App{}, err
		}
		return metrics.AppFigures(samples), nil
	}
	round := func(n int) {
		var wg sync.WaitGroup
		for _, t := range targets {
			if t.done {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := scrape(t)
				if err != nil {
					t.figures, t.done = view.Figures{Err: err.Error()}, true
					return
				}
				t.figures.MemoryBytes, t.figures.HasMemory, t.figures.Threads = a.MemoryBytes, a.HasMemory, a.Threads
				if n > 0 {
					t.figures.CPUPercent, t.figures.HasCPU = metrics.CPUPercent(t.prev, a)
					// Done unless the counter went down (a process exited): then the next pair is tried.
					t.done = t.figures.HasCPU || !a.HasCPU || !t.prev.HasCPU || n > cpuRetries
				}
				t.prev = a
			}()
		}
		wg.Wait()
	}
	round(0)
	for n := 1; window > 0 && n <= cpuRetries+1; n++ {
		pending := false
		for _, t := range targets {
			pending = pending || !t.done
		}
		if !pending {
			break
		}
		select {
		case <-ctx.Done():
			return collect(targets, func(t *target) (string, view.Figures) { return t.name, t.figures })
		case <-time.After(window):
		}
		round(n)
	}
	return collect(targets, func(t *target) (string, view.Figures) { return t.name, t.figures })
}

func collect[T any](ts []T, kv func(T) (string, view.Figures)) map[string]view.Figures {
	out := make(map[string]view.Figures, len(ts))
	for _, t := range ts {
		k, v := kv(t)
		out[k] = v
	}
	return out
}
