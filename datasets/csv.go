package datasets

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
)

// Limits of ParseCSV.
const (
	MaxCSVBytes   = 32 << 20  // largest file accepted (32 MiB)
	MaxCSVRows    = 1_000_000 // most data rows accepted
	MaxCSVColumns = 4096      // most columns accepted
	MaxCSVClasses = 256       // most distinct values in the label column
)

// DefaultTestFraction is the share of rows held out for testing when
// CSVOptions.TestFraction is 0.
const DefaultTestFraction = 0.2

// HeaderMode says whether the first row of a CSV file names the columns.
type HeaderMode int

const (
	// HeaderAuto treats the first row as a header when its fields are not
	// numbers in columns where the second row has numbers.
	HeaderAuto HeaderMode = iota
	// HeaderPresent: the first row names the columns.
	HeaderPresent
	// HeaderAbsent: the first row is data; columns are called "column 1", "column 2", ….
	HeaderAbsent
)

// Normalisations of CSV columns (CSVOptions.Normalize). Statistics come
// from the training split; with minmax and global, test values are clipped
// to [0,1] so that both splits fit ValueRange {0,1}. With zscore and none,
// ValueRange is the smallest and largest value of both splits.
const (
	NormalizeMinMax = "minmax" // each column to [0,1] by its min and max (the default)
	NormalizeGlobal = "global" // all columns to [0,1] by one min and max (images, time series)
	NormalizeZScore = "zscore" // each column to mean 0, standard deviation 1 (not for BCE)
	NormalizeNone   = "none"   // values as they are in the file
)

// CSVOptions control ParseCSV. The zero value reads a comma-, semicolon- or
// tab-separated file with an auto-detected header, no label column, min–max
// scaling and 20% of the rows for testing.
type CSVOptions struct {
	Title  string     // dataset title; "" → the dataset's name
	Header HeaderMode // whether the first row names the columns
	// LabelColumn names the column holding class labels (numbers or
	// strings, which become ClassNames): a header name (files without a
	// header have the names "column 1", "column 2", …), or a 0-based column
	// index such as "4". "" or "-1" means no label column. Empty label
	// cells mean "unlabelled" (−1).
	LabelColumn string
	Normalize   string // NormalizeMinMax (""), NormalizeGlobal, NormalizeZScore or NormalizeNone
	// DropBad drops rows with a missing or non-numeric value, counting them
	// in Dataset.DroppedRows, instead of failing on the first one.
	DropBad bool
	// TestFraction is the share of rows held out for the test split, in
	// (0, 0.9]; 0 means DefaultTestFraction. At least one row goes to each
	// split.
	TestFraction float64
	Seed         uint64 // seed of the shuffle before the split
	// Delimiter separates fields; 0 detects ',', ';' or tab from the first
	// line. With ';' (the European spreadsheet convention), a decimal comma
	// ("1,5") is accepted.
	Delimiter rune
	// ImageWidth, when > 0, shows each row as an image of that width (the
	// number of feature columns must be a multiple of it), e.g. 28 for
	// MNIST-style files of 784 pixel columns.
	ImageWidth int
}

// ParseCSV reads a CSV file of numeric columns (and optionally one label
// column) into a Dataset with an empty Name. Rows are shuffled with
// opt.Seed and split into training and test rows; columns are then scaled as
// opt.Normalize says. Errors wrap ErrInvalid and name the line and column,
// e.g. `line 17, column "petal_width": "abc" is not a number`; reading
// errors of r are returned as they are.
func ParseCSV(r io.Reader, opt CSVOptions) (*Dataset, error) {
	frac, err := checkCSVOptions(&opt)
	if err != nil {
		return nil, err
	}
	t, err := readCSVTable(r, opt)
	if err != nil {
		return nil, err
	}
	n, k := len(t.labels), len(t.names)
	if n < 2 {
		return nil, invalid(fmt.Sprintf("only %d usable data row (%d dropped); at least 2 are needed, one for training and one for testing",
			n, t.dropped))
	}
	nTest := min(max(int(math.Round(frac*float64(n))), 1), n-1)
	perm := rand.New(rand.NewPCG(opt.Seed, 0x637376)).Perm(n)
	pick := func(rows []int) ([]float64, []int) {
		x, labels := make([]float64, 0, len(rows)*k), make([]int, len(rows))
		for i, row := range rows {
			x = append(x, t.values[row*k:(row+1)*k]...)
			labels[i] = t.labels[row]
		}
		return x, labels
	}
	testX, testLabels := pick(perm[:nTest])
	trainX, trainLabels := pick(perm[nTest:])
	t.values = nil

	vr := [2]float32{0, 1}
	switch opt.Normalize {
	case NormalizeMinMax:
		scaleUnit(trainX, testX, k, perFeature)
	case NormalizeGlobal:
		scaleUnit(trainX, testX, k, global)
	case NormalizeZScore:
		zscore(trainX, testX, k)
	}
	train32, test32 := toFloat32(trainX), toFloat32(testX)
	if opt.Normalize == NormalizeZScore || opt.Normalize == NormalizeNone {
		vr = valueRange(train32, test32)
	}
	train, test := NewSplit(train32, trainLabels, k), NewSplit(test32, testLabels, k)
	classes := t.classes
	if classes == nil {
		classes = []string{} // no label column: every label is −1
	}
	shape := Shape{Width: k, Height: 1}
	if opt.ImageWidth > 0 {
		shape = Shape{Width: opt.ImageWidth, Height: k / opt.ImageWidth}
	}
	return &Dataset{
		Title:        opt.Title,
		Description:  csvDescription(n, k, t, opt),
		Features:     k,
		Shape:        shape,
		ClassNames:   classes,
		ValueRange:   vr,
		Train:        train,
		Test:         test,
		Attribution:  "Uploaded by a user of this server.",
		Source:       SourceUpload,
		FeatureNames: t.names,
		DroppedRows:  t.dropped,
	}, nil
}

// checkCSVOptions validates opt, filling in defaults, and returns the test
// fraction.
func checkCSVOptions(opt *CSVOptions) (float64, error) {
	switch opt.Normalize {
	case "":
		opt.Normalize = NormalizeMinMax
	case NormalizeMinMax, NormalizeGlobal, NormalizeZScore, NormalizeNone:
	default:
		return 0, invalid(fmt.Sprintf("unknown normalisation %q (use minmax, global, zscore or none)", opt.Normalize))
	}
	if opt.Header < HeaderAuto || opt.Header > HeaderAbsent {
		return 0, invalid(fmt.Sprintf("unknown header mode %d", opt.Header))
	}
	frac := opt.TestFraction
	if frac == 0 {
		frac = DefaultTestFraction
	}
	if !(frac > 0 && frac <= 0.9) {
		return 0, invalid(fmt.Sprintf("test fraction %g is outside (0, 0.9]", opt.TestFraction))
	}
	if opt.ImageWidth < 0 {
		return 0, invalid(fmt.Sprintf("image width %d is negative", opt.ImageWidth))
	}
	switch d := opt.Delimiter; {
	case d == 0:
	case d == '"' || d == '\r' || d == '\n' || d < ' ' && d != '\t' || d > 0x10FFFF || d == 0xFFFD:
		return 0, invalid(fmt.Sprintf("%q cannot separate fields", d))
	}
	return frac, nil
}

func csvDescription(n, k int, t *csvTable, opt CSVOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows of %d numeric columns from an uploaded CSV file", n, k)
	if t.label != "" {
		fmt.Fprintf(&b, ", labelled by column %q (%d classes)", t.label, len(t.classes))
	}
	if t.dropped > 0 {
		fmt.Fprintf(&b, "; %d rows with missing or non-numeric values were dropped", t.dropped)
	}
	scaling := map[string]string{
		NormalizeMinMax: "each column scaled to [0,1] by its training min and max",
		NormalizeGlobal: "all columns scaled to [0,1] by one training min and max",
		NormalizeZScore: "each column standardised to mean 0 and standard deviation 1",
		NormalizeNone:   "values as in the file",
	}[opt.Normalize]
	fmt.Fprintf(&b, "; %s.", scaling)
	return b.String()
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
