package datasets

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// The brief for uploads: files of at least 20 MB and 100,000 rows are
// accepted; more than 4,096 columns are refused with a clear error.

func TestParseCSVManyColumns(t *testing.T) {
	row := strings.Repeat("0.5,", MaxCSVColumns-1) + "1\n"
	d, err := ParseCSV(strings.NewReader(row+row+strings.ReplaceAll(row, "0.5", "0.25")), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Features != MaxCSVColumns || d.Train.N+d.Test.N != 3 {
		t.Errorf("%d features, %d rows", d.Features, d.Train.N+d.Test.N)
	}
}

func TestParseCSVManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y,label\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "%d,%d,%d\n", i%1000, i%7, i%2)
	}
	d, err := ParseCSV(strings.NewReader(b.String()), CSVOptions{LabelColumn: "label"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 80_000 || d.Test.N != 20_000 || len(d.ClassNames) != 2 {
		t.Errorf("split %d/%d, classes %v", d.Train.N, d.Test.N, d.ClassNames)
	}
}

// TestParseCSV20MB parses a 20 MB file of measurements with six decimals
// (about 0.4 s; a few seconds under the race detector).
func TestParseCSV20MB(t *testing.T) {
	var block strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&block, "%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", 1000+float64(i)/7, float64(i%977)/3,
			-float64(i%13)/11, 123456+float64(i%101)/17, float64(i%3)*1e-3, 5+float64(i%1009)/19, float64(i%11), i%10)
	}
	in := "a,b,c,d,e,f,g,h\n" + strings.Repeat(block.String(), 20_000_000/block.Len()+1)
	start := time.Now()
	d, err := ParseCSV(strings.NewReader(in), CSVOptions{LabelColumn: "h"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parsed %d bytes, %d rows in %v", len(in), d.Train.N+d.Test.N, time.Since(start))
	if len(in) < 20_000_000 || d.Features != 7 || len(d.ClassNames) != 10 {
		t.Errorf("%d bytes, %d features, classes %v", len(in), d.Features, d.ClassNames)
	}
}

func TestParseCSVTooLarge(t *testing.T) {
	// Rows of one 1000-digit number (too large, so dropped) are cheap to
	// scan and cross the size limit.
	row := strings.Repeat("9", 999) + "\n"
	r := io.MultiReader(strings.NewReader("a\n"), strings.NewReader(strings.Repeat(row, MaxCSVBytes/len(row)+1)))
	_, err := ParseCSV(r, CSVOptions{DropBad: true})
	if !errors.Is(err, ErrInvalid) || err.Error() != "the file is larger than 32 MiB" {
		t.Errorf("got %v", err)
	}
}

func TestParseCSVTooManyRows(t *testing.T) {
	if raceEnabled {
		t.Skip("a million rows take too long under -race")
	}
	r := io.MultiReader(strings.NewReader("a\n"), strings.NewReader(strings.Repeat("1\n", MaxCSVRows+1)))
	_, err := ParseCSV(r, CSVOptions{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "more than 1000000 data rows") {
		t.Errorf("got %v", err)
	}
}
