package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// row is one line of the report: a measurement and, when it has one, the
// bar it must clear.
type row struct {
	scenario, metric, value, bar string
	hasBar, pass                 bool
}

// report collects the measurements of every scenario.
type report struct {
	header []string // lines printed above the table
	rows   []row
	notes  []string // lines printed below the table
}

// info records a measurement without a bar.
func (r *report) info(scenario, metric, format string, args ...any) {
	r.rows = append(r.rows, row{scenario: scenario, metric: metric, value: fmt.Sprintf(format, args...)})
}

// check records a measurement with its bar and whether it cleared it.
func (r *report) check(scenario, metric, value, bar string, pass bool) {
	r.rows = append(r.rows, row{scenario: scenario, metric: metric, value: value, bar: bar, hasBar: true, pass: pass})
}

// note records a line for below the table.
func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// missed returns the rows whose bar was not cleared.
func (r *report) missed() []row {
	var out []row
	for _, x := range r.rows {
		if x.hasBar && !x.pass {
			out = append(out, x)
		}
	}
	return out
}

// markdown writes the report as a Markdown table (cells escaped).
func (r *report) markdown(w io.Writer) {
	for _, h := range r.header {
		fmt.Fprintln(w, h)
	}
	if len(r.header) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "| scenario | measurement | value | bar | |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, x := range r.rows {
		verdict := ""
		if x.hasBar {
			verdict = "✅"
			if !x.pass {
				verdict = "❌ missed"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", cell(x.scenario), cell(x.metric), cell(x.value), cell(x.bar), verdict)
	}
	if len(r.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// mib formats a byte count in MiB.
func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// fmtCodes formats close codes and how often each came ("1000 ×92, none ×1").
func fmtCodes(codes map[int]int) string {
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		name := fmt.Sprint(c)
		if c == 0 {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", name, codes[c]))
	}
	return strings.Join(parts, ", ")
}
