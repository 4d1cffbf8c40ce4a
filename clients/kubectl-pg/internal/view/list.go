// Package view builds what `kubectl pg list` shows (and prints as -o json|yaml) from a group, its pods and the
// figures their sidecars reported, and renders it as kubectl-style tables.
package view

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/render"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/rules"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Group is one group as list shows it.
type Group struct {
	Namespace          string             `json:"namespace"`
	Name               string             `json:"name"`
	Phase              string             `json:"phase"`
	Ready              string             `json:"ready"`
	ProcessesReady     string             `json:"processesReady"`
	Message            string             `json:"message,omitempty"`
	Generation         int64              `json:"generation"`
	ObservedGeneration int64              `json:"observedGeneration"`
	Processes          []Process          `json:"processes"`
	Conditions         []metav1.Condition `json:"conditions"`
}

// Process is one process row.
type Process struct {
	Name     string `json:"name"`
	Order    int    `json:"order"`
	Desired  int    `json:"desired"`
	Ready    int    `json:"ready"`
	Restarts int    `json:"restarts"`
	Phase    string `json:"phase"`
	Reason   string `json:"reason,omitempty"`
	Message  string `json:"message,omitempty"`
	Service  string `json:"service,omitempty"`
	// CPUPercent and MemoryBytes add up the process's pods that reported them (nil when none did).
	CPUPercent  *float64 `json:"cpuPercent,omitempty"`
	MemoryBytes *float64 `json:"memoryBytes,omitempty"`
	Pods        []Pod    `json:"pods"`
}

// Pod is one replica of a process.
type Pod struct {
	Name         string   `json:"name"`
	Phase        string   `json:"phase"`
	Ready        bool     `json:"ready"`
	Restarts     int32    `json:"restarts"`
	CPUPercent   *float64 `json:"cpuPercent,omitempty"`
	MemoryBytes  *float64 `json:"memoryBytes,omitempty"`
	Threads      *float64 `json:"threads,omitempty"`
	MetricsError string   `json:"metricsError,omitempty"`
}

// Figures are what one pod's sidecar reported (from two scrapes: CPU is a rate).
type Figures struct {
	CPUPercent  float64
	HasCPU      bool
	MemoryBytes float64
	HasMemory   bool
	Threads     float64
	Err         string
}

// Build makes the list view of a group from its pods (any order) and their figures by pod name.
func Build(g *model.Group, pods []corev1.Pod, figures map[string]Figures) Group {
	out := Group{
		Namespace: g.Namespace, Name: g.Name, Phase: orUnknown(g.Status.Phase), Ready: g.Status.Ready,
		ProcessesReady: g.Status.ProcessesReady, Message: g.Status.Message, Generation: g.Generation,
		ObservedGeneration: g.Status.ObservedGeneration, Conditions: g.Status.Conditions,
	}
	byProcess := map[string][]corev1.Pod{}
	for _, p := range pods {
		byProcess[p.Labels[rules.ProcessLabel]] = append(byProcess[p.Labels[rules.ProcessLabel]], p)
	}
	for _, spec := range g.Spec.Processes {
		st := g.ProcessStatusOf(spec.Name)
		pv := Process{Name: spec.Name, Order: spec.EffectiveOrder(), Desired: st.Desired, Ready: st.Ready,
			Restarts: st.Restarts, Phase: orUnknown(st.Phase), Reason: st.Reason, Message: st.Message, Service: st.Service}
		ps := byProcess[spec.Name]
		sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
		var cpu, mem float64
		var hasCPU, hasMem bool
		for _, p := range ps {
			v := Pod{Name: p.Name, Phase: podPhase(p), Ready: podReady(p), Restarts: appRestarts(p, spec.Name)}
			if f, ok := figures[p.Name]; ok {
				v.MetricsError = f.Err
				if f.HasCPU {
					c := f.CPUPercent
					v.CPUPercent = &c
					cpu += c
					hasCPU = true
				}
				if f.HasMemory {
					m, t := f.MemoryBytes, f.Threads
					v.MemoryBytes, v.Threads = &m, &t
					mem += m
					hasMem = true
				}
			}
			pv.Pods = append(pv.Pods, v)
		}
		if pv.Pods == nil {
			pv.Pods = []Pod{}
		}
		if hasCPU {
			pv.CPUPercent = &cpu
		}
		if hasMem {
			pv.MemoryBytes = &mem
		}
		out.Processes = append(out.Processes, pv)
	}
	sort.SliceStable(out.Processes, func(i, j int) bool { return out.Processes[i].Order < out.Processes[j].Order })
	if out.Conditions == nil {
		out.Conditions = []metav1.Condition{}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podPhase is the pod's phase, or Terminating once it is being deleted (as kubectl get pods shows it).
func podPhase(p corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "Terminating"
	}
	return string(p.Status.Phase)
}

func appRestarts(p corev1.Pod, container string) int32 {
	for _, c := range p.Status.ContainerStatuses {
		if c.Name == container {
			return c.RestartCount
		}
	}
	return 0
}

// Options of the list table.
type Options struct {
	Wide          bool
	AllNamespaces bool
	Now           time.Time
}

// Write renders groups: per group a heading line, one row per process, then its conditions.
func Write(w io.Writer, groups []Group, o Options) error {
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := fmt.Sprintf("GROUP %s", g.Name)
		if o.AllNamespaces {
			head = fmt.Sprintf("GROUP %s/%s", g.Namespace, g.Name)
		}
		fmt.Fprintf(w, "%s   phase %s   ready %s   processes %s\n", head, g.Phase, render.OrNone(g.Ready), render.OrNone(g.ProcessesReady))
		if err := ProcessTable(g, o.Wide).Write(w); err != nil {
			return err
		}
		if err := ConditionTable(g.Conditions, o.Now, "  ").Write(w); err != nil {
			return err
		}
	}
	return nil
}

// ProcessTable is the per-process table of a group.
func ProcessTable(g Group, wide bool) *render.Table {
	t := &render.Table{Header: []string{"ORDER", "PROCESS", "READY", "RESTARTS", "PHASE", "CPU", "MEMORY"}}
	if wide {
		t.Header = append(t.Header, "PODS", "SERVICE", "REASON")
	}
	for _, p := range g.Processes {
		row := []string{fmt.Sprint(p.Order), p.Name, fmt.Sprintf("%d/%d", p.Ready, p.Desired), fmt.Sprint(p.Restarts),
			p.Phase, render.Percent(deref(p.CPUPercent), p.CPUPercent != nil), render.Bytes(deref(p.MemoryBytes), p.MemoryBytes != nil)}
		if wide {
			names := make([]string, 0, len(p.Pods))
			for _, pod := range p.Pods {
				names = append(names, pod.Name)
			}
			reason := p.Reason
			if p.Message != "" {
				reason = strings.TrimSpace(reason + ": " + p.Message)
			}
			row = append(row, render.OrNone(strings.Join(names, ",")), render.OrNone(p.Service), render.OrNone(render.Truncate(reason, 80)))
		}
		t.Add(row...)
	}
	return t
}

// ConditionTable is a group's conditions (Ready, Progressing, Degraded).
func ConditionTable(cs []metav1.Condition, now time.Time, indent string) *render.Table {
	t := &render.Table{Header: []string{"CONDITION", "STATUS", "REASON", "AGE", "MESSAGE"}, Indent: indent}
	for _, c := range cs {
		t.Add(c.Type, string(c.Status), render.OrNone(c.Reason), model.Age(c.LastTransitionTime.Time, now), render.OrNone(c.Message))
	}
	return t
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
