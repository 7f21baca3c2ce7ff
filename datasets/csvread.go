package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// csvTable is a CSV file read into memory, before splitting and scaling.
type csvTable struct {
	names   []string  // feature column names (label column excluded)
	label   string    // name of the label column, "" if none
	values  []float64 // row-major, len(labels) × len(names)
	labels  []int     // class index per row, −1 when unlabelled
	classes []string  // class names, sorted
	dropped int       // rows dropped for bad values
}

// csvRecord is one row and the line it starts on.
type csvRecord struct {
	fields []string
	line   int
}

// readCSVTable reads and checks the whole file.
func readCSVTable(r io.Reader, opt CSVOptions) (*csvTable, error) {
	br := bufio.NewReaderSize(&limitedReader{r: r, n: MaxCSVBytes + 1}, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) { // UTF-8 byte-order mark
		br.Discard(3)
	}
	first, err := br.Peek(1)
	if len(first) == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, invalid("the file is empty")
		}
		return nil, csvReadError(err)
	}
	delim := opt.Delimiter
	if delim == 0 {
		delim = detectDelimiter(br)
	}
	cr := csv.NewReader(newCSVGuard(br, delim))
	cr.Comma, cr.FieldsPerRecord, cr.TrimLeadingSpace = delim, -1, true
	next := func() (*csvRecord, error) {
		fields, err := cr.Read()
		if err != nil {
			return nil, csvReadError(err)
		}
		line, _ := cr.FieldPos(0)
		return &csvRecord{fields: fields, line: line}, nil
	}
	rec1, err := next()
	if errors.Is(err, io.EOF) {
		return nil, invalid("the file is empty")
	} else if err != nil {
		return nil, err
	}
	rec2, err := next()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	p, t, err := newCSVParser(rec1, rec2, delim, opt)
	if err != nil {
		return nil, err
	}
	if !p.header {
		if err := p.add(t, rec1); err != nil {
			return nil, err
		}
	}
	cr.ReuseRecord = true
	for rec := rec2; rec != nil; {
		if err := p.add(t, rec); err != nil {
			return nil, err
		}
		if rec, err = next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
	}
	if len(t.labels) == 0 {
		if t.dropped > 0 {
			return nil, invalid(fmt.Sprintf("all %d data rows have missing or non-numeric values", t.dropped))
		}
		return nil, invalid("the file has a header but no data rows")
	}
	p.finishClasses(t)
	return t, nil
}

// newCSVParser works out the columns from the first two records: the
// header, the names, the label column and the feature columns.
func newCSVParser(rec1, rec2 *csvRecord, delim rune, opt CSVOptions) (*csvParser, *csvTable, error) {
	ncol := len(rec1.fields)
	if ncol > MaxCSVColumns {
		return nil, nil, invalid(fmt.Sprintf("the file has %d columns; at most %d are allowed", ncol, MaxCSVColumns))
	}
	p := &csvParser{decimalComma: delim == ';', ncol: ncol, label: -1, firstLine: rec1.line}
	hasHeader := opt.Header == HeaderPresent ||
		opt.Header == HeaderAuto && looksLikeHeader(rec1.fields, rec2, p.decimalComma)
	p.names = make([]string, ncol)
	for j := range p.names {
		p.names[j] = fmt.Sprintf("column %d", j+1)
		if hasHeader {
			if name := strings.TrimSpace(rec1.fields[j]); name != "" {
				if n := utf8.RuneCountInString(name); n > MaxLabelLength {
					return nil, nil, &CSVError{Line: rec1.line, Column: fmt.Sprintf("column %d", j+1),
						Msg: fmt.Sprintf("the column name %s has %d characters; at most %d are allowed", quoteCell(name), n, MaxLabelLength)}
				}
				p.names[j] = name
			}
		}
	}
	p.header = hasHeader
	var err error
	if p.label, err = resolveLabel(opt.LabelColumn, p.names); err != nil {
		return nil, nil, err
	}
	p.dropBad = opt.DropBad
	t := &csvTable{}
	for j, name := range p.names {
		if j == p.label {
			t.label = name
		} else {
			t.names = append(t.names, name)
		}
	}
	if len(t.names) == 0 {
		return nil, nil, invalid(fmt.Sprintf("the file has no numeric columns besides the label column %q", t.label))
	}
	if w := opt.ImageWidth; w > 0 && len(t.names)%w != 0 {
		return nil, nil, invalid(fmt.Sprintf("%d feature columns cannot form images %d pixels wide", len(t.names), w))
	}
	p.classIndex = make(map[string]int)
	p.row = make([]float64, 0, len(t.names))
	return p, t, nil
}

// limitedReader fails with errTooLarge once more than n−1 bytes are read.
type limitedReader struct {
	r io.Reader
	n int64
}

var errTooLarge = invalid(fmt.Sprintf("the file is larger than %d MiB", MaxCSVBytes>>20))

func (l *limitedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n <= 0 {
		return n, errTooLarge
	}
	return n, err
}

// csvReadError turns a csv parse error into a CSVError naming its line;
// io.EOF, the size limit and errors of the underlying reader pass through.
func csvReadError(err error) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errTooLarge):
		return errTooLarge
	case errors.As(err, &pe) && !errors.Is(pe.Err, errTooLarge):
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrFieldCount) {
			return &CSVError{Line: pe.Line, Msg: pe.Err.Error()}
		}
	}
	return err
}

// detectDelimiter picks ',', ';' or tab by counting them (outside quotes)
// in the first line.
func detectDelimiter(br *bufio.Reader) rune {
	buf, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i]
	}
	var comma, semi, tab int
	quoted := false
	for _, c := range buf {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			comma++
		case c == ';':
			semi++
		case c == '\t':
			tab++
		}
	}
	switch {
	case tab > 0 && tab >= comma && tab >= semi:
		return '\t'
	case semi > comma:
		return ';'
	}
	return ','
}

// looksLikeHeader reports whether rec1 is a header: some column holds a
// number in rec2, and no such column holds a number in rec1. Without a
// second row, a first row without any number is a header.
func looksLikeHeader(rec1 []string, rec2 *csvRecord, decimalComma bool) bool {
	isNum := func(s string) bool { _, problem := parseNumber(s, decimalComma); return problem == "" }
	if rec2 == nil {
		for _, f := range rec1 {
			if isNum(f) {
				return false
			}
		}
		return true
	}
	seen := false
	for j, f := range rec1 {
		if j >= len(rec2.fields) || !isNum(rec2.fields[j]) {
			continue
		}
		if isNum(f) {
			return false
		}
		seen = true
	}
	return seen
}

// parseNumber parses a finite float32-sized number, or says what is wrong
// with s.
func parseNumber(s string, decimalComma bool) (float64, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, "missing value"
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil && decimalComma && strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		v, err = strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
	}
	switch {
	case err == nil && (math.IsNaN(v) || math.IsInf(v, 0)):
		return 0, quoteCell(t) + " is not a finite number"
	case errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0), err == nil && math.Abs(v) > math.MaxFloat32:
		return 0, quoteCell(t) + " is too large"
	case err != nil:
		return 0, quoteCell(t) + " is not a number"
	}
	return v, ""
}

// quoteCell quotes a cell for a message, shortening long ones.
func quoteCell(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
