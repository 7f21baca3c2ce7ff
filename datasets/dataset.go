package datasets

import (
	"fmt"
	"slices"
)

// Shape is the layout of one example for display: an image of Width×Height
// pixels, or a plain vector of K features with Width = K and Height = 1.
type Shape struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// IsImage reports whether examples should be drawn as images (Height > 1).
func (s Shape) IsImage() bool { return s.Height > 1 }

// Size returns the number of values in one example, Width·Height.
func (s Shape) Size() int { return s.Width * s.Height }

// Source says where a dataset comes from.
type Source string

// The sources of datasets.
const (
	SourceEmbedded  Source = "embedded"  // compiled into the binary (MNIST)
	SourceDisk      Source = "disk"      // read from files on the server (Fashion-MNIST)
	SourceGenerated Source = "generated" // generated from the seed passed to Load
	SourceUpload    Source = "upload"    // a CSV file uploaded by a user
)

// Dataset is a fully loaded dataset. Datasets returned by a Registry are
// shared between callers and must not be modified.
type Dataset struct {
	Name        string   // stable id used in URLs and the API, e.g. "mnist"
	Title       string   // human title, e.g. "MNIST handwritten digits"
	Description string   // one or two sentences for students
	Features    int      // K, the number of values per example
	Shape       Shape    // how to draw one example; Shape.Size() == Features
	ClassNames  []string // names of the classes that labels index; empty if unlabelled
	// ValueRange holds the smallest and largest value any example may have.
	// Within [0,1] the data fits a sigmoid output and binary cross-entropy.
	ValueRange  [2]float32
	Train, Test Split
	Attribution string // source and licence note shown on the page

	Source       Source   // where the data comes from
	FeatureNames []string // column names for CSV uploads; nil otherwise
	DroppedRows  int      // CSV rows dropped for bad values (CSVOptions.DropBad)
}

// Info describes a dataset without its data, for listings and forms.
type Info struct {
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Features    int        `json:"features"`
	Shape       Shape      `json:"shape"`
	ClassNames  []string   `json:"class_names"`
	ValueRange  [2]float32 `json:"value_range"`
	TrainSize   int        `json:"train_size"`
	TestSize    int        `json:"test_size"`
	// Available is false when the dataset cannot be loaded on this server;
	// Reason then says why, with the one command that fixes it.
	Available   bool   `json:"available"`
	Reason      string `json:"reason,omitempty"`
	Attribution string `json:"attribution"`
	// Source is where the data comes from; only SourceGenerated sets
	// depend on the seed passed to Load.
	Source      Source `json:"source"`
	DroppedRows int    `json:"dropped_rows,omitempty"`
}

// Info returns the description of d, marked available. ClassNames is a copy.
func (d *Dataset) Info() Info {
	return Info{
		Name: d.Name, Title: d.Title, Description: d.Description,
		Features: d.Features, Shape: d.Shape, ClassNames: slices.Clone(d.ClassNames),
		ValueRange: d.ValueRange, TrainSize: d.Train.N, TestSize: d.Test.N,
		Available: true, Attribution: d.Attribution, Source: d.Source,
		DroppedRows: d.DroppedRows,
	}
}

// Validate checks that d is consistent: sizes match, labels index
// ClassNames (or are −1), and every value is finite and inside ValueRange.
// It reads every value, so it costs a pass over the data.
func (d *Dataset) Validate() error {
	if d.Features <= 0 {
		return fmt.Errorf("dataset %q: %d features", d.Name, d.Features)
	}
	if d.Shape.Width <= 0 || d.Shape.Height <= 0 || d.Shape.Size() != d.Features {
		return fmt.Errorf("dataset %q: shape %d×%d does not hold %d features",
			d.Name, d.Shape.Width, d.Shape.Height, d.Features)
	}
	if d.FeatureNames != nil && len(d.FeatureNames) != d.Features {
		return fmt.Errorf("dataset %q: %d feature names for %d features", d.Name, len(d.FeatureNames), d.Features)
	}
	lo, hi := d.ValueRange[0], d.ValueRange[1]
	if !(lo <= hi) {
		return fmt.Errorf("dataset %q: empty value range [%g,%g]", d.Name, lo, hi)
	}
	for _, part := range []struct {
		name string
		s    *Split
	}{{"train", &d.Train}, {"test", &d.Test}} {
		s := part.s
		if s.N < 0 || s.k != d.Features || len(s.x)+len(s.b) != s.N*s.k || len(s.Labels) != s.N {
			return fmt.Errorf("dataset %q %s split: N=%d but %d values of %d features and %d labels for %d features",
				d.Name, part.name, s.N, len(s.x)+len(s.b), s.k, len(s.Labels), d.Features)
		}
		for i, l := range s.Labels {
			if l < -1 || l >= len(d.ClassNames) {
				return fmt.Errorf("dataset %q %s split: label %d of example %d is not a class index (%d classes)",
					d.Name, part.name, l, i, len(d.ClassNames))
			}
		}
		if v, i, j, bad := s.checkValues(lo, hi); bad {
			return fmt.Errorf("dataset %q %s split: value %g at example %d, feature %d is outside [%g,%g]",
				d.Name, part.name, v, i, j, lo, hi)
		}
	}
	return nil
}
