package datasets

import (
	"errors"
	"strings"
	"testing"
)

// FuzzCSV feeds arbitrary files and options to ParseCSV: it must return a
// dataset that passes Validate, or an error wrapping ErrInvalid; never
// panic. Seeds are in testdata/fuzz/FuzzCSV.
func FuzzCSV(f *testing.F) {
	norms := []string{"", NormalizeMinMax, NormalizeGlobal, NormalizeZScore, NormalizeNone, "bogus"}
	f.Fuzz(func(t *testing.T, data, label string, header uint8, dropBad bool, norm uint8) {
		opt := CSVOptions{
			LabelColumn: label,
			Header:      HeaderMode(header % 4), // 3 is invalid on purpose
			DropBad:     dropBad,
			Normalize:   norms[int(norm)%len(norms)],
			Seed:        uint64(len(data)),
		}
		d, err := ParseCSV(strings.NewReader(data), opt)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %q does not wrap ErrInvalid", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if d.Train.N < 1 || d.Test.N < 1 || len(d.FeatureNames) != d.Features || len(d.ClassNames) > MaxCSVClasses {
			t.Fatalf("train %d test %d, %d names for %d features, %d classes",
				d.Train.N, d.Test.N, len(d.FeatureNames), d.Features, len(d.ClassNames))
		}
		if lines := strings.Count(data, "\n") + 1; d.Train.N+d.Test.N+d.DroppedRows > lines {
			t.Fatalf("%d rows from %d lines", d.Train.N+d.Test.N+d.DroppedRows, lines)
		}
		if (opt.Normalize == "" || opt.Normalize == NormalizeMinMax || opt.Normalize == NormalizeGlobal) &&
			d.ValueRange != [2]float32{0, 1} {
			t.Fatalf("value range %v after %q", d.ValueRange, opt.Normalize)
		}
	})
}
