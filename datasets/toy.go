package datasets

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// Sizes of every generated set.
const (
	toyTrainSize = 3000
	toyTestSize  = 1000
)

const toyAttribution = "Generated on the server from the seed you choose (no external data)."

// toySpec describes one generated teaching set.
type toySpec struct {
	name, title, description string
	features                 int
	classNames               []string
	scale                    scaleMode
	// sampler prepares a generator from rng (drawing any shared state, such
	// as cluster centres, first) and returns a function that writes one
	// example into x (len features) and returns its label.
	sampler func(rng *rand.Rand) func(x []float32) int
}

// toySpecs lists the generated sets in the order they are listed.
var toySpecs = []*toySpec{swissRollSpec, sCurveSpec, blobsSpec, spheresSpec, spheres10Spec, sineWavesSpec}

// info describes the set without generating it.
func (t *toySpec) info() Info {
	return Info{
		Name: t.name, Title: t.title, Description: t.description,
		Features: t.features, Shape: Shape{Width: t.features, Height: 1},
		ClassNames: slices.Clone(t.classNames), ValueRange: [2]float32{0, 1},
		TrainSize: toyTrainSize, TestSize: toyTestSize, Available: true,
		Attribution: toyAttribution, Source: SourceGenerated,
	}
}

// generate builds the set for seed: the same seed always gives the same
// data. The training split is drawn first, then the test split, from one
// PCG stream that also depends on the set's name; both are then scaled into
// [0,1] by the training split's range.
func (t *toySpec) generate(seed uint64) *Dataset {
	h := fnv.New64a()
	h.Write([]byte(t.name))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	next := t.sampler(rng)
	draw := func(n int) ([]float32, []int) {
		x, labels := make([]float32, n*t.features), make([]int, n)
		for i := range n {
			labels[i] = next(x[i*t.features : (i+1)*t.features])
		}
		return x, labels
	}
	trainX, trainLabels := draw(toyTrainSize)
	testX, testLabels := draw(toyTestSize)
	scaleUnit(trainX, testX, t.features, t.scale)
	train, test := NewSplit(trainX, trainLabels, t.features), NewSplit(testX, testLabels, t.features)
	info := t.info()
	return &Dataset{
		Name: info.Name, Title: info.Title, Description: info.Description,
		Features: info.Features, Shape: info.Shape, ClassNames: info.ClassNames,
		ValueRange: info.ValueRange, Train: train, Test: test,
		Attribution: info.Attribution, Source: info.Source,
	}
}

// Generate returns the generated set called name for seed, without caching
// (Registry.Load caches). It returns an error wrapping ErrNotFound if name is
// not a generated set.
func Generate(name string, seed uint64) (*Dataset, error) {
	for _, t := range toySpecs {
		if t.name == name {
			return t.generate(seed), nil
		}
	}
	return nil, notFound(name)
}

// bandNames returns "band 1" … "band n".
func bandNames(n int) []string { return numberedNames("band", n) }

// band returns which of n equal bands of [lo,hi] holds v.
func band(v, lo, hi float64, n int) int {
	b := int((v - lo) / (hi - lo) * float64(n))
	return min(max(b, 0), n-1)
}
