package session

import (
	"math"
	"slices"
	"testing"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// TestChunkedEvaluationMatchesWhole checks that evaluating a split kept as
// bytes chunk by chunk gives what the engine gives on the whole float32
// copy, for the loss and the codes, and that a byte split reaches the
// engine as ae.Bytes.
func TestChunkedEvaluationMatchesWhole(t *testing.T) {
	const n, k = 600, 20 // more than two chunks, the last one partial
	b := make([]uint8, n*k)
	for i := range b {
		b[i] = uint8(i*31 + i/k)
	}
	split := datasets.NewByteSplit(b, 255, make([]int, n), k)
	if _, ok := source(split).(ae.Bytes); !ok {
		t.Fatalf("source of a byte split is %T, want ae.Bytes", source(split))
	}
	x := split.AppendRows(nil, 0, n)
	floats := datasets.NewSplit(x, make([]int, n), k)
	if _, ok := source(floats).(datasets.Split); !ok {
		t.Fatalf("source of a float32 split is %T", source(floats))
	}
	m, err := ae.New(ae.Config{Sizes: []int{k, 8, 3, 8, k}, Bottleneck: 2, Hidden: ae.ReLU, Output: ae.Sigmoid,
		Loss: ae.MSE, Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3}, BatchSize: 16, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := m.EvalLoss(x, nil, n)
	wantCodes := make([]float32, n*3)
	m.Encode(wantCodes, x, n)
	for name, s := range map[string]datasets.Split{"bytes": split, "float32": floats} {
		if got := evalParts(m, s, n).Reconstruction; math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: chunked loss %v, whole %v", name, got, want)
		}
		codes := make([]float32, n*3)
		encodeRows(m, codes, s, n)
		if !slices.Equal(codes, wantCodes) {
			t.Errorf("%s: chunked codes differ from the whole", name)
		}
		seen := 0
		eachChunk(s, 300, func(x []float32, r, c int) {
			if r != seen || c > chunkRows || !slices.Equal(x, floats.Rows(nil, r, c)) {
				t.Errorf("%s: chunk at %d of %d rows is wrong", name, r, c)
			}
			seen += c
		})
		if seen != 300 {
			t.Errorf("%s: chunks covered %d of 300 examples", name, seen)
		}
	}
}
