package ae

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// TestSnapshotIsFrozenAndConcurrent checks that a snapshot answers exactly
// like the model at the time it was taken, keeps doing so while the model
// trains on, and can be used from many goroutines at once.
func TestSnapshotIsFrozenAndConcurrent(t *testing.T) {
	m, err := New(Config{Sizes: []int{12, 8, 3, 8, 12}, Bottleneck: 2, Hidden: Tanh, Output: Sigmoid,
		Loss: MSE, Optimizer: Optimizer{Kind: Adam, LearningRate: 0.01}, BatchSize: 16, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 40*12)
	for i := range x {
		x[i] = rng.Float32()
	}
	for i := 0; i < 5; i++ {
		m.TrainStep(x[:16*12], nil, 16)
	}
	snap := m.Snapshot()
	want := make([]float32, len(x))
	m.Reconstruct(want, x, 40)
	wantLoss := m.EvalLoss(x, nil, 40)
	for i := 0; i < 5; i++ { // the model moves on
		m.TrainStep(x[:16*12], nil, 16)
	}
	if m.EvalLoss(x, nil, 40) == wantLoss {
		t.Fatal("training did not change the model; the test proves nothing")
	}
	if snap.Steps() != 5 || snap.InputDim() != 12 || snap.LatentDim() != 3 {
		t.Fatalf("snapshot: steps %d, K %d, M %d", snap.Steps(), snap.InputDim(), snap.LatentDim())
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]float32, len(x))
			snap.Reconstruct(got, x, 40)
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("reconstruction %d = %v, want %v", i, got[i], want[i])
					return
				}
			}
			if l := snap.EvalLoss(x, nil, 40); l != wantLoss {
				t.Errorf("loss = %v, want %v", l, wantLoss)
			}
			z := make([]float32, 40*3)
			snap.Encode(z, x, 40)
			dec := make([]float32, len(x))
			snap.Decode(dec, z, 40)
			for i := range dec {
				if dec[i] != want[i] {
					t.Errorf("decode(encode) %d = %v, want %v", i, dec[i], want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestBatcherRowsVisitsOnlyTheListedRows(t *testing.T) {
	x := make([]float32, 10*2)
	for i := range x {
		x[i] = float32(i / 2)
	}
	rows := []int{1, 4, 7, 9}
	b := NewBatcherRows(x, 2, rows, 3, 1)
	if b.StepsPerEpoch() != 2 {
		t.Fatalf("steps per epoch = %d, want 2", b.StepsPerEpoch())
	}
	seen := map[float32]int{}
	for b.Epoch() < 2 {
		batch, n := b.Next()
		for i := 0; i < n; i++ {
			seen[batch[2*i]]++
		}
	}
	if len(seen) != 4 || seen[1] != 2 || seen[4] != 2 || seen[7] != 2 || seen[9] != 2 {
		t.Fatalf("visits = %v, want rows 1, 4, 7, 9 twice each", seen)
	}
}

// TestLatentActivationAppliesToTheBottleneckOnly checks that a linear
// bottleneck under ReLU hidden layers gives negative codes (a ReLU code
// never is) while the other layers keep ReLU.
func TestLatentActivationAppliesToTheBottleneckOnly(t *testing.T) {
	c := Config{Sizes: []int{6, 5, 2, 5, 6}, Bottleneck: 2, Hidden: ReLU, Latent: Linear, Output: Sigmoid,
		Loss: MSE, Optimizer: Optimizer{Kind: Adam, LearningRate: 0.01}, BatchSize: 8, Seed: 1}
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if m.layers[0].act != actReLU || m.layers[1].act != actLinear || m.layers[2].act != actReLU || m.layers[3].act != actSigmoid {
		t.Fatalf("layer activations = %v %v %v %v", m.layers[0].act, m.layers[1].act, m.layers[2].act, m.layers[3].act)
	}
	rng := rand.New(rand.NewPCG(4, 5))
	x := make([]float32, 200*6)
	for i := range x {
		x[i] = rng.Float32()
	}
	z := make([]float32, 200*2)
	m.Encode(z, x, 200)
	neg := 0
	for _, v := range z {
		if v < 0 {
			neg++
		}
	}
	if neg == 0 {
		t.Fatal("a linear bottleneck produced no negative code")
	}
	c.Latent = "swish"
	if _, err := New(c); err == nil {
		t.Fatal("an unknown latent activation was accepted")
	}
}
