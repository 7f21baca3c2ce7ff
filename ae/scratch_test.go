package ae

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// poisonIdle fills every idle block of p with NaN, so that a model that
// read a buffer before writing it would show it.
func poisonIdle(p *ScratchPool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.free {
		for i := range b.b {
			b.b[i] = float32(math.NaN())
		}
	}
}

// pooledDense is a small dense autoencoder 32-16-4-16-32 with the given
// batch size.
func pooledDense(batch int) Config {
	return Config{
		Sizes: []int{32, 16, 4, 16, 32}, Bottleneck: 2,
		Hidden: ReLU, Output: Sigmoid, Loss: MSE,
		Optimizer: Optimizer{Kind: Adam, LearningRate: 1e-3},
		BatchSize: batch, Workers: 1,
	}
}

// TestParkedModelsMatchUnparked trains models that park after every step
// and lend their buffers to another model of the same shape in between
// (with NaN in every idle block) against the same models made by New: the
// losses, evaluations, codes, reconstructions and weights must be the same
// bit for bit, for dense autoencoders (batch below and above the
// evaluation chunk), sparse and weight-decayed ones, VAEs and
// convolutional ones.
func TestParkedModelsMatchUnparked(t *testing.T) {
	dense := pooledDense(8)
	dense.Sizes, dense.Optimizer.LearningRate, dense.Seed = []int{24, 12, 4, 12, 24}, 1e-2, 3
	big := dense
	big.BatchSize = 2 * evalRows // the evaluation shares the training buffers
	sparse := dense
	sparse.Sparsity, sparse.WeightDecay, sparse.Latent = 1e-2, 1e-3, Tanh
	sgd := dense
	sgd.Optimizer, sgd.WeightDecay = Optimizer{Kind: Momentum, LearningRate: 0.05, Nesterov: true}, 1e-3
	vae := vaeConfig()
	conv := convTestConfig(ReLU, Sigmoid, BCE)
	for _, tc := range []struct {
		name string
		c    Config
	}{{"dense", dense}, {"batch above the evaluation chunk", big}, {"sparse and decayed", sparse},
		{"momentum with decay", sgd}, {"vae", vae}, {"conv", conv}} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			k, n := c.Sizes[0], 3*c.BatchSize+1
			x := factorData(9, n, k, 3)
			ref := mustNew(t, c)
			pool := NewScratchPool(1 << 30)
			m, err := NewPooled(c, pool)
			if err != nil {
				t.Fatal(err)
			}
			other := c
			other.Seed = 77
			o, err := NewPooled(other, pool)
			if err != nil {
				t.Fatal(err)
			}
			rb, mb, ob := NewBatcher(x, n, k, c.BatchSize, 5), NewBatcher(x, n, k, c.BatchSize, 5), NewBatcher(x, n, k, c.BatchSize, 6)
			for s := range 12 {
				bx, bn := rb.Next()
				want := ref.TrainStep(bx, nil, bn)
				bx, bn = mb.Next()
				got := m.TrainStep(bx, nil, bn)
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("step %d: loss %v parked, %v not", s, got, want)
				}
				if m.LastParts() != ref.LastParts() {
					t.Fatalf("step %d: parts %+v parked, %+v not", s, m.LastParts(), ref.LastParts())
				}
				m.Park()
				poisonIdle(pool)
				bx, bn = ob.Next()
				o.TrainStep(bx, nil, bn) // takes m's block
				o.Park()
				poisonIdle(pool)
				if s%4 == 3 {
					if a, b := m.EvalParts(x, nil, n), ref.EvalParts(x, nil, n); a != b {
						t.Fatalf("step %d: evaluation %+v parked, %+v not", s, a, b)
					}
					m.Park()
					poisonIdle(pool)
				}
			}
			// Each view of the parked model, then parked again and
			// poisoned, against the unparked one.
			same := func(what string, width int, f func(mm *Model, dst []float32)) {
				got, want := make([]float32, n*width), make([]float32, n*width)
				f(m, got)
				m.Park()
				poisonIdle(pool)
				f(ref, want)
				if !slices.Equal(got, want) {
					t.Fatalf("%s differ", what)
				}
			}
			same("codes", m.LatentDim(), func(mm *Model, dst []float32) { mm.Encode(dst, x, n) })
			same("reconstructions", k, func(mm *Model, dst []float32) { mm.Reconstruct(dst, x, n) })
			if c.Kind == VAE {
				same("generated examples", k, func(mm *Model, dst []float32) { mm.Generate(dst, n, 4) })
			}
			if !slices.Equal(m.params, ref.params) {
				t.Fatal("weights differ after training parked")
			}
			if st := pool.Stats(); st.Allocated != 1 || st.Reused < 20 {
				t.Errorf("pool stats %+v: want 1 block allocated (the models never compute at once), lent again at every step", st)
			}
		})
	}
}

// TestScratchPoolSharesBlocks checks that thirty models of one shape taking
// turns, each parking after its turn, use one block between them, and that
// a parked model holds no buffers.
func TestScratchPoolSharesBlocks(t *testing.T) {
	c := pooledDense(16)
	pool := NewScratchPool(64 << 20)
	x := uniformData(1, 64, 32, 0, 1)
	models := make([]*Model, 30)
	for i := range models {
		c.Seed = uint64(i + 1)
		m, err := NewPooled(c, pool)
		if err != nil {
			t.Fatal(err)
		}
		if m.grads != nil || m.train != nil || m.scratch != nil {
			t.Fatal("a pooled model holds buffers before it computes")
		}
		models[i] = m
	}
	for range 3 {
		for _, m := range models {
			m.TrainStep(x[:16*32], nil, 16)
			m.Park()
			if m.grads != nil || m.train != nil || m.eval != nil || m.scratch != nil || m.layers[0].gw != nil {
				t.Fatal("a parked model still holds its buffers")
			}
		}
	}
	st := pool.Stats()
	if st.Allocated != 1 || st.Reused != 89 || st.Idle != 1 || st.IdleBytes != models[0].ScratchBytes() {
		t.Errorf("stats %+v: want 1 block allocated, 89 reuses, 1 idle of %d bytes", st, models[0].ScratchBytes())
	}
}

// TestConfigScratchBytes checks that Config.ScratchBytes, which a server
// reserves before it makes a model, is the block the model computes with,
// for dense models (batch below and above the evaluation chunk), a VAE and
// a convolutional one; and that it refuses what New refuses.
func TestConfigScratchBytes(t *testing.T) {
	dense := pooledDense(8)
	big := dense
	big.BatchSize = 2 * evalRows
	vae := vaeConfig()
	conv := convTestConfig(ReLU, Sigmoid, BCE)
	cae := CAEConfig(32)
	for _, c := range []Config{dense, big, vae, conv, cae} {
		got, err := c.ScratchBytes()
		if err != nil {
			t.Fatal(err)
		}
		if want := mustNew(t, c).ScratchBytes(); got != want || got <= 0 {
			t.Errorf("%v batch %d conv %v: Config.ScratchBytes %d, the model's block %d", c.Sizes, c.BatchSize, c.Conv, got, want)
		}
	}
	bad := dense
	bad.BatchSize = 0
	if _, err := bad.ScratchBytes(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("batch 0: %v, want ErrInvalidConfig", err)
	}
}

// TestScratchPoolMakesRoom checks that a pool at its bound lets go of its
// oldest idle blocks for a newer one, and that lowering the bound lets go
// of the idle blocks above it: the idle bytes never exceed the bound.
func TestScratchPoolMakesRoom(t *testing.T) {
	c := pooledDense(16)
	x := uniformData(1, 64, 32, 0, 1)
	probe := mustNew(t, c).ScratchBytes()
	pool := NewScratchPool(2 * probe) // room for two idle blocks
	models := make([]*Model, 3)
	for i := range models {
		c.Seed = uint64(i + 1)
		models[i], _ = NewPooled(c, pool)
		models[i].TrainStep(x[:16*32], nil, 16) // all three compute at once: three blocks
	}
	for _, m := range models {
		m.Park()
		if !m.parked {
			t.Fatal("a block within the bound was not taken")
		}
	}
	if st := pool.Stats(); st.Allocated != 3 || st.Idle != 2 || st.IdleBytes != 2*probe || st.Dropped != 1 {
		t.Errorf("after three parks into room for two: %+v", st)
	}
	pool.SetMaxIdle(probe)
	if st := pool.Stats(); st.Idle != 1 || st.IdleBytes != probe || st.Dropped != 2 {
		t.Errorf("after lowering the bound to one block: %+v", st)
	}
	pool.SetMaxIdle(0)
	if st := pool.Stats(); st.Idle != 0 || st.IdleBytes != 0 {
		t.Errorf("after lowering the bound to 0: %+v", st)
	}
	if l := models[0].TrainStep(x[:16*32], nil, 16); math.IsNaN(l) {
		t.Fatal("training after the pool was emptied failed")
	}
}

// TestScratchPoolBounds checks the pool's limits: a block larger than the
// bound stays with its model, a block much larger than asked for is not
// lent, and a block idle for longer than ScratchStale is let go.
func TestScratchPoolBounds(t *testing.T) {
	c := pooledDense(16)
	c.Seed = 1
	x := uniformData(1, 64, 32, 0, 1)

	full := NewScratchPool(100) // smaller than one block: it stays with its model
	m, _ := NewPooled(c, full)
	m.TrainStep(x[:16*32], nil, 16)
	m.Park()
	if m.parked || m.grads == nil {
		t.Fatal("a full pool took the block")
	}
	if l := m.TrainStep(x[:16*32], nil, 16); math.IsNaN(l) {
		t.Fatal("training after a refused park failed")
	}
	if st := full.Stats(); st.Refused != 1 || st.Allocated != 1 || st.Idle != 0 {
		t.Errorf("full pool: %+v", st)
	}

	pool := NewScratchPool(64 << 20)
	clock := time.Unix(1000, 0)
	pool.now = func() time.Time { return clock }
	wide := c
	wide.Sizes = []int{32, 64, 4, 64, 32}
	w, _ := NewPooled(wide, pool)
	w.TrainStep(x[:16*32], nil, 16)
	w.Park()
	small, _ := NewPooled(c, pool)
	small.TrainStep(x[:16*32], nil, 16)
	if st := pool.Stats(); st.Allocated != 2 || st.Reused != 0 || st.Idle != 1 {
		t.Errorf("a block %d bytes large was lent to a model that needs %d: %+v", w.ScratchBytes(), small.ScratchBytes(), st)
	}
	if len(small.scratch) != small.scratchLen {
		t.Errorf("the small model got %d floats, needs %d", len(small.scratch), small.scratchLen)
	}
	clock = clock.Add(ScratchStale + time.Millisecond)
	small.Park() // the wide model's block has waited too long
	if st := pool.Stats(); st.Dropped != 1 || st.Idle != 1 || st.IdleBytes != small.ScratchBytes() {
		t.Errorf("after %v: %+v; want the stale block dropped and the small one kept", ScratchStale, st)
	}
	w.TrainStep(x[:16*32], nil, 16)
	if st := pool.Stats(); st.Allocated != 3 {
		t.Errorf("the wide model found its dropped block: %+v", st)
	}
}
