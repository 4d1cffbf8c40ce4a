package restart

import (
	"strings"
	"testing"
)

const v = "2026-12-03T07:00:00Z"

func dep(restartedAt string, wanted, replicas, updated, available int32) Deployment {
	return Deployment{Exists: true, RestartedAt: restartedAt, Generation: 2, ObservedGeneration: 2, Wanted: wanted,
		Replicas: replicas, Updated: updated, Available: available}
}

func TestAnOrderedRestartMovesOrderByOrder(t *testing.T) {
	// Order 0 rolled out, order 1 still on the old template: 0 restarted, 1 waiting.
	p := Evaluate(v, []Process{
		{Name: "agent", Order: 0, Deployment: dep(v, 1, 1, 1, 1)},
		{Name: "web", Order: 1, Deployment: dep("old", 2, 2, 2, 2)},
		{Name: "background", Order: 1, Deployment: dep("old", 1, 1, 1, 1)},
	})
	if p.Orders[0].State != Done || p.Orders[1].State != Waiting || p.Done() || p.Current().Order != 1 {
		t.Fatalf("got %+v", p)
	}
	if got := p.Orders[1].Line(); got != "order 1 (web, background): waiting - web waiting; background waiting" {
		t.Fatalf("line %q", got)
	}
	// web's new pods come up one by one: restarting, with the counts.
	p = Evaluate(v, []Process{
		{Name: "agent", Order: 0, Deployment: dep(v, 1, 1, 1, 1)},
		{Name: "web", Order: 1, Deployment: dep(v, 2, 3, 1, 2)},
		{Name: "background", Order: 1, Deployment: dep(v, 1, 1, 1, 1)},
	})
	if p.Orders[1].State != Restarting || !strings.Contains(p.Orders[1].Line(), "web 1/2 updated, 2 available") {
		t.Fatalf("got %+v", p.Orders[1])
	}
	// Every replica updated and available but an old pod still terminating: not yet.
	p = Evaluate(v, []Process{{Name: "web", Order: 1, Deployment: dep(v, 2, 3, 2, 2)}})
	if p.Done() {
		t.Fatal("an old pod is left: not restarted")
	}
	p = Evaluate(v, []Process{
		{Name: "agent", Order: 0, Deployment: dep(v, 1, 1, 1, 1)},
		{Name: "web", Order: 1, Deployment: dep(v, 2, 2, 2, 2)},
		{Name: "stopped", Order: 1, Deployment: dep(v, 0, 0, 0, 0)},
	})
	if !p.Done() || p.Current() != nil || p.Failure() != "" {
		t.Fatalf("all restarted (scale 0 has nothing to replace): %+v", p)
	}
}

func TestATemplateTheControllerHasNotSeenIsNotRestartedYet(t *testing.T) {
	d := dep(v, 1, 1, 1, 1)
	d.ObservedGeneration = 1 // the old template's status looks rolled out
	p := Evaluate(v, []Process{{Name: "agent", Order: 0, Deployment: d}})
	if p.Orders[0].State != Restarting {
		t.Fatalf("got %+v", p.Orders[0])
	}
	// No Deployment at all (the operator has not created it): waiting.
	p = Evaluate(v, []Process{{Name: "agent", Order: 0}})
	if p.Orders[0].State != Waiting {
		t.Fatalf("got %+v", p.Orders[0])
	}
}

func TestAFailingProcessFailsTheRestartWithItsReason(t *testing.T) {
	p := Evaluate(v, []Process{
		{Name: "agent", Order: 0, Deployment: dep(v, 1, 1, 1, 1)},
		{Name: "web", Order: 1, Phase: "CrashLoop", Reason: "CrashLoop", Message: "restarted 6 times in 10m, exit code 3", Deployment: dep(v, 1, 2, 1, 0)},
	})
	if got := p.Failure(); got != "order 1: web is CrashLoop: CrashLoop restarted 6 times in 10m, exit code 3" {
		t.Fatalf("failure %q", got)
	}
	if p.Done() {
		t.Fatal("a failed restart is not done")
	}
}
