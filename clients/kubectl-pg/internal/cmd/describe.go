package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/kube"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/render"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/rules"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/view"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
)

// Description is what describe shows (and prints as -o json|yaml).
type Description struct {
	view.Group
	Plan     []PlanStep     `json:"plan"`
	Services []ServiceEntry `json:"services"`
	Objects  []HubObject    `json:"hubObjects"`
	// ObjectErrors are the pods whose sidecar could not be asked (their objects are missing above).
	ObjectErrors map[string]string `json:"hubObjectErrors,omitempty"`
	Events       []Event           `json:"events"`
}

// PlanStep is one order of the start plan.
type PlanStep struct {
	Order     int      `json:"order"`
	Processes []string `json:"processes"`
	// WaitsFor names the lower orders' processes that must be available before this order starts or rolls out.
	WaitsFor  []string `json:"waitsFor"`
	Satisfied bool     `json:"satisfied"`
	// Readiness says, per process of this order, what makes it Ready (its readiness probe, else the sidecar only).
	Readiness map[string]string `json:"readiness"`
}

// ServiceEntry is a declared service (spec.services) and whether a pod of its process publishes it now.
type ServiceEntry struct {
	Name      string `json:"name"`
	Process   string `json:"process"`
	Published bool   `json:"published"`
}

// HubObject is an object published on the hub and the pods that provide it.
type HubObject struct {
	Name      string     `json:"name"`
	Methods   []string   `json:"methods"`
	Providers []Provider `json:"providers"`
}

// Provider is one pod publishing an object.
type Provider struct {
	Pod     string `json:"pod"`
	Process string `json:"process"`
}

// Event is one event of the group.
type Event struct {
	Type    string    `json:"type"`
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int32     `json:"count"`
	Last    time.Time `json:"lastTimestamp"`
}

// objectsDoc is the sidecar's GET :9464/objects (the peer API's objects document, sidecar/PROTOCOL.md).
type objectsDoc struct {
	Pod     string `json:"pod"`
	Process string `json:"process"`
	Objects []struct {
		Name    string   `json:"name"`
		Methods []string `json:"methods"`
	} `json:"objects"`
}

func (a *App) describeCmd() *cobra.Command {
	var output string
	var events int
	c := &cobra.Command{
		Use:   "describe GROUP",
		Short: "The order plan and what each order waits for, processes, conditions, hub objects and their providers, the last events",
		Long: `The group's start plan (each order and the lower-order processes it waits for), its processes and
conditions, the hub objects published now and which pods provide them (asked of each pod's sidecar, GET
:9464/objects through the API server's pod proxy), the declared services, and the group's last events.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx := cmd.Context()
			cl, g, err := a.group(ctx, args[0])
			if err != nil {
				return err
			}
			pods, err := cl.Pods(ctx, g.Namespace, g.Name, "")
			if err != nil {
				return err
			}
			stop := a.progress(fmt.Sprintf("asking %d sidecars through the API server's pod proxy", len(pods)))
			figures := scrapeAll(ctx, cl, pods, time.Second)
			objects, objErrs := hubObjects(ctx, cl, pods)
			stop()
			evs, err := cl.Events(ctx, g.Namespace, g.Name)
			if err != nil {
				return err
			}
			d := describe(g, pods, figures, objects, objErrs, evs, events)
			if output == "json" || output == "yaml" {
				return a.printStructured(output, d)
			}
			return writeDescription(a.Out, d, time.Now())
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "json or yaml")
	c.Flags().IntVar(&events, "events", 10, "how many of the last events to show")
	return c
}

// hubObjects asks every running pod's sidecar for its published objects.
func hubObjects(ctx context.Context, cl *kube.Client, pods []corev1.Pod) ([]objectsDoc, map[string]string) {
	var mu sync.Mutex
	var docs []objectsDoc
	errs := map[string]string{}
	var wg sync.WaitGroup
	for _, p := range pods {
		if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			b, err := cl.SidecarGet(rctx, p.Namespace, p.Name, "objects")
			var doc objectsDoc
			if err == nil {
				err = json.Unmarshal(b, &doc)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs[p.Name] = err.Error()
				return
			}
			docs = append(docs, doc)
		}()
	}
	wg.Wait()
	return docs, errs
}

// describe assembles the description (pure: everything read is passed in).
func describe(g *model.Group, pods []corev1.Pod, figures map[string]view.Figures, docs []objectsDoc, objErrs map[string]string, evs []corev1.Event, lastEvents int) Description {
	d := Description{Group: view.Build(g, pods, figures), ObjectErrors: objErrs}
	if len(objErrs) == 0 {
		d.ObjectErrors = nil
	}
	available := map[string]bool{}
	for _, p := range d.Processes {
		available[p.Name] = p.Phase == "Running" || p.Phase == "Stopped" || (p.Desired > 0 && p.Ready > 0 && p.Phase != "Failing" && p.Phase != "CrashLoop")
	}
	var lower []string
	for _, o := range g.Plan() {
		step := PlanStep{Order: o.Order, Processes: o.Processes, WaitsFor: append([]string{}, lower...), Satisfied: true, Readiness: map[string]string{}}
		for _, w := range lower {
			if !available[w] {
				step.Satisfied = false
			}
		}
		for _, name := range o.Processes {
			spec, _, _ := g.Process(name)
			step.Readiness[name] = readiness(spec.Readiness)
		}
		d.Plan = append(d.Plan, step)
		lower = append(lower, o.Processes...)
	}

	byName := map[string]*HubObject{}
	for _, doc := range docs {
		for _, o := range doc.Objects {
			h := byName[o.Name]
			if h == nil {
				h = &HubObject{Name: o.Name}
				byName[o.Name] = h
			}
			for _, m := range o.Methods {
				if !strings.HasPrefix(m, rules.ReservedPrefix) && !contains(h.Methods, m) {
					h.Methods = append(h.Methods, m)
				}
			}
			h.Providers = append(h.Providers, Provider{Pod: doc.Pod, Process: doc.Process})
		}
	}
	d.Objects = []HubObject{}
	for _, h := range byName {
		sort.Strings(h.Methods)
		sort.Slice(h.Providers, func(i, j int) bool { return h.Providers[i].Pod < h.Providers[j].Pod })
		d.Objects = append(d.Objects, *h)
	}
	sort.Slice(d.Objects, func(i, j int) bool { return d.Objects[i].Name < d.Objects[j].Name })

	d.Services = []ServiceEntry{}
	for _, s := range g.Spec.Services {
		e := ServiceEntry{Name: s.Name, Process: s.Process}
		if h := byName[s.Name]; h != nil {
			for _, p := range h.Providers {
				if p.Process == s.Process {
					e.Published = true
				}
			}
		}
		d.Services = append(d.Services, e)
	}

	sort.Slice(evs, func(i, j int) bool { return eventTime(evs[i]).Before(eventTime(evs[j])) })
	if len(evs) > lastEvents {
		evs = evs[len(evs)-lastEvents:]
	}
	d.Events = []Event{}
	for _, e := range evs {
		d.Events = append(d.Events, Event{Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count, Last: eventTime(e)})
	}
	return d
}

func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	default:
		return e.CreationTimestamp.Time
	}
}

// readiness summarises a readiness probe (spec.processes[].readiness) in a few words.
func readiness(probe map[string]any) string {
	if len(probe) == 0 {
		return "container running, sidecar ready (no readiness probe)"
	}
	if h, ok := probe["httpGet"].(map[string]any); ok {
		return fmt.Sprintf("readiness httpGet %v port %v", h["path"], h["port"])
	}
	if t, ok := probe["tcpSocket"].(map[string]any); ok {
		return fmt.Sprintf("readiness tcpSocket port %v", t["port"])
	}
	if e, ok := probe["exec"].(map[string]any); ok {
		b, _ := json.Marshal(e["command"])
		return "readiness exec " + string(b)
	}
	if gr, ok := probe["grpc"].(map[string]any); ok {
		return fmt.Sprintf("readiness grpc port %v", gr["port"])
	}
	return "readiness probe"
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func processNames(ps []model.ProcessSpec) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func writeDescription(w io.Writer, d Description, now time.Time) error {
	fmt.Fprintf(w, "Name:         %s\n", d.Name)
	fmt.Fprintf(w, "Namespace:    %s\n", d.Namespace)
	fmt.Fprintf(w, "Phase:        %s\n", d.Phase)
	fmt.Fprintf(w, "Ready:        %s pods, %s processes\n", render.OrNone(d.Ready), render.OrNone(d.ProcessesReady))
	fmt.Fprintf(w, "Generation:   %d (observed %d)\n", d.Generation, d.ObservedGeneration)
	if d.Message != "" {
		fmt.Fprintf(w, "Message:      %s\n", d.Message)
	}
	fmt.Fprintln(w, "Order plan:   (each order starts, and rolls out a change or restart, once every lower order is available)")
	t := &render.Table{Header: []string{"ORDER", "PROCESSES", "WAITS FOR", "NOW", "READY WHEN"}, Indent: "  "}
	for _, s := range d.Plan {
		waits, now := "nothing (first order)", "-"
		if len(s.WaitsFor) > 0 {
			waits = strings.Join(s.WaitsFor, ", ") + " available"
			now = map[bool]string{true: "satisfied", false: "waiting"}[s.Satisfied]
		}
		var ready []string
		for _, p := range s.Processes {
			ready = append(ready, p+": "+s.Readiness[p])
		}
		t.Add(fmt.Sprint(s.Order), strings.Join(s.Processes, ", "), waits, now, strings.Join(ready, "; "))
	}
	t.Write(w)
	fmt.Fprintln(w, "Processes:")
	pt := view.ProcessTable(d.Group, true)
	pt.Indent = "  "
	pt.Write(w)
	fmt.Fprintln(w, "Conditions:")
	view.ConditionTable(d.Conditions, now, "  ").Write(w)
	fmt.Fprintln(w, "Hub objects:  (published now, from each pod's sidecar :9464/objects through the API server's pod proxy)")
	if len(d.Objects) == 0 {
		fmt.Fprintln(w, "  <none>")
	} else {
		ot := &render.Table{Header: []string{"OBJECT", "METHODS", "PROVIDERS"}, Indent: "  "}
		for _, o := range d.Objects {
			var ps []string
			for _, p := range o.Providers {
				ps = append(ps, p.Pod+" ("+p.Process+")")
			}
			ot.Add(o.Name, render.OrNone(strings.Join(o.Methods, ", ")), strings.Join(ps, ", "))
		}
		ot.Write(w)
	}
	for pod, e := range d.ObjectErrors {
		fmt.Fprintf(w, "  (not asked: %s: %s)\n", pod, e)
	}
	if len(d.Services) > 0 {
		fmt.Fprintln(w, "Services:     (spec.services)")
		st := &render.Table{Header: []string{"SERVICE", "PROCESS", "PUBLISHED"}, Indent: "  "}
		for _, s := range d.Services {
			st.Add(s.Name, s.Process, map[bool]string{true: "yes", false: "no"}[s.Published])
		}
		st.Write(w)
	}
	fmt.Fprintln(w, "Events:")
	if len(d.Events) == 0 {
		fmt.Fprintln(w, "  <none>")
		return nil
	}
	et := &render.Table{Header: []string{"TYPE", "REASON", "AGE", "MESSAGE"}, Indent: "  "}
	for _, e := range d.Events {
		age := model.Age(e.Last, now)
		if e.Count > 1 {
			age = fmt.Sprintf("%s (x%d)", age, e.Count)
		}
		et.Add(e.Type, e.Reason, age, e.Message)
	}
	return et.Write(w)
}
