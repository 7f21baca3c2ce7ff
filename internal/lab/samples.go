package lab

import (
	"slices"
	"strconv"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

// Sizes of the samples that GET /api/datasets/{name}/samples returns.
const (
	DefaultSamples = 16  // examples (images or curves) when n is not given
	MaxSamples     = 64  // most examples one request may ask for
	PointSamples   = 500 // points of a point cloud (n does not apply)
	// maxPointFeatures is the most features a vector dataset may have to be
	// shown as a point cloud; longer vectors are drawn as curves.
	maxPointFeatures = 10
	pointDims        = 3 // features of each point that are sent
)

// Samples is a few examples of a dataset, quantised like the
// reconstructions message of docs/protocol.md: Data holds Count × Width ×
// Height bytes, example after example, byte b standing for
// Lo + b/255·(Hi − Lo).
type Samples struct {
	Name string `json:"name"`
	// Kind is "image" (Width × Height pixels), "vector" (a curve of Width
	// values) or "points" (Count points of the first Width features).
	Kind       string   `json:"kind"`
	Width      int      `json:"width"`
	Height     int      `json:"height"`
	Count      int      `json:"count"`
	Labels     []int    `json:"labels"`
	Lo         float32  `json:"lo"`
	Hi         float32  `json:"hi"`
	Data       []byte   `json:"data"`
	ClassNames []string `json:"class_names"`
	// Axes names the features sent for points ("x1", … or CSV column names).
	Axes []string `json:"axes,omitempty"`
}

// sampleKind says how a dataset's examples are drawn: images, curves, or
// (for a few features) a cloud of points.
func sampleKind(ds *datasets.Dataset) string {
	switch {
	case ds.Shape.IsImage():
		return "image"
	case ds.Features <= maxPointFeatures:
		return "points"
	}
	return "vector"
}

// NewSamples picks examples of ds's training split: for images one of each
// class in turn, for curves the first n (so rare classes stay rare), for
// point clouds the first PointSamples points' first pointDims features.
func NewSamples(ds *datasets.Dataset, n int) Samples {
	s := ds.Train
	b := Samples{Name: ds.Name, Kind: sampleKind(ds), Width: ds.Shape.Width, Height: ds.Shape.Height,
		Lo: ds.ValueRange[0], Hi: ds.ValueRange[1], ClassNames: ds.ClassNames}
	if b.ClassNames == nil {
		b.ClassNames = []string{}
	}
	var idx []int
	switch b.Kind {
	case "image":
		idx = roundRobin(s.Labels, n)
	case "vector":
		idx = firstN(s.N, n)
	case "points":
		idx = firstN(s.N, PointSamples)
		b.Width, b.Height = min(ds.Features, pointDims), 1
		for j := range b.Width {
			name := "x" + strconv.Itoa(j+1)
			if j < len(ds.FeatureNames) {
				name = ds.FeatureNames[j]
			}
			b.Axes = append(b.Axes, name)
		}
	}
	size := b.Width * b.Height
	b.Count = len(idx)
	b.Labels = make([]int, len(idx))
	b.Data = make([]byte, 0, len(idx)*size)
	for i, j := range idx {
		b.Labels[i] = s.Labels[j]
		b.Data = session.AppendQuantised(b.Data, s.Row(j)[:size], b.Lo, b.Hi)
	}
	return b
}

func firstN(total, n int) []int {
	idx := make([]int, min(total, n))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// roundRobin picks up to n example indices so that every class shows: the
// first example of each class in order of class index, then the second of
// each, and so on. Unlabelled examples (−1) count as one more class.
func roundRobin(labels []int, n int) []int {
	byClass := map[int][]int{}
	var classes []int
	for i, l := range labels {
		if len(byClass[l]) == 0 {
			classes = append(classes, l)
		}
		if len(byClass[l]) < n {
			byClass[l] = append(byClass[l], i)
		}
	}
	slices.Sort(classes)
	var idx []int
	for round := 0; len(idx) < n; round++ {
		added := false
		for _, c := range classes {
			if round < len(byClass[c]) && len(idx) < n {
				idx = append(idx, byClass[c][round])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return idx
}
