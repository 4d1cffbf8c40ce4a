// Package render turns what the plugin gathered into kubectl-style text: aligned columns, upper-case headers,
// three spaces between columns, "<none>" for nothing.
package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table is a header and rows of cells, rendered with every column as wide as its widest cell.
type Table struct {
	Header []string
	Rows   [][]string
	// Indent prefixes every line (for tables nested under a heading).
	Indent string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write renders the table; the last column is not padded (no trailing spaces).
func (t *Table) Write(w io.Writer) error {
	widths := make([]int, len(t.Header))
	measure := func(row []string) {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	line := func(row []string) error {
		var b strings.Builder
		b.WriteString(t.Indent)
		for i, c := range row {
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+3))
			}
		}
		_, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		return err
	}
	if err := line(t.Header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := line(r); err != nil {
			return err
		}
	}
	return nil
}

// Bytes renders a byte count in binary units as kubectl top does (41Mi, 1.2Gi); "-" when unknown.
func Bytes(b float64, known bool) string {
	if !known {
		return "-"
	}
	const ki = 1024.0
	switch {
	case b >= ki*ki*ki:
		return fmt.Sprintf("%.1fGi", b/(ki*ki*ki))
	case b >= ki*ki:
		return fmt.Sprintf("%.0fMi", b/(ki*ki))
	case b >= ki:
		return fmt.Sprintf("%.0fKi", b/ki)
	default:
		return fmt.Sprintf("%.0f", b)
	}
}

// Percent renders a CPU share of one core (0.4%, 12%, 197%); "-" when unknown.
func Percent(p float64, known bool) string {
	if !known {
		return "-"
	}
	if p < 10 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// OrNone is s, or "<none>" when empty, as kubectl prints missing values.
func OrNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// Truncate shortens s to n runes with an ellipsis, for messages in narrow columns.
func Truncate(s string, n int) string {
	if n <= 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
