// Package logs interleaves the log lines of several pods in time, each prefixed with its pod, as pm2 logs does.
// The kubelet stamps every line (timestamps=true); the stamp orders the lines and is then dropped.
package logs

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Line is one log line of one pod's app container.
type Line struct {
	Pod  string
	Time time.Time
	Text string
	seq  uint64 // arrival order: lines of equal time keep it (one pod's lines never swap)
}

// Parse splits a kubelet-stamped line ("2026-12-03T07:24:15.123456789Z hello") into its time and text. A line
// without a stamp (never sent by the kubelet with timestamps=true, but a log may be cut mid-line) keeps a zero
// time and its whole text.
func Parse(pod, raw string) Line {
	raw = strings.TrimRight(raw, "\r\n")
	if sp := strings.IndexByte(raw, ' '); sp > 0 {
		if t, err := time.Parse(time.RFC3339Nano, raw[:sp]); err == nil {
			return Line{Pod: pod, Time: t, Text: raw[sp+1:]}
		}
	}
	return Line{Pod: pod, Text: raw}
}

// Merge interleaves whole logs (one per pod, each already in time order) into one, by time; equal times keep
// the pods' given order.
func Merge(perPod [][]Line) []Line {
	var all []Line
	var seq uint64
	for _, lines := range perPod {
		for _, l := range lines {
			l.seq = seq
			seq++
			all = append(all, l)
		}
	}
	sortLines(all)
	return all
}

func sortLines(ls []Line) {
	sort.SliceStable(ls, func(i, j int) bool {
		if !ls[i].Time.Equal(ls[j].Time) {
			return ls[i].Time.Before(ls[j].Time)
		}
		return ls[i].seq < ls[j].seq
	})
}

// Reorder holds followed lines for a short delay so that lines of several pods that arrive slightly out of
// order (separate streams through the API server) come out in time order. Lines released are never older than
// a line released before them: a line arriving later than the delay is released at once, after its time.
type Reorder struct {
	Delay    time.Duration
	pending  []Line
	seq      uint64
	released time.Time
}

// Push adds a line as it arrives.
func (r *Reorder) Push(l Line) {
	l.seq = r.seq
	r.seq++
	if l.Time.IsZero() || l.Time.Before(r.released) {
		l.Time = r.released // too late to place it: it goes out next, not before what was shown
	}
	r.pending = append(r.pending, l)
}

// Release returns, in time order, the lines stamped at or before now - Delay (or every line when flush).
func (r *Reorder) Release(now time.Time, flush bool) []Line {
	sortLines(r.pending)
	cut := now.Add(-r.Delay)
	n := 0
	for n < len(r.pending) && (flush || !r.pending[n].Time.After(cut)) {
		n++
	}
	out := append([]Line(nil), r.pending[:n]...)
	r.pending = append(r.pending[:0], r.pending[n:]...)
	if n > 0 {
		r.released = out[n-1].Time
	}
	return out
}

// Pending is the number of lines held.
func (r *Reorder) Pending() int { return len(r.pending) }

// Prefixer formats lines as "<pod> | <text>", the pod names padded to one width (pm2's "0|web  | ..."), and
// colours each pod's prefix on a terminal.
type Prefixer struct {
	Color  bool
	width  int
	colors map[string]int
}

var palette = []int{36, 33, 32, 35, 34, 31, 96, 93, 92, 95, 94, 91}

// Format renders one line.
func (p *Prefixer) Format(l Line) string {
	if len(l.Pod) > p.width {
		p.width = len(l.Pod)
	}
	prefix := l.Pod + strings.Repeat(" ", p.width-len(l.Pod)) + " | "
	if !p.Color {
		return prefix + l.Text
	}
	if p.colors == nil {
		p.colors = map[string]int{}
	}
	c, ok := p.colors[l.Pod]
	if !ok {
		c = palette[len(p.colors)%len(palette)]
		p.colors[l.Pod] = c
	}
	return "\x1b[" + strconv.Itoa(c) + "m" + prefix + "\x1b[0m" + l.Text
}

// Widen makes the prefix at least as wide as every pod name given (known pods, so the column does not jump).
func (p *Prefixer) Widen(pods ...string) {
	for _, n := range pods {
		if len(n) > p.width {
			p.width = len(n)
		}
	}
}
