package datasets

import (
	"fmt"
	"io"
)

// Limits on the text of one record, checked while the file streams in, so
// that a file of one enormous line is refused after reading a little of
// it instead of being split into millions of fields first (a 30 MiB line
// of commas once took 2 GB).
const (
	maxRecordBytes = 1 << 20 // one record's text, quoted newlines included
	MaxLabelLength = 64      // characters of a class name or column name
)

// csvGuard passes a CSV stream through unchanged, counting the fields of
// each record (outside quotes) and its length, and fails with a *CSVError
// naming the line as soon as a record has more than MaxCSVColumns fields
// or more than maxRecordBytes bytes.
type csvGuard struct {
	r      io.Reader
	delim  byte
	quoted bool
	fields int // delimiters seen in the current record, plus one
	size   int // bytes of the current record
	line   int // 1-based line of the byte being read
	start  int // line the current record started on
	err    error
}

func newCSVGuard(r io.Reader, delim rune) *csvGuard {
	return &csvGuard{r: r, delim: byte(delim), fields: 1, line: 1, start: 1}
}

func (g *csvGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		g.size++
		switch {
		case c == '"':
			g.quoted = !g.quoted // "" inside quotes toggles twice
		case c == '\n':
			g.line++
			if !g.quoted {
				g.fields, g.size, g.start = 1, 0, g.line
			}
		case c == g.delim && !g.quoted:
			g.fields++
			if g.fields > MaxCSVColumns {
				g.err = &CSVError{Line: g.start, Column: fmt.Sprintf("column %d", g.fields),
					Msg: fmt.Sprintf("more than %d columns: at most %d are allowed", MaxCSVColumns, MaxCSVColumns)}
				return i, g.err
			}
		}
		if g.size > maxRecordBytes {
			g.err = &CSVError{Line: g.start, Msg: fmt.Sprintf("the row is longer than %d KiB: rows of at most %d columns of numbers are expected (is a quote left open?)", maxRecordBytes>>10, MaxCSVColumns)}
			return i, g.err
		}
	}
	return n, err
}
