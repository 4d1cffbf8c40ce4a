package cmd

import (
	"strings"
	"testing"
)

func TestTheProgressLineRedrawsInPlaceOnATerminalAndPrintsOncePerChangeElsewhere(t *testing.T) {
	var tty, plain strings.Builder
	for _, c := range []struct {
		app *App
		out *strings.Builder
	}{{&App{TTY: true}, &tty}, {&App{}, &plain}} {
		c.app.ErrOut = c.out
		st := &status{app: c.app}
		st.set("[0s] ", "order 0 (agent): waiting")
		st.set("[1s] ", "order 0 (agent): waiting")
		st.set("[2s] ", "order 0 (agent): restarting")
		st.done()
	}
	if want := "\r\x1b[K[0s] order 0 (agent): waiting\r\x1b[K[1s] order 0 (agent): waiting\r\x1b[K[2s] order 0 (agent): restarting\r\x1b[K"; tty.String() != want {
		t.Fatalf("terminal: %q", tty.String())
	}
	if want := "[0s] order 0 (agent): waiting\n[2s] order 0 (agent): restarting\n"; plain.String() != want {
		t.Fatalf("not a terminal: %q", plain.String())
	}
}
