package session

import (
	"context"
	"fmt"
	"sync"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// The PCA baseline: what the classical linear method achieves with a code of
// the same size. A linear autoencoder trained with MSE can at best match the
// first M principal components (Eckart–Young), so the PCA error at k = M is
// the line a nonlinear autoencoder has to beat.
//
// The principal components are fitted on the training examples the sessions
// use (at most baselineMaxRows of them, and fewer for very wide data so that
// a fit stays a few seconds of one core) and the error is measured on their
// test examples. Fits are cached per (dataset, seed, training examples), so a
// sweep fits once; errors per (fit, test examples, k).

// Bounds of one PCA fit. stat.PC costs about n·d·min(n,d) flops and 3·n·d
// float64s: 10,000 MNIST rows take a few seconds and ~200 MB at peak.
const (
	baselineMaxRows   = 10_000
	baselineMaxValues = 10_000 * 784       // n·d
	baselineMaxWork   = 10_000 * 784 * 784 // n·d·min(n,d)
	// baselineCacheBytes bounds the principal directions kept in memory;
	// the least recently used fits beyond it are forgotten.
	baselineCacheBytes = 64 << 20
)

// BaselineState says whether a PCA figure is known yet.
type BaselineState string

// States of a PCA baseline.
const (
	BaselinePending BaselineState = "pending" // being computed
	BaselineReady   BaselineState = "ready"
	BaselineFailed  BaselineState = "failed" // Error says why
)

// Baseline is the PCA figure for one session: the test-set reconstruction
// MSE of PCA with k = M components, fitted on the session's training
// examples. It is an MSE whatever loss the session trains with.
type Baseline struct {
	State BaselineState `json:"state"`
	Error string        `json:"error,omitempty"`
	// K is the session's bottleneck width M; Components is how many
	// principal components were used: K, or fewer when the fitted data
	// spans fewer directions (then all of them are used).
	K          int      `json:"k"`
	Components int      `json:"components"`
	MSE        *float64 `json:"mse"`
	FitRows    int      `json:"fit_rows"`  // training examples the components were fitted on
	TestRows   int      `json:"test_rows"` // test examples the error was measured on
}

// baselineFit names the data one fit is computed from.
type baselineFit struct {
	dataset   string
	seed      uint64 // generated sets only; 0 for the others, whose data ignores it
	trainRows int    // training examples the sessions use
}

type baselineErrKey struct {
	fit      baselineFit
	testRows int
	k        int
}

// fitted is one cached (or in-flight) fit.
type fitted struct {
	done  chan struct{}
	pca   *ae.PCA
	ds    *datasets.Dataset
	rows  int
	err   error
	bytes int // of the principal directions, once fitted
}

// maxBaselineFits bounds the number of fits kept, in flight or done, on
// top of the bound on their bytes.
const maxBaselineFits = 1024

// baselines computes and caches PCA figures. It is safe for concurrent use.
type baselines struct {
	m *Manager

	mu    sync.Mutex
	fits  *simplelru.LRU[baselineFit, *fitted] // least recently used forgotten first
	bytes int                                  // held by the finished fits
	errs  map[baselineErrKey]float64
}

func newBaselines(m *Manager) *baselines {
	b := &baselines{m: m, errs: make(map[baselineErrKey]float64)}
	b.fits, _ = simplelru.NewLRU(maxBaselineFits, func(key baselineFit, f *fitted) {
		b.bytes -= f.bytes
		for k := range b.errs {
			if k.fit == key {
				delete(b.errs, k)
			}
		}
	})
	return b
}

// baselineRows is how many of n training rows of d features a fit uses.
func baselineRows(n, d int) int {
	rows := min(n, baselineMaxRows, max(2, baselineMaxValues/max(1, d)))
	for rows > 2 && rows*d*min(rows, d) > baselineMaxWork {
		rows = rows * 9 / 10
	}
	return rows
}

// keyFor returns the fit, test rows and k of the baseline of config c.
func (b *baselines) keyFor(c Config) (baselineErrKey, error) {
	c = c.Defaults()
	info, err := b.m.reg.Info(c.Dataset)
	if err != nil {
		return baselineErrKey{}, err
	}
	f := baselineFit{dataset: c.Dataset, trainRows: c.TrainSize}
	if f.trainRows == 0 {
		f.trainRows = info.TrainSize
	}
	if info.Source == datasets.SourceGenerated {
		f.seed = c.Seed
	}
	test := c.TestSize
	if test == 0 {
		test = info.TestSize
	}
	return baselineErrKey{fit: f, testRows: test, k: c.Bottleneck}, nil
}

// compute returns the baseline of config c, fitting and measuring as needed.
// It computes while holding a training's share of the CPU (see withCPU).
func (b *baselines) compute(ctx context.Context, c Config) Baseline {
	out := Baseline{State: BaselineFailed, K: c.Bottleneck}
	key, err := b.keyFor(c)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	f, err := b.fit(ctx, key.fit)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.FitRows = f.rows
	// Centred, n rows span at most n−1 directions: components beyond
	// that carry no variance and their directions are arbitrary.
	out.Components = min(key.k, f.pca.NumComponents(), f.rows-1)
	out.TestRows = min(key.testRows, f.ds.Test.N)
	key.k, key.testRows = out.Components, out.TestRows

	b.mu.Lock()
	mse, ok := b.errs[key]
	b.mu.Unlock()
	if !ok {
		err := b.m.withCPU(ctx, func() {
			mse = f.pca.ReconstructionMSE(f.ds.Test.Rows(nil, 0, key.testRows), key.testRows, key.k)
		})
		if err != nil {
			out.Error = ErrorMessage(err)
			return out
		}
		b.mu.Lock()
		b.errs[key] = mse
		b.mu.Unlock()
	}
	out.State, out.MSE = BaselineReady, &mse
	return out
}

// fit returns the cached fit for key, computing it once however many ask.
func (b *baselines) fit(ctx context.Context, key baselineFit) (*fitted, error) {
	b.mu.Lock()
	if f, ok := b.fits.Get(key); ok {
		b.mu.Unlock()
		select {
		case <-f.done:
			return f, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &fitted{done: make(chan struct{})}
	b.fits.Add(key, f)
	b.mu.Unlock()

	var fitErr error
	if err := b.m.withCPU(ctx, func() { fitErr = b.doFit(f, key) }); err != nil {
		fitErr = err
	}
	f.err = fitErr
	b.mu.Lock()
	if f.err != nil {
		if g, ok := b.fits.Peek(key); ok && g == f {
			b.fits.Remove(key) // the next caller tries again
		}
	} else if g, ok := b.fits.Peek(key); ok && g == f { // not forgotten meanwhile
		f.bytes = 8 * f.ds.Features * (f.pca.NumComponents() + 1)
		b.bytes += f.bytes
		b.evictLocked()
	}
	b.mu.Unlock()
	close(f.done)
	return f, f.err
}

func (b *baselines) doFit(f *fitted, key baselineFit) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b.m.log.Error("PCA baseline panicked", "dataset", key.dataset, "panic", r)
			err = fmt.Errorf("the PCA fit crashed (%v); this is a bug, please report it", r)
		}
	}()
	ds, err := b.m.reg.Load(key.dataset, key.seed)
	if err != nil {
		return fmt.Errorf("could not load dataset %q: %v", key.dataset, err)
	}
	d := ds.Features
	n := baselineRows(min(key.trainRows, ds.Train.N), d)
	if n < 2 {
		return fmt.Errorf("PCA needs at least 2 training examples")
	}
	p, err := ae.FitPCA(ds.Train.Rows(nil, 0, n), n, d, min(n, d))
	if err != nil {
		return err
	}
	f.pca, f.ds, f.rows = p, ds, n
	return nil
}

// evictLocked forgets the least recently used fits while the finished ones
// are over their budget, never the most recent one (the fit just made).
func (b *baselines) evictLocked() {
	for b.bytes > baselineCacheBytes && b.fits.Len() > 1 {
		b.fits.RemoveOldest()
	}
}

// withCPU runs f as the server's own work (a baseline), admitted by the door
// like any other: a share of the memory budget and a turn of the CPU pool.
func (m *Manager) withCPU(ctx context.Context, f func()) error {
	return m.Do(ctx, Work{Kind: WorkBaseline}, func(context.Context) error {
		f()
		return nil
	})
}

// Baseline computes (or finds cached) the PCA baseline of configuration c,
// the figure a comparison shows; a class's runs use it too.
func (st *ComparisonStore) Baseline(ctx context.Context, c Config) Baseline {
	return st.base.compute(ctx, c)
}
