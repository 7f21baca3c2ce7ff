package datasets

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// repeatReader yields prefix, then body repeated up to n bytes in all.
type repeatReader struct {
	prefix string
	body   []byte
	n, off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.off < r.n {
		var c byte
		if r.off < len(r.prefix) {
			c = r.prefix[r.off]
		} else {
			c = r.body[(r.off-len(r.prefix))%len(r.body)]
		}
		p[k] = c
		k++
		r.off++
	}
	return k, nil
}

// A 30 MiB file of one line of commas is refused after reading a little of
// it, naming the line and the column, without taking memory in proportion
// (it once took 2.17 GB).
func TestOneLineOfCommasIsRefusedEarly(t *testing.T) {
	r := &repeatReader{body: []byte(","), n: 30 << 20}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ParseCSV(r, CSVOptions{})
	runtime.ReadMemStats(&after)
	var ce *CSVError
	if !errors.As(err, &ce) || ce.Line != 1 || !strings.Contains(ce.Error(), "columns") || !strings.Contains(ce.Column, "4097") {
		t.Fatalf("err = %v, want a CSVError on line 1, column 4097", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d KiB, want at most 4 MiB", alloc>>10)
	}
	if r.off > 1<<20 {
		t.Errorf("read %d KiB before refusing, want at most 1 MiB", r.off>>10)
	}
	t.Logf("refused after reading %d KiB and allocating %d KiB", r.off>>10, (after.TotalAlloc-before.TotalAlloc)>>10)

	// One enormous field without delimiters is refused too.
	r = &repeatReader{prefix: "a,b\n1,", body: []byte("1"), n: 30 << 20}
	if _, err := ParseCSV(r, CSVOptions{}); !errors.As(err, &ce) || ce.Line != 2 || !strings.Contains(ce.Msg, "longer than") {
		t.Fatalf("long row: %v", err)
	}
}

func TestGuardIgnoresQuotedDelimiters(t *testing.T) {
	label := `"` + strings.Repeat("x,", 30) + `"`
	csv := "a,b,label\n1,2," + label + "\n3,4,y\n"
	if _, err := ParseCSV(strings.NewReader(csv), CSVOptions{LabelColumn: "label"}); err != nil {
		t.Fatalf("quoted commas: %v", err)
	}
	// Within the limits: 4096 columns.
	row := strings.Repeat("1,", MaxCSVColumns-1) + "1\n"
	if _, err := ParseCSV(strings.NewReader(row+row), CSVOptions{Header: HeaderAbsent}); err != nil {
		t.Fatalf("4096 columns: %v", err)
	}
}

func TestLongNamesAreRefused(t *testing.T) {
	long := strings.Repeat("n", MaxLabelLength+1)
	var ce *CSVError
	_, err := ParseCSV(strings.NewReader("a,label\n1,"+long+"\n2,b\n"), CSVOptions{LabelColumn: "label"})
	if !errors.As(err, &ce) || ce.Line != 2 || !strings.Contains(ce.Msg, "at most 64") {
		t.Fatalf("long label: %v", err)
	}
	_, err = ParseCSV(strings.NewReader("a,"+long+"\n1,2\n"), CSVOptions{})
	if !errors.As(err, &ce) || ce.Line != 1 || !strings.Contains(ce.Msg, "column name") {
		t.Fatalf("long column name: %v", err)
	}
	if _, err := ParseCSV(strings.NewReader("a,label\n1,"+long[1:]+"\n2,b\n"), CSVOptions{LabelColumn: "label"}); err != nil {
		t.Fatalf("64-character label: %v", err)
	}
}
