package cmd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/kube"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/logs"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

type logOptions struct {
	follow bool
	since  time.Duration
	tail   int64
}

func (a *App) logsCmd() *cobra.Command {
	var o logOptions
	c := &cobra.Command{
		Use:   "logs GROUP PROCESS",
		Short: "Every replica's app container log, interleaved in time, each line prefixed with its pod (as pm2 logs)",
		Long: `The app container's log of every replica of PROCESS, interleaved by the kubelet's timestamps, each line
prefixed with its pod. With -f it follows: pods that appear later (a restart, a scale-up, a crash) are followed
from their first line, pods that go end their stream, and a restarted container is picked up again.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cl, g, err := a.group(ctx, args[0])
			if err != nil {
				return err
			}
			if _, _, err := process(g, args[1]); err != nil {
				return err
			}
			if o.follow {
				return a.followLogs(ctx, cl, g.Name, args[1], o)
			}
			return a.printLogs(ctx, cl, g.Name, args[1], o)
		},
	}
	c.Flags().BoolVarP(&o.follow, "follow", "f", false, "follow the logs, and the pods that come and go")
	c.Flags().DurationVar(&o.since, "since", 0, "only lines newer than this (5s, 2m, 3h)")
	c.Flags().Int64Var(&o.tail, "tail", -1, "lines of each pod's recent log to show; -1 for all")
	return c
}

func (o logOptions) podLogOptions(container string) *corev1.PodLogOptions {
	p := &corev1.PodLogOptions{Container: container, Timestamps: true}
	if o.since > 0 {
		s := int64(o.since.Seconds())
		if s < 1 {
			s = 1
		}
		p.SinceSeconds = &s
	}
	if o.tail >= 0 {
		t := o.tail
		p.TailLines = &t
	}
	return p
}

// started tells whether a pod's container has a log to read (running, or ran and ended).
func started(p *corev1.Pod, container string) (bool, int32) {
	for _, c := range p.Status.ContainerStatuses {
		if c.Name == container {
			return c.State.Running != nil || c.State.Terminated != nil || c.LastTerminationState.Terminated != nil, c.RestartCount
		}
	}
	return false, 0
}

func (a *App) printLogs(ctx context.Context, cl *kube.Client, group, process string, o logOptions) error {
	pods, err := cl.Pods(ctx, cl.Namespace, group, process)
	if err != nil {
		return err
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	var perPod [][]logs.Line
	pf := &logs.Prefixer{Color: a.Color}
	for i := range pods {
		p := &pods[i]
		if ok, _ := started(p, process); !ok {
			fmt.Fprintf(a.ErrOut, "%s: not started yet, no log\n", p.Name)
			continue
		}
		pf.Widen(p.Name)
		rc, err := cl.Logs(cl.Namespace, p.Name, o.podLogOptions(process)).Stream(ctx)
		if err != nil {
			return cl.LogError(err, cl.Namespace, p.Name)
		}
		var lines []logs.Line
		readLines(rc, func(s string) { lines = append(lines, logs.Parse(p.Name, s)) })
		rc.Close()
		perPod = append(perPod, lines)
	}
	if len(perPod) == 0 && len(pods) == 0 {
		fmt.Fprintf(a.ErrOut, "process %s of %s has no pods\n", process, group)
	}
	w := bufio.NewWriter(a.Out)
	defer w.Flush()
	for _, l := range logs.Merge(perPod) {
		fmt.Fprintln(w, pf.Format(l))
	}
	return nil
}

func readLines(r io.Reader, each func(string)) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		s, err := br.ReadString('\n')
		if len(s) > 0 {
			each(s)
		}
		if err != nil {
			return
		}
	}
}

// follower is the state of one followed pod.
type follower struct {
	streaming bool
	opened    bool
	restarts  int32     // the container's restart count when its stream was opened
	last      time.Time // the newest line seen, to skip what a re-opened stream repeats
	gone      bool
}

func (a *App) followLogs(ctx context.Context, cl *kube.Client, group, process string, o logOptions) error {
	lines := make(chan logs.Line, 1024)
	var mu sync.Mutex
	pods := map[string]*follower{}
	pf := &logs.Prefixer{Color: a.Color}
	startedAt := time.Now()

	open := func(p *corev1.Pod) {
		ok, restarts := started(p, process)
		mu.Lock()
		defer mu.Unlock()
		f := pods[p.Name]
		if f == nil {
			f = &follower{}
			pods[p.Name] = f
		}
		if !ok || f.streaming || f.gone || (f.opened && restarts <= f.restarts) {
			return // not started, followed already, or its stream ended and the container did not start again
		}
		opts := o.podLogOptions(process)
		opts.Follow = true
		if !f.last.IsZero() {
			t := metav1.NewTime(f.last)
			opts.SinceTime, opts.SinceSeconds, opts.TailLines = &t, nil, nil
		} else if p.CreationTimestamp.After(startedAt) {
			opts.SinceSeconds, opts.TailLines = nil, nil // a pod that came during the follow: from its first line
		}
		f.streaming, f.opened, f.restarts = true, true, restarts
		name := p.Name
		pf.Widen(name)
		go func() {
			defer func() { mu.Lock(); f.streaming = false; mu.Unlock() }()
			rc, err := cl.Logs(cl.Namespace, name, opts).Stream(ctx)
			if err != nil {
				if ctx.Err() == nil {
					fmt.Fprintf(a.ErrOut, "%s: %v\n", name, cl.LogError(err, cl.Namespace, name))
				}
				return
			}
			defer rc.Close()
			readLines(rc, func(s string) {
				l := logs.Parse(name, s)
				mu.Lock()
				skip := !l.Time.IsZero() && !l.Time.After(f.last)
				if !skip {
					f.last = l.Time
				}
				mu.Unlock()
				if !skip {
					lines <- l
				}
			})
		}()
	}

	list, err := cl.Core.CoreV1().Pods(cl.Namespace).List(ctx, metav1.ListOptions{LabelSelector: kube.PodSelector(group, process)})
	if err != nil {
		return cl.LogError(err, cl.Namespace, "")
	}
	for i := range list.Items {
		open(&list.Items[i])
	}
	rv := list.ResourceVersion

	go func() { // the pods that come, change (a container restarted) and go
		for ctx.Err() == nil {
			w, err := cl.WatchPods(ctx, cl.Namespace, group, process, rv)
			if err != nil {
				if ctx.Err() == nil {
					fmt.Fprintf(a.ErrOut, "watching pods: %v (retrying)\n", err)
					time.Sleep(2 * time.Second)
					rv = "" // start from the current state
				}
				continue
			}
			for ev := range w.ResultChan() {
				p, ok := ev.Object.(*corev1.Pod)
				if !ok {
					rv = "" // an error event (410 Gone): list again from now
					break
				}
				rv = p.ResourceVersion
				if ev.Type == watch.Deleted {
					mu.Lock()
					if f := pods[p.Name]; f != nil {
						f.gone = true
					}
					mu.Unlock()
					continue
				}
				open(p)
			}
			w.Stop()
		}
	}()

	out := bufio.NewWriter(a.Out)
	r := &logs.Reorder{Delay: 300 * time.Millisecond}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	emit := func(flush bool) {
		for _, l := range r.Release(time.Now(), flush) {
			fmt.Fprintln(out, pf.Format(l))
		}
		out.Flush()
	}
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case l := <-lines:
					r.Push(l)
				default:
					emit(true)
					return nil
				}
			}
		case l := <-lines:
			r.Push(l)
		case <-tick.C:
			emit(false)
		}
	}
}
