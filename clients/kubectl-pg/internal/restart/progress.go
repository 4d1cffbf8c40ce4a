// Package restart follows an ordered restart (the procgroup.dev/restartedAt annotation, README "Restart in
// order"): the operator copies the annotation's value into each process's pod template, order by order, and
// moves to the next order once the lower one has rolled out. Progress is judged here from the Deployments alone,
// the way a user would read them, and from the group's status for failures.
package restart

import (
	"fmt"
	"sort"
	"strings"
)

// Deployment is what the plugin sees of one process's Deployment.
type Deployment struct {
	Exists bool
	// RestartedAt is the pod template's procgroup.dev/restartedAt annotation.
	RestartedAt        string
	Generation         int64
	ObservedGeneration int64
	Wanted             int32 // spec.replicas
	Replicas           int32 // status.replicas: pods of every template
	Updated            int32
	Available          int32
}

// Process is one process of the group during the restart.
type Process struct {
	Name  string
	Order int
	// Phase, Reason and Message are the group status's for the process (Failing, CrashLoop, ...).
	Phase, Reason, Message string
	Deployment             Deployment
}

// State of one order.
type State string

const (
	Waiting    State = "waiting"    // the operator has not reached it yet (a lower order is rolling out)
	Restarting State = "restarting" // its templates carry the new value; pods are being replaced
	Done       State = "restarted"  // every replica replaced and available
	Failed     State = "failed"     // a process of it cannot run (the status says why)
)

// OrderProgress is one order's state, with a line for each of its processes.
type OrderProgress struct {
	Order     int
	Processes []string
	State     State
	Detail    []string // "web 1/2 updated, 1 available"
	Failure   string   // set when Failed
}

// Progress of the whole restart.
type Progress struct {
	Orders []OrderProgress
}

// Done is true when every order has restarted.
func (p Progress) Done() bool {
	for _, o := range p.Orders {
		if o.State != Done {
			return false
		}
	}
	return len(p.Orders) > 0
}

// Failure returns the first failed order's reason, or "".
func (p Progress) Failure() string {
	for _, o := range p.Orders {
		if o.State == Failed {
			return fmt.Sprintf("order %d: %s", o.Order, o.Failure)
		}
	}
	return ""
}

// Current is the lowest order not yet restarted, or nil when all are.
func (p Progress) Current() *OrderProgress {
	for i := range p.Orders {
		if p.Orders[i].State != Done {
			return &p.Orders[i]
		}
	}
	return nil
}

// failingPhases are the status phases of a process that cannot run (ProcessStatus.phase).
var failingPhases = map[string]bool{"Failing": true, "CrashLoop": true}

// Evaluate judges the restart to value: each process is restarted when its Deployment's template carries value,
// the Deployment controller saw that generation, and every wanted replica is updated and available with no pod
// of an older template left (a process at scale 0 is restarted at once: it has no pods).
func Evaluate(value string, processes []Process) Progress {
	byOrder := map[int][]Process{}
	for _, p := range processes {
		byOrder[p.Order] = append(byOrder[p.Order], p)
	}
	orders := make([]int, 0, len(byOrder))
	for o := range byOrder {
		orders = append(orders, o)
	}
	sort.Ints(orders)
	var out Progress
	for _, o := range orders {
		op := OrderProgress{Order: o, State: Done}
		started := false
		for _, p := range byOrder[o] {
			op.Processes = append(op.Processes, p.Name)
			d := p.Deployment
			onNew := d.Exists && d.RestartedAt == value
			if onNew {
				started = true
			}
			if failingPhases[p.Phase] {
				op.State = Failed
				op.Failure = strings.TrimSpace(fmt.Sprintf("%s is %s: %s %s", p.Name, p.Phase, p.Reason, p.Message))
			}
			switch {
			case !onNew:
				op.Detail = append(op.Detail, p.Name+" waiting")
				if op.State != Failed {
					op.State = Waiting
				}
			case d.ObservedGeneration < d.Generation:
				op.Detail = append(op.Detail, p.Name+" rollout not yet seen by the Deployment controller")
				if op.State != Failed {
					op.State = Restarting
				}
			default:
				op.Detail = append(op.Detail, fmt.Sprintf("%s %d/%d updated, %d available", p.Name, d.Updated, d.Wanted, d.Available))
				complete := d.Updated >= d.Wanted && d.Available >= d.Wanted && d.Replicas <= d.Wanted
				if !complete && op.State == Done {
					op.State = Restarting
				}
			}
		}
		// An order some of whose processes already carry the value is restarting, not waiting.
		if op.State == Waiting && started {
			op.State = Restarting
		}
		out.Orders = append(out.Orders, op)
	}
	return out
}

// Line is the one-line summary of an order for the progress display.
func (o OrderProgress) Line() string {
	s := fmt.Sprintf("order %d (%s): %s", o.Order, strings.Join(o.Processes, ", "), o.State)
	if o.State == Restarting || o.State == Waiting {
		s += " - " + strings.Join(o.Detail, "; ")
	}
	if o.State == Failed {
		s += " - " + o.Failure
	}
	return s
}
