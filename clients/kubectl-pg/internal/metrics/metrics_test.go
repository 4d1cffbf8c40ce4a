package metrics

import (
	"math"
	"os"
	"strings"
	"testing"
)

// The testdata files are two real scrapes of a sidecar (sidecar/run.sh, app metrics on, its app a busy shell
// loop), taken 2.4 s apart: the text the plugin reads through the pod proxy.
func scrape(t *testing.T, name string) App {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) < 40 {
		t.Fatalf("only %d samples parsed", len(samples))
	}
	return AppFigures(samples)
}

func TestARealSidecarScrapeGivesTheAppsCPUAndMemory(t *testing.T) {
	a, b := scrape(t, "sidecar-scrape-1.txt"), scrape(t, "sidecar-scrape-2.txt")
	if !b.Up || !b.HasCPU || !b.HasMemory || b.MemoryBytes != 1679360 || b.Threads != 1 {
		t.Fatalf("figures %+v", b)
	}
	if a.CPUSeconds != 0.91 || b.CPUSeconds != 1.9 || a.Uptime != 2.796 || b.Uptime != 5.228 {
		t.Fatalf("cpu %v -> %v over %v -> %v", a.CPUSeconds, b.CPUSeconds, a.Uptime, b.Uptime)
	}
	pct, ok := CPUPercent(a, b)
	if want := 100 * (1.9 - 0.91) / (5.228 - 2.796); !ok || math.Abs(pct-want) > 1e-9 {
		t.Fatalf("cpu %v%% (ok %v), want %v", pct, ok, want)
	}
	// Reversed (the counter went back: the app restarted), or the same scrape twice: no figure.
	if _, ok := CPUPercent(b, a); ok {
		t.Fatal("a counter that went back gives no figure")
	}
	if _, ok := CPUPercent(b, b); ok {
		t.Fatal("no time passed: no figure")
	}
}

func TestParseReadsLabelsWithEscapesHistogramsAndSpecialValues(t *testing.T) {
	text := `# HELP x a help line
# TYPE x counter
procgroup_hub_calls_total{object="page\"Snap",method="a,b}",route="remote",outcome="ok"} 3
procgroup_hub_call_duration_seconds_bucket{object="o",method="m",route="local",le="+Inf"} 7
weird{path="C:\\dir\nnext"} NaN
up 1 1700000000000
`
	s, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 4 || s[0].Labels["object"] != `page"Snap` || s[0].Labels["method"] != "a,b}" || s[0].Value != 3 {
		t.Fatalf("got %+v", s)
	}
	if s[1].Labels["le"] != "+Inf" || s[2].Labels["path"] != "C:\\dir\nnext" || !math.IsNaN(s[2].Value) || s[3].Value != 1 {
		t.Fatalf("got %+v", s)
	}
	_, err = Parse("ok 1\nbroken{a=\"x\" 2\n")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a broken line is an error naming it: %v", err)
	}
}

func TestAScrapeWithoutAppMetricsHasNoFigures(t *testing.T) {
	s, err := Parse("procgroup_hub_uptime_seconds 12\nprocgroup_app_up 0\n")
	if err != nil {
		t.Fatal(err)
	}
	a := AppFigures(s)
	if a.Up || a.HasCPU || a.HasMemory {
		t.Fatalf("got %+v", a)
	}
	if _, ok := CPUPercent(a, a); ok {
		t.Fatal("no CPU figures: no percent")
	}
}
