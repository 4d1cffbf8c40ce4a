package logs

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseSplitsTheKubeletStampFromTheText(t *testing.T) {
	l := Parse("web-1", "2026-12-03T07:24:15.123456789Z listening on :5511 (pid 7)\n")
	if !l.Time.Equal(at("2026-12-03T07:24:15.123456789Z")) || l.Text != "listening on :5511 (pid 7)" || l.Pod != "web-1" {
		t.Fatalf("got %+v", l)
	}
	// A line cut mid-way has no stamp: its text is kept whole, with no time.
	l = Parse("web-1", "no stamp here")
	if !l.Time.IsZero() || l.Text != "no stamp here" {
		t.Fatalf("got %+v", l)
	}
	// An empty line after the stamp stays an empty line.
	if l := Parse("p", "2026-12-03T07:24:15Z \n"); l.Text != "" || l.Time.IsZero() {
		t.Fatalf("got %+v", l)
	}
}

func TestMergeInterleavesPodsByTimeAndKeepsEachPodsOrderOnEqualStamps(t *testing.T) {
	a := []Line{Parse("a", "2026-12-03T07:00:01Z a1"), Parse("a", "2026-12-03T07:00:03Z a2"), Parse("a", "2026-12-03T07:00:03Z a3")}
	b := []Line{Parse("b", "2026-12-03T07:00:02Z b1"), Parse("b", "2026-12-03T07:00:03Z b2"), Parse("b", "2026-12-03T07:00:04Z b3")}
	var got []string
	for _, l := range Merge([][]Line{a, b}) {
		got = append(got, l.Text)
	}
	if want := "a1 b1 a2 a3 b2 b3"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestReorderReleasesLinesOnlyAfterTheDelayAndInTimeOrder(t *testing.T) {
	r := &Reorder{Delay: 300 * time.Millisecond}
	base := at("2026-12-03T07:00:00Z")
	// b's line arrives first but was written later than a's: the delay puts them right.
	r.Push(Line{Pod: "b", Time: base.Add(200 * time.Millisecond), Text: "b1"})
	r.Push(Line{Pod: "a", Time: base.Add(100 * time.Millisecond), Text: "a1"})
	if out := r.Release(base.Add(450*time.Millisecond), false); len(out) != 1 || out[0].Text != "a1" {
		t.Fatalf("at +450ms only a1 is older than the delay: %+v", out)
	}
	if out := r.Release(base.Add(600*time.Millisecond), false); len(out) != 1 || out[0].Text != "b1" {
		t.Fatalf("at +600ms b1: %+v", out)
	}
	// A line stamped before what was already shown (a slow stream) comes out next, never before it.
	r.Push(Line{Pod: "c", Time: base, Text: "late"})
	r.Push(Line{Pod: "a", Time: base.Add(250 * time.Millisecond), Text: "a2"})
	out := r.Release(base.Add(time.Second), false)
	if len(out) != 2 || out[0].Text != "late" || out[1].Text != "a2" {
		t.Fatalf("late line first, then a2: %+v", out)
	}
	r.Push(Line{Pod: "a", Time: base.Add(2 * time.Second), Text: "last"})
	if out := r.Release(base.Add(time.Second), true); len(out) != 1 || r.Pending() != 0 {
		t.Fatalf("flush releases everything: %+v", out)
	}
}

func TestPrefixerPadsPodNamesToOneColumnAndColoursOnlyOnATerminal(t *testing.T) {
	p := &Prefixer{}
	p.Widen("shop-web-5f6d-abcde", "shop-web-5f6d-x")
	got := p.Format(Line{Pod: "shop-web-5f6d-x", Text: "hello"})
	if got != "shop-web-5f6d-x     | hello" {
		t.Fatalf("got %q", got)
	}
	c := &Prefixer{Color: true}
	first, second := c.Format(Line{Pod: "a", Text: "x"}), c.Format(Line{Pod: "b", Text: "y"})
	if !strings.HasPrefix(first, "\x1b[36ma | \x1b[0m") || !strings.HasPrefix(second, "\x1b[33mb | \x1b[0m") {
		t.Fatalf("got %q %q", first, second)
	}
}
