package view

import (
	"strings"
	"testing"
	"time"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(name, process string, ready bool, restarts int32) corev1.Pod {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"procgroup.dev/group": "shop", "procgroup.dev/process": process}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: process, RestartCount: restarts}}},
	}
}

func one(n int) *int { return &n }

func shop() *model.Group {
	now := metav1.NewTime(time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC))
	g := &model.Group{}
	g.Name, g.Namespace, g.Generation = "shop", "default", 3
	g.Spec.Processes = []model.ProcessSpec{{Name: "web", Order: one(1), Scale: one(2)}, {Name: "agent"}}
	g.Status = model.Status{ObservedGeneration: 3, Phase: "Running", Ready: "3/3", ProcessesReady: "2/2",
		Conditions: []metav1.Condition{{Type: "Ready", Status: "True", Reason: "AllProcessesReady", Message: "2/2 processes ready", LastTransitionTime: now}},
		Processes: []model.ProcessStatus{{Name: "agent", Order: 0, Desired: 1, Ready: 1, Phase: "Running"},
			{Name: "web", Order: 1, Desired: 2, Ready: 2, Restarts: 1, Phase: "Running", Service: "shop-web.default.svc"}}}
	return g
}

func TestBuildSumsEachProcesssPodsAndKeepsTheStartOrder(t *testing.T) {
	pods := []corev1.Pod{pod("shop-web-b", "web", true, 1), pod("shop-agent-a", "agent", true, 0), pod("shop-web-a", "web", true, 0)}
	figures := map[string]Figures{
		"shop-web-a":   {CPUPercent: 1.5, HasCPU: true, MemoryBytes: 40 << 20, HasMemory: true},
		"shop-web-b":   {CPUPercent: 2.5, HasCPU: true, MemoryBytes: 60 << 20, HasMemory: true},
		"shop-agent-a": {Err: "pods/proxy forbidden"},
	}
	v := Build(shop(), pods, figures)
	if len(v.Processes) != 2 || v.Processes[0].Name != "agent" || v.Processes[1].Name != "web" {
		t.Fatalf("order 0 first: %+v", v.Processes)
	}
	web := v.Processes[1]
	if *web.CPUPercent != 4 || *web.MemoryBytes != 100<<20 || len(web.Pods) != 2 || web.Pods[0].Name != "shop-web-a" || web.Pods[1].Restarts != 1 {
		t.Fatalf("web %+v", web)
	}
	if agent := v.Processes[0]; agent.CPUPercent != nil || agent.MemoryBytes != nil || agent.Pods[0].MetricsError == "" {
		t.Fatalf("no figures for agent: %+v", agent)
	}

	var b strings.Builder
	if err := Write(&b, []Group{v}, Options{Now: time.Date(2026, 12, 3, 7, 5, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	want := `GROUP shop   phase Running   ready 3/3   processes 2/2
ORDER   PROCESS   READY   RESTARTS   PHASE     CPU    MEMORY
0       agent     1/1     0          Running   -      -
1       web       2/2     1          Running   4.0%   100Mi
  CONDITION   STATUS   REASON              AGE   MESSAGE
  Ready       True     AllProcessesReady   5m    2/2 processes ready
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	Write(&b, []Group{v}, Options{Wide: true, AllNamespaces: true})
	if !strings.Contains(b.String(), "GROUP default/shop") || !strings.Contains(b.String(), "shop-web-a,shop-web-b   shop-web.default.svc") {
		t.Fatalf("wide, all namespaces:\n%s", b.String())
	}
}
