package cmd

import (
	"fmt"
	"sync"
	"time"
)

// progress shows a spinner with msg on stderr while a long wait runs, on a terminal only; the returned
// function stops it and clears the line.
func (a *App) progress(msg string) func() {
	if !a.TTY {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		frames := `|/-\`
		t := time.NewTicker(120 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				fmt.Fprint(a.ErrOut, "\r\x1b[K")
				return
			case <-t.C:
				fmt.Fprintf(a.ErrOut, "\r\x1b[K%c %s", frames[i%len(frames)], msg)
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// status is a line that redraws in place on a terminal and is printed once per change elsewhere.
type status struct {
	app  *App
	last string
}

// set shows prefix+line: redrawn at every call on a terminal (the prefix is a running clock), printed again
// elsewhere only when line changed.
func (s *status) set(prefix, line string) {
	if s.app.TTY {
		fmt.Fprintf(s.app.ErrOut, "\r\x1b[K%s%s", prefix, line)
		s.last = line
		return
	}
	if line == s.last {
		return
	}
	s.last = line
	fmt.Fprintln(s.app.ErrOut, prefix+line)
}

// done clears the in-place line on a terminal: what replaces it (an order restarted) is printed for good.
func (s *status) done() {
	if s.app.TTY && s.last != "" {
		fmt.Fprint(s.app.ErrOut, "\r\x1b[K")
	}
	s.last = ""
}
