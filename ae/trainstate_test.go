package ae

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// A training interrupted after any step and resumed from its weights, its
// training state and its Batcher skipped to the same step continues bit
// for bit as the uninterrupted one: every optimizer, an AE and a VAE, a
// stop mid-epoch and one at an epoch's end (200 rows, batches of 64: 4
// steps an epoch, the last one short).
func TestTrainStateResumesExactly(t *testing.T) {
	x := factorData(5, 200, 32, 3)
	const total = 15
	for _, kind := range []Kind{AE, VAE} {
		for _, opt := range Optimizers() {
			c := Config{
				Sizes: []int{32, 16, 4, 16, 32}, Bottleneck: 2,
				Hidden: ReLU, Output: Sigmoid, Loss: BCE, Kind: kind,
				Optimizer: Optimizer{Kind: opt, LearningRate: 1e-2, WeightDecay: 1e-4},
				BatchSize: 64, Seed: 42,
			}
			ref := mustNew(t, c)
			rb := NewBatcher(x, 200, 32, 64, 7)
			var refLoss []float64
			for range total {
				batch, n := rb.Next()
				refLoss = append(refLoss, ref.TrainStep(batch, nil, n))
			}
			for _, stop := range []int{1, 4, 6, 8, 13} {
				a := mustNew(t, c)
				ab := NewBatcher(x, 200, 32, 64, 7)
				for range stop {
					batch, n := ab.Next()
					a.TrainStep(batch, nil, n)
				}
				params, state := a.Params(), a.MarshalTrainState()

				b := mustNew(t, c)
				b.SetParams(params, 0)
				if err := b.UnmarshalTrainState(state); err != nil {
					t.Fatalf("%s %s, stop at %d: %v", kind, opt, stop, err)
				}
				if b.Steps() != stop {
					t.Fatalf("%s %s: Steps = %d after restoring, want %d", kind, opt, b.Steps(), stop)
				}
				bb := NewBatcher(x, 200, 32, 64, 7)
				bb.Skip(stop)
				if bb.Epoch() != ab.Epoch() {
					t.Fatalf("Skip(%d): epoch %d, want %d", stop, bb.Epoch(), ab.Epoch())
				}
				for s := stop; s < total; s++ {
					batch, n := bb.Next()
					if l := b.TrainStep(batch, nil, n); math.Float64bits(l) != math.Float64bits(refLoss[s]) {
						t.Fatalf("%s %s resumed after step %d: loss of step %d = %v, uninterrupted %v", kind, opt, stop, s+1, l, refLoss[s])
					}
				}
				if !slices.Equal(b.params, ref.params) {
					t.Fatalf("%s %s resumed after step %d: the weights differ from the uninterrupted run's", kind, opt, stop)
				}
			}
		}
	}
}

// Without the training state (a checkpoint of an older store) a resumed
// Adam starts with fresh moments: the run differs, which is why the state
// is kept. This keeps the test above honest.
func TestTrainStateMatters(t *testing.T) {
	x := factorData(5, 200, 32, 3)
	c := Config{Sizes: []int{32, 4, 32}, Bottleneck: 1, Hidden: ReLU, Output: Sigmoid, Loss: BCE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-2}, BatchSize: 64, Seed: 1}
	a := mustNew(t, c)
	ab := NewBatcher(x, 200, 32, 64, 7)
	for range 5 {
		batch, n := ab.Next()
		a.TrainStep(batch, nil, n)
	}
	b := mustNew(t, c)
	b.SetParams(a.Params(), 5)
	batch, n := ab.Next()
	a.TrainStep(batch, nil, n)
	b.TrainStep(batch, nil, n)
	if slices.Equal(a.params, b.params) {
		t.Fatal("a fresh Adam took the same step as one with 5 steps of moments")
	}
}

// A damaged state, or one of another model, is refused and changes
// nothing.
func TestTrainStateRefused(t *testing.T) {
	c := smallConfig()
	a := mustNew(t, c)
	good := a.MarshalTrainState()
	other := c
	other.Optimizer.Kind = SGD
	if c.Optimizer.Kind == SGD {
		other.Optimizer.Kind = Adam
	}
	wider := c
	wider.Sizes = slices.Clone(c.Sizes)
	wider.Sizes[1]++
	wider.Sizes[len(wider.Sizes)-2]++
	cases := map[string]struct {
		m *Model
		b []byte
	}{
		"empty":             {mustNew(t, c), nil},
		"not a state":       {mustNew(t, c), []byte("hello, this is not a training state at all....")},
		"truncated":         {mustNew(t, c), good[:len(good)-3]},
		"trailing bytes":    {mustNew(t, c), append(slices.Clone(good), 0)},
		"another version":   {mustNew(t, c), append([]byte("aets\x09"), good[5:]...)},
		"another optimizer": {mustNew(t, other), good},
		"another size":      {mustNew(t, wider), good},
	}
	for name, tc := range cases {
		before := tc.m.MarshalTrainState()
		err := tc.m.UnmarshalTrainState(tc.b)
		if !errors.Is(err, ErrTrainState) {
			t.Errorf("%s: err = %v, want ErrTrainState", name, err)
		}
		if !slices.Equal(tc.m.MarshalTrainState(), before) {
			t.Errorf("%s: a refused state changed the model", name)
		}
	}
}
