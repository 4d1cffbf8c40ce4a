package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func intp(n int) *int { return &n }

func TestDescribeGivesThePlanTheWaitsTheObjectsAndTheLastEvents(t *testing.T) {
	g := &model.Group{}
	g.Name, g.Namespace = "shop", "default"
	g.Spec.Processes = []model.ProcessSpec{
		{Name: "agent"},
		{Name: "web", Order: intp(1), Readiness: map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": "http"}}},
		{Name: "background", Order: intp(1)},
	}
	g.Spec.Services = []model.Service{{Name: "pageSnapshot", Process: "background"}, {Name: "cache", Process: "agent"}}
	g.Status.Processes = []model.ProcessStatus{{Name: "agent", Phase: "Running", Desired: 1, Ready: 1},
		{Name: "web", Order: 1, Phase: "Starting", Desired: 1}, {Name: "background", Order: 1, Phase: "Running", Desired: 1, Ready: 1}}
	docs := []objectsDoc{{Pod: "shop-background-x", Process: "background"}, {Pod: "shop-background-y", Process: "background"}}
	docs[0].Objects = append(docs[0].Objects, struct {
		Name    string   `json:"name"`
		Methods []string `json:"methods"`
	}{"pageSnapshot", []string{"$dispatch", "$getProperty", "take"}}) // as the Node client publishes it
	docs[1].Objects = docs[0].Objects
	base := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	var evs []corev1.Event
	for i := 0; i < 12; i++ {
		evs = append(evs, corev1.Event{Type: "Normal", Reason: "Step", Message: "event " + string(rune('a'+i)), LastTimestamp: metav1.NewTime(base.Add(time.Duration(i) * time.Second))})
	}
	evs[0], evs[11] = evs[11], evs[0] // the API gives no order: newest must still be last

	d := describe(g, nil, nil, docs, map[string]string{}, evs, 10)
	if len(d.Plan) != 2 || len(d.Plan[0].WaitsFor) != 0 || strings.Join(d.Plan[1].WaitsFor, ",") != "agent" || !d.Plan[1].Satisfied {
		t.Fatalf("plan %+v", d.Plan)
	}
	if d.Plan[1].Readiness["web"] != "readiness httpGet /healthz port http" || !strings.Contains(d.Plan[1].Readiness["background"], "no readiness probe") {
		t.Fatalf("readiness %+v", d.Plan[1].Readiness)
	}
	if len(d.Objects) != 1 || d.Objects[0].Name != "pageSnapshot" || len(d.Objects[0].Providers) != 2 || strings.Join(d.Objects[0].Methods, ",") != "take" {
		t.Fatalf("objects %+v", d.Objects)
	}
	if !d.Services[0].Published || d.Services[1].Published {
		t.Fatalf("services %+v", d.Services)
	}
	if len(d.Events) != 10 || d.Events[9].Message != "event l" || d.Events[0].Message != "event c" {
		t.Fatalf("last 10 events, oldest first: %+v", d.Events)
	}
	var b strings.Builder
	if err := writeDescription(&b, d, base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"0       agent             nothing (first order)   -           agent: container running, sidecar ready (no readiness probe)",
		"1       web, background   agent available         satisfied   web: readiness httpGet /healthz port http;",
		"pageSnapshot   take      shop-background-x (background), shop-background-y (background)",
		"cache          agent        no",
		"Normal   Step     49s   event l",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// An order whose lower order is not available waits.
	g.Status.Processes[0].Phase, g.Status.Processes[0].Ready = "Starting", 0
	if describe(g, nil, nil, nil, nil, nil, 10).Plan[1].Satisfied {
		t.Fatal("agent not available: order 1 waits")
	}
}
