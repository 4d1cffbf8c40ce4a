// Package model is the part of a ProcessGroup (crds/: ProcessGroup, ProcessGroupSpec, ProcessGroupStatus) that
// the plugin reads, decoded from the API server's JSON.
package model

import (
	"sort"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Group is a ProcessGroup object.
type Group struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              Spec   `json:"spec"`
	Status            Status `json:"status"`
}

// Spec is the part of spec the plugin reads.
type Spec struct {
	Processes []ProcessSpec `json:"processes"`
	Services  []Service     `json:"services,omitempty"`
}

// ProcessSpec is one entry of spec.processes.
type ProcessSpec struct {
	Name      string         `json:"name"`
	Order     *int           `json:"order,omitempty"`
	Scale     *int           `json:"scale,omitempty"`
	Autoscale *Autoscale     `json:"autoscale,omitempty"`
	Readiness map[string]any `json:"readiness,omitempty"`
}

// Autoscale is spec.processes[].autoscale.
type Autoscale struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Service is spec.services[]: a hub object a process publishes.
type Service struct {
	Name    string `json:"name"`
	Process string `json:"process"`
}

// EffectiveOrder is the process's order, 0 when unset (ProcessSpec.effectiveOrder).
func (p ProcessSpec) EffectiveOrder() int {
	if p.Order == nil {
		return 0
	}
	return *p.Order
}

// Status is the group's status.
type Status struct {
	ObservedGeneration int64              `json:"observedGeneration,omitempty"`
	Phase              string             `json:"phase,omitempty"`
	Ready              string             `json:"ready,omitempty"`
	ProcessesReady     string             `json:"processesReady,omitempty"`
	Message            string             `json:"message,omitempty"`
	Conditions         []metav1.Condition `json:"conditions,omitempty"`
	Processes          []ProcessStatus    `json:"processes,omitempty"`
}

// ProcessStatus is status.processes[].
type ProcessStatus struct {
	Name            string `json:"name"`
	Order           int    `json:"order"`
	Desired         int    `json:"desired"`
	Ready           int    `json:"ready"`
	Restarts        int    `json:"restarts"`
	Phase           string `json:"phase,omitempty"`
	Reason          string `json:"reason,omitempty"`
	Message         string `json:"message,omitempty"`
	LastTermination string `json:"lastTermination,omitempty"`
	Service         string `json:"service,omitempty"`
}

// ProcessStatusOf returns the status entry of a process, or a zero one (the operator has not reported it yet).
func (g *Group) ProcessStatusOf(name string) ProcessStatus {
	for _, s := range g.Status.Processes {
		if s.Name == name {
			return s
		}
	}
	return ProcessStatus{Name: name}
}

// Process finds a process of the spec by name.
func (g *Group) Process(name string) (ProcessSpec, int, bool) {
	for i, p := range g.Spec.Processes {
		if p.Name == name {
			return p, i, true
		}
	}
	return ProcessSpec{}, -1, false
}

// Order is one step of the start plan: the processes that start together.
type Order struct {
	Order     int
	Processes []string
}

// Plan groups the spec's processes by order, ascending; names keep their spec order within an order.
func (g *Group) Plan() []Order {
	by := map[int][]string{}
	for _, p := range g.Spec.Processes {
		by[p.EffectiveOrder()] = append(by[p.EffectiveOrder()], p.Name)
	}
	orders := make([]int, 0, len(by))
	for o := range by {
		orders = append(orders, o)
	}
	sort.Ints(orders)
	plan := make([]Order, 0, len(orders))
	for _, o := range orders {
		plan = append(plan, Order{Order: o, Processes: by[o]})
	}
	return plan
}

// Age renders the time since t the way kubectl does (5s, 3m, 2h, 4d).
func Age(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < 2*time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	default:
		return strconv.Itoa(int(d.Hours()/24)) + "d"
	}
}
