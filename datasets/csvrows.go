package datasets

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// csvParser turns CSV records into rows of a csvTable.
type csvParser struct {
	ncol         int      // fields per record
	names        []string // all column names, label column included
	header       bool     // the file has a header row
	firstLine    int      // line of the first record (header or data)
	label        int      // index of the label column, −1 for none
	decimalComma bool
	dropBad      bool
	classIndex   map[string]int // label value → provisional class index
	classOrder   []string       // label values in order of appearance
	row          []float64      // scratch row
	rows         int            // data rows seen, dropped ones included
}

// column names column j for messages: `column "petal_width"` or `column 3`.
func (p *csvParser) column(j int) string {
	if p.header {
		return "column " + strconv.Quote(p.names[j])
	}
	return "column " + strconv.Itoa(j+1)
}

// add appends one data record to t, or drops it (DropBad), or fails.
func (p *csvParser) add(t *csvTable, rec *csvRecord) error {
	p.rows++
	if p.rows > MaxCSVRows {
		return invalid(fmt.Sprintf("the file has more than %d data rows", MaxCSVRows))
	}
	if len(rec.fields) != p.ncol {
		what := "line " + strconv.Itoa(p.firstLine)
		if p.header {
			what = "the header"
		}
		return &CSVError{Line: rec.line,
			Msg: fmt.Sprintf("%d fields, but %s has %d", len(rec.fields), what, p.ncol)}
	}
	p.row = p.row[:0]
	for j, f := range rec.fields {
		if j == p.label {
			continue
		}
		v, problem := parseNumber(f, p.decimalComma)
		if problem != "" {
			if p.dropBad {
				t.dropped++
				return nil
			}
			if p.label < 0 && p.rows <= 1 && strings.HasSuffix(problem, "is not a number") {
				// Text in the first row of a file without a label column is most
				// often the class names (later, more often a typo).
				problem += fmt.Sprintf(": if %s holds class names, give it as the label column", p.column(j))
			}
			return &CSVError{Line: rec.line, Column: p.column(j), Msg: problem}
		}
		p.row = append(p.row, v)
	}
	class := -1
	if p.label >= 0 {
		if v := strings.TrimSpace(rec.fields[p.label]); v != "" {
			c, ok := p.classIndex[v]
			if !ok && utf8.RuneCountInString(v) > MaxLabelLength {
				return &CSVError{Line: rec.line, Column: p.column(p.label),
					Msg: fmt.Sprintf("the label %s has %d characters; class names may have at most %d", quoteCell(v), utf8.RuneCountInString(v), MaxLabelLength)}
			}
			if !ok {
				if len(p.classOrder) == MaxCSVClasses {
					return invalid(fmt.Sprintf("label %s has more than %d different values: "+
						"choose a column of class names, or no label column", p.column(p.label), MaxCSVClasses))
				}
				c = len(p.classOrder)
				p.classIndex[v] = c
				p.classOrder = append(p.classOrder, v)
			}
			class = c
		}
	}
	t.values = append(t.values, p.row...)
	t.labels = append(t.labels, class)
	return nil
}

// finishClasses sorts the class names (numerically when they are all
// numbers, else as text) and renumbers the labels to match.
func (p *csvParser) finishClasses(t *csvTable) {
	if p.label < 0 {
		return
	}
	type class struct {
		name string
		num  float64
	}
	classes := make([]class, len(p.classOrder))
	numeric := true
	for i, name := range p.classOrder {
		v, problem := parseNumber(name, p.decimalComma)
		classes[i] = class{name, v}
		numeric = numeric && problem == ""
	}
	order := make([]int, len(classes)) // sorted position → provisional index
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if numeric {
			if c := cmp.Compare(classes[a].num, classes[b].num); c != 0 {
				return c
			}
		}
		return strings.Compare(classes[a].name, classes[b].name)
	})
	remap := make([]int, len(order))
	t.classes = make([]string, len(order))
	for pos, i := range order {
		remap[i] = pos
		t.classes[pos] = classes[i].name
	}
	for i, c := range t.labels {
		if c >= 0 {
			t.labels[i] = remap[c]
		}
	}
}

// resolveLabel finds the label column: a column name (exact, then ignoring
// case; files without a header have the names "column 1", "column 2", …) or
// a 0-based index; "" or "-1" means none.
func resolveLabel(spec string, names []string) (int, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "-1" {
		return -1, nil
	}
	if j := slices.Index(names, spec); j >= 0 {
		return j, nil
	}
	if j := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, spec) }); j >= 0 {
		return j, nil
	}
	if j, err := strconv.Atoi(spec); err == nil {
		if j < 0 || j >= len(names) {
			return -1, invalid(fmt.Sprintf("label column %d is out of range: the file has %d columns, numbered 0 to %d",
				j, len(names), len(names)-1))
		}
		return j, nil
	}
	shown := names
	if len(shown) > 12 {
		shown = append(slices.Clone(shown[:12]), "…")
	}
	return -1, invalid(fmt.Sprintf("label column %q not found; the columns are %s", spec, strings.Join(shown, ", ")))
}
