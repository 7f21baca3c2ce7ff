package datasets

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
)

var irisNames = []string{"setosa", "versicolor", "virginica"}

// irisLike returns a CSV of n rows: id (= row number), class id, a noisy
// measurement, and the species name of the class id.
func irisLike(n int) string {
	var b strings.Builder
	b.WriteString("id,class_id,petal_width,species\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%d,%.2f,%s\n", i, i%3, 0.1+float64(i%7)/10, irisNames[i%3])
	}
	return b.String()
}

func TestParseCSV(t *testing.T) {
	d, err := ParseCSV(strings.NewReader(irisLike(30)), CSVOptions{LabelColumn: "species", Normalize: NormalizeNone, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Features != 3 || d.Shape != (Shape{3, 1}) || !slices.Equal(d.FeatureNames, []string{"id", "class_id", "petal_width"}) {
		t.Fatalf("features %d %v %v", d.Features, d.Shape, d.FeatureNames)
	}
	if !slices.Equal(d.ClassNames, irisNames) || d.Source != SourceUpload || d.DroppedRows != 0 {
		t.Fatalf("classes %v source %v", d.ClassNames, d.Source)
	}
	if d.Test.N != 6 || d.Train.N != 24 {
		t.Fatalf("split %d/%d, want 24/6", d.Train.N, d.Test.N)
	}
	if d.ValueRange != [2]float32{0, 29} {
		t.Errorf("value range %v, want the data's [0, 29]", d.ValueRange)
	}
	// Every row appears exactly once, with its own label.
	seen := make([]bool, 30)
	for _, s := range []Split{d.Train, d.Test} {
		for i := range s.N {
			row := s.Row(i)
			id := int(row[0])
			if seen[id] {
				t.Fatalf("row %d appears twice", id)
			}
			seen[id] = true
			if int(row[1]) != id%3 || s.Labels[i] != id%3 {
				t.Fatalf("row %d: class_id %g, label %d", id, row[1], s.Labels[i])
			}
		}
	}
	if slices.Contains(seen, false) {
		t.Fatal("a row is missing")
	}
	// The default min–max scaling maps each column into [0,1].
	d, err = ParseCSV(strings.NewReader(irisLike(30)), CSVOptions{LabelColumn: "3"})
	if err != nil {
		t.Fatal(err)
	}
	if d.ValueRange != [2]float32{0, 1} || valueRange(allValues(d.Train)) != [2]float32{0, 1} || d.Validate() != nil {
		t.Errorf("minmax: range %v, train values %v", d.ValueRange, valueRange(allValues(d.Train)))
	}
	lo, hi := columnRange(allValues(d.Train), 3)
	if !slices.Equal(lo, []float64{0, 0, 0}) || !slices.Equal(hi, []float64{1, 1, 1}) {
		t.Errorf("per-column ranges %v %v, want each [0,1]", lo, hi)
	}
}

func TestParseCSVErrors(t *testing.T) {
	good := "sepal_length,petal_width\n5.1,0.2\n4.9,0.2\n"
	line17 := "sepal_length,petal_width\n" + strings.Repeat("5.1,0.2\n", 15) + "5.0,abc\n"
	cases := []struct {
		name, in string
		opt      CSVOptions
		want     string
	}{
		{"not a number", line17, CSVOptions{}, `line 17, column "petal_width": "abc" is not a number`},
		{"missing", good + "4.7,\n", CSVOptions{}, `line 4, column "petal_width": missing value`},
		{"nan", good + "NaN,1\n", CSVOptions{}, `line 4, column "sepal_length": "NaN" is not a finite number`},
		{"inf", good + "1,-Inf\n", CSVOptions{}, `line 4, column "petal_width": "-Inf" is not a finite number`},
		{"too large", good + "1e39,1\n", CSVOptions{}, `line 4, column "sepal_length": "1e39" is too large`},
		{"huge", good + "1,1e999\n", CSVOptions{}, `line 4, column "petal_width": "1e999" is too large`},
		{"no header", "1,2\n3,x\n", CSVOptions{Header: HeaderAbsent}, `line 2, column 2: "x" is not a number`},
		{"long cell", good + "1," + strings.Repeat("z", 100) + "\n", CSVOptions{}, `"` + strings.Repeat("z", 40) + `…" is not a number`},
		{"ragged", good + "1,2,3\n", CSVOptions{}, "line 4: 3 fields, but the header has 2"},
		{"ragged short", "1,2\n3\n", CSVOptions{}, "line 2: 1 fields, but line 1 has 2"},
		{"quote", good + "1,\"2\n", CSVOptions{}, "line 4"},
		{"bare quote", good + "1,2\"x\n", CSVOptions{}, `line 4: bare " in non-quoted-field`},
		{"empty", "", CSVOptions{}, "the file is empty"},
		{"blank lines", "\n\n\r\n", CSVOptions{}, "the file is empty"},
		{"bom only", "\xef\xbb\xbf", CSVOptions{}, "the file is empty"},
		{"header only", "a,b\n", CSVOptions{}, "header but no data rows"},
		{"one row", "a,b\n1,2\n", CSVOptions{}, "only 1 usable data row"},
		{"all dropped", "a,b\nx,1\n2,y\n", CSVOptions{DropBad: true}, "all 2 data rows have missing or non-numeric values"},
		{"names without a label column", "a,b,species\n1,2,setosa\n", CSVOptions{}, `line 2, column "species": "setosa" is not a number: if column "species" holds class names, give it as the label column`},
		{"label not found", good, CSVOptions{LabelColumn: "species"}, `label column "species" not found; the columns are sepal_length, petal_width`},
		{"label index", good, CSVOptions{LabelColumn: "2"}, "label column 2 is out of range: the file has 2 columns, numbered 0 to 1"},
		{"only label", "a\n1\n2\n", CSVOptions{LabelColumn: "a"}, `no numeric columns besides the label column "a"`},
		{"normalize", good, CSVOptions{Normalize: "log"}, `unknown normalisation "log"`},
		{"fraction", good, CSVOptions{TestFraction: 1}, "test fraction 1 is outside (0, 0.9]"},
		{"negative fraction", good, CSVOptions{TestFraction: -0.1}, "outside"},
		{"image width", good, CSVOptions{ImageWidth: 3}, "2 feature columns cannot form images 3 pixels wide"},
		{"delimiter", good, CSVOptions{Delimiter: '"'}, "cannot separate fields"},
		{"header mode", good, CSVOptions{Header: 7}, "unknown header mode 7"},
		{"tab thousands", "a\tb\n1,000\t2\n3\t4\n", CSVOptions{}, `line 2, column "a": "1,000" is not a number`},
		{"columns", strings.Repeat("1,", MaxCSVColumns) + "1\n", CSVOptions{}, "line 1, column 4097: more than 4096 columns: at most 4096 are allowed"},
	}
	for _, c := range cases {
		_, err := ParseCSV(strings.NewReader(c.in), c.opt)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %q does not wrap ErrInvalid", c.name, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want %q", c.name, err, c.want)
		}
	}
	var ce *CSVError
	_, err := ParseCSV(strings.NewReader(line17), CSVOptions{})
	if !errors.As(err, &ce) || ce.Line != 17 || ce.Column != `column "petal_width"` || err.Error() != `line 17, column "petal_width": "abc" is not a number` {
		t.Errorf("CSVError: %#v", err)
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestParseCSVReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("a,b\n1,2\n"), failingReader{boom})
	if _, err := ParseCSV(r, CSVOptions{}); !errors.Is(err, boom) || errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want the reader's error", err)
	}
}

func TestParseCSVDropBad(t *testing.T) {
	in := "a,b,c\n1,2,x\n" + strings.Repeat("1,2,3\n4,5,6\n", 5) + ",1,1\n7,NaN,1\n8,8,8\n"
	d, err := ParseCSV(strings.NewReader(in), CSVOptions{DropBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.DroppedRows != 3 || d.Train.N+d.Test.N != 11 || d.Info().DroppedRows != 3 {
		t.Errorf("dropped %d, kept %d; want 3 and 11", d.DroppedRows, d.Train.N+d.Test.N)
	}
	if !strings.Contains(d.Description, "3 rows with missing or non-numeric values were dropped") {
		t.Errorf("description %q", d.Description)
	}
	if _, err := ParseCSV(strings.NewReader(in), CSVOptions{}); err == nil || !strings.Contains(err.Error(), `line 2, column "c": "x"`) {
		t.Errorf("without DropBad: %v", err)
	}
}

func TestParseCSVHeaderDetection(t *testing.T) {
	cases := []struct {
		in     string
		header bool
	}{
		{"x,y\n1,2\n3,4\n", true},
		{"1,2\n3,4\n5,6\n", false},
		{"x,label\n1,cat\n2,dog\n", true},
		{"1,cat\n2,dog\n3,cat\n", false},
		{"\"x\",\"y z\"\n1,2\n3,4\n", true},
	}
	for _, c := range cases {
		opt := CSVOptions{}
		if strings.Contains(c.in, "cat") {
			opt.LabelColumn = "1"
		}
		d, err := ParseCSV(strings.NewReader(c.in), opt)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		n := d.Train.N + d.Test.N
		if got := n == 2; got != c.header {
			t.Errorf("%q: header detected %v (%d rows, names %v)", c.in, got, n, d.FeatureNames)
		}
	}
	// Forcing the mode overrides detection.
	d, err := ParseCSV(strings.NewReader("1,2\n3,4\n5,6\n"), CSVOptions{Header: HeaderPresent})
	if err != nil || !slices.Equal(d.FeatureNames, []string{"1", "2"}) {
		t.Errorf("HeaderPresent: %v %v", d, err)
	}
	d, err = ParseCSV(strings.NewReader("1,2\n3,4\n5,6\n"), CSVOptions{})
	if err != nil || !slices.Equal(d.FeatureNames, []string{"column 1", "column 2"}) {
		t.Errorf("no header: %v %v", d, err)
	}
}

func TestParseCSVFormats(t *testing.T) {
	for name, in := range map[string]string{
		"semicolon decimal comma": "a;b;c\n1,5;2;x\n2,5;3;y\n3;4;x\n",
		"tab":                     "a\tb\tc\n1.5\t2\tx\n2.5\t3\ty\n3\t4\tx\n",
		"bom crlf":                "\xef\xbb\xbfa,b,c\r\n1.5,2,x\r\n2.5,3,y\r\n3,4,x\r\n",
		"quoted spaces":           "\"a\", \"b\", c\n 1.5, 2 ,x\n2.5,3, y\n3,4,x\n",
	} {
		d, err := ParseCSV(strings.NewReader(in), CSVOptions{LabelColumn: "C", Normalize: NormalizeNone, TestFraction: 0.3})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		all := append(slices.Clone(allValues(d.Train)), allValues(d.Test)...)
		slices.Sort(all)
		if !slices.Equal(all, []float32{1.5, 2, 2.5, 3, 3, 4}) || !slices.Equal(d.FeatureNames, []string{"a", "b"}) ||
			!slices.Equal(d.ClassNames, []string{"x", "y"}) {
			t.Errorf("%s: values %v names %v classes %v", name, all, d.FeatureNames, d.ClassNames)
		}
	}
}

func TestParseCSVLabels(t *testing.T) {
	// Numeric labels sort by value; empty labels are unlabelled.
	d, err := ParseCSV(strings.NewReader("v,l\n1,10\n2,2\n3,1\n4,\n5,2\n"), CSVOptions{LabelColumn: "l", Normalize: NormalizeNone})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.ClassNames, []string{"1", "2", "10"}) {
		t.Errorf("classes %v", d.ClassNames)
	}
	want := map[float32]int{1: 2, 2: 1, 3: 0, 4: -1, 5: 1}
	for _, s := range []Split{d.Train, d.Test} {
		for i := range s.N {
			if v := s.Row(i)[0]; s.Labels[i] != want[v] {
				t.Errorf("row with v=%g has label %d, want %d", v, s.Labels[i], want[v])
			}
		}
	}
	var b strings.Builder
	b.WriteString("v,id\n")
	for i := range MaxCSVClasses + 1 {
		fmt.Fprintf(&b, "%d,id%d\n", i, i)
	}
	if _, err := ParseCSV(strings.NewReader(b.String()), CSVOptions{LabelColumn: "id"}); err == nil ||
		!strings.Contains(err.Error(), `label column "id" has more than 256 different values`) {
		t.Errorf("too many classes: %v", err)
	}
}

func TestParseCSVSplitAndSeed(t *testing.T) {
	in := irisLike(100)
	parse := func(opt CSVOptions) *Dataset {
		t.Helper()
		opt.Normalize, opt.LabelColumn = NormalizeNone, "species"
		d, err := ParseCSV(strings.NewReader(in), opt)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b, c := parse(CSVOptions{Seed: 1}), parse(CSVOptions{Seed: 1}), parse(CSVOptions{Seed: 2})
	if !slices.Equal(allValues(a.Train), allValues(b.Train)) || !slices.Equal(allValues(a.Test), allValues(b.Test)) {
		t.Error("the same seed gave different splits")
	}
	if slices.Equal(allValues(a.Test), allValues(c.Test)) {
		t.Error("different seeds gave the same split")
	}
	if d := parse(CSVOptions{TestFraction: 0.5}); d.Test.N != 50 || d.Train.N != 50 {
		t.Errorf("fraction 0.5: %d/%d", d.Train.N, d.Test.N)
	}
	d, err := ParseCSV(strings.NewReader("a\n1\n2\n"), CSVOptions{TestFraction: 0.01})
	if err != nil || d.Train.N != 1 || d.Test.N != 1 {
		t.Errorf("two rows: %v, %v", d, err)
	}
}

func TestParseCSVNormalize(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range 50 {
		fmt.Fprintf(&b, "%d,%d\n", i, 1000+10*i)
	}
	for _, mode := range []string{NormalizeMinMax, NormalizeGlobal, NormalizeZScore, NormalizeNone} {
		d, err := ParseCSV(strings.NewReader(b.String()), CSVOptions{Normalize: mode, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", mode, err)
		}
		lo, hi := columnRange(allValues(d.Train), 2)
		switch mode {
		case NormalizeMinMax:
			if !slices.Equal(lo, []float64{0, 0}) || !slices.Equal(hi, []float64{1, 1}) {
				t.Errorf("minmax: %v %v", lo, hi)
			}
		case NormalizeGlobal:
			if lo[0] != 0 || hi[1] != 1 || hi[0] > 0.1 {
				t.Errorf("global: %v %v", lo, hi)
			}
		case NormalizeZScore:
			mean, sd := columnMeanSD(allValues(d.Train), 2)
			if math.Abs(mean[1]) > 1e-5 || math.Abs(sd[1]-1) > 1e-5 || d.ValueRange[0] >= 0 || d.ValueRange[1] <= 1 {
				t.Errorf("zscore: mean %v sd %v range %v", mean, sd, d.ValueRange)
			}
		case NormalizeNone:
			if hi[1] > 1490 || lo[1] < 1000 || d.ValueRange[1] != 1490 && d.ValueRange[0] != 0 {
				t.Errorf("none: %v %v range %v", lo, hi, d.ValueRange)
			}
		}
	}
}

func columnMeanSD(x []float32, k int) (mean, sd []float64) {
	mean, sd = make([]float64, k), make([]float64, k)
	n := float64(len(x) / k)
	for i, v := range x {
		mean[i%k] += float64(v) / n
	}
	for i, v := range x {
		d := float64(v) - mean[i%k]
		sd[i%k] += d * d / n
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j])
	}
	return mean, sd
}

func TestParseCSVImageWidth(t *testing.T) {
	in := "label,p0,p1,p2,p3,p4,p5\n1,0,64,128,255,0,0\n0,255,0,0,0,0,9\n1,3,3,3,3,3,3\n"
	d, err := ParseCSV(strings.NewReader(in), CSVOptions{LabelColumn: "label", ImageWidth: 3, Normalize: NormalizeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if d.Shape != (Shape{3, 2}) || !d.Shape.IsImage() || d.Features != 6 || d.Validate() != nil {
		t.Errorf("shape %v features %d: %v", d.Shape, d.Features, d.Validate())
	}
}
