// Package metrics reads the sidecar's Prometheus text exposition (format 0.0.4, sidecar/README.md "Metrics
// catalogue") for the figures kubectl pg shows: the app process's CPU time and resident memory.
package metrics

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Sample is one line of the exposition: a metric name, its labels and its value.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Parse reads every sample of a text exposition; comments (# HELP, # TYPE) and blank lines are skipped. A line
// that is not a sample is an error naming the line, since a scrape the plugin cannot read is a bug to report.
func Parse(text string) ([]Sample, error) {
	var out []Sample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d %q: %w", n, line, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

func parseLine(line string) (Sample, error) {
	s := Sample{Labels: map[string]string{}}
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return s, fmt.Errorf("no value")
	}
	s.Name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		end, err := parseLabels(rest, s.Labels)
		if err != nil {
			return s, err
		}
		rest = rest[end:]
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, fmt.Errorf("no value")
	}
	v, err := parseValue(fields[0])
	if err != nil {
		return s, err
	}
	s.Value = v
	return s, nil
}

// parseLabels reads {k="v",...} at the start of s into labels and returns the index after the closing brace.
// Values may hold escaped quotes, backslashes and newlines, and commas or braces inside quotes.
func parseLabels(s string, labels map[string]string) (int, error) {
	i := 1
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return 0, fmt.Errorf("unterminated labels")
		}
		if s[i] == '}' {
			return i + 1, nil
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return 0, fmt.Errorf("label without value")
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		if i >= len(s) || s[i] != '"' {
			return 0, fmt.Errorf("label %s: value not quoted", key)
		}
		i++
		var v strings.Builder
		for {
			if i >= len(s) {
				return 0, fmt.Errorf("label %s: unterminated value", key)
			}
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				switch s[i+1] {
				case 'n':
					v.WriteByte('\n')
				default:
					v.WriteByte(s[i+1])
				}
				i += 2
				continue
			}
			if c == '"' {
				i++
				break
			}
			v.WriteByte(c)
			i++
		}
		labels[key] = v.String()
	}
}

func parseValue(f string) (float64, error) {
	switch f {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(f, 64)
}

// App is what one pod's sidecar says of its app process.
type App struct {
	Up bool
	// CPUSeconds is user + system CPU time of the app's processes (procgroup_app_cpu_seconds_total).
	CPUSeconds float64
	// MemoryBytes is their resident memory (procgroup_app_resident_memory_bytes).
	MemoryBytes float64
	Threads     float64
	// Uptime is the sidecar's own clock (procgroup_hub_uptime_seconds): two scrapes' CPU difference is divided by
	// its difference, so that the API server's proxy latency does not bend the CPU figure.
	Uptime float64
	// HasCPU and HasMemory tell whether the scrape carried the figures (absent when app metrics are off).
	HasCPU, HasMemory bool
}

// AppFigures extracts the app process's figures from a parsed scrape.
func AppFigures(samples []Sample) App {
	var a App
	for _, s := range samples {
		switch s.Name {
		case "procgroup_app_up":
			a.Up = s.Value == 1
		case "procgroup_app_cpu_seconds_total":
			a.CPUSeconds += s.Value
			a.HasCPU = true
		case "procgroup_app_resident_memory_bytes":
			a.MemoryBytes = s.Value
			a.HasMemory = true
		case "procgroup_app_threads":
			a.Threads = s.Value
		case "procgroup_hub_uptime_seconds":
			a.Uptime = s.Value
		}
	}
	return a
}

// CPUPercent is the app's CPU use between two scrapes of the same sidecar, in percent of one core (as pm2 and
// top show it). ok is false when the scrapes cannot be compared: no CPU figures, the clock did not move, or the
// counter went back (the app restarted in between).
func CPUPercent(before, after App) (pct float64, ok bool) {
	if !before.HasCPU || !after.HasCPU {
		return 0, false
	}
	dt := after.Uptime - before.Uptime
	dc := after.CPUSeconds - before.CPUSeconds
	if dt <= 0 || dc < 0 {
		return 0, false
	}
	return 100 * dc / dt, true
}
