// What a Model lets its owner read and change between steps: workers,
// learning rate, β, and its shape and configuration.

package ae

import (
	"runtime"
	"slices"
)

// workers returns the goroutine count for matrix products.
func (m *Model) workers() int {
	if m.cfg.Workers > 0 {
		return m.cfg.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// SetWorkers changes the number of goroutines used for matrix products
// (0 means runtime.GOMAXPROCS(0)). Results do not depend on it. It panics
// if w < 0.
func (m *Model) SetWorkers(w int) {
	if w < 0 {
		panicf("SetWorkers(%d): want w ≥ 0", w)
	}
	m.cfg.Workers = w
}

// SetLearningRate sets the step size used by the following TrainSteps (for
// schedules); the optimizer's state is kept. It panics unless lr is a finite
// number > 0: check user input with Config.Validate or by hand first.
func (m *Model) SetLearningRate(lr float64) {
	if err := checkLearningRate(lr); err != nil {
		panicf("SetLearningRate: %v", err)
	}
	m.lr = lr
	m.cfg.Optimizer.LearningRate = lr
}

// SetBeta sets a VAE's KL weight for the following TrainSteps. It panics
// unless the model is a VAE and 0 < beta ≤ MaxBeta.
func (m *Model) SetBeta(beta float64) {
	if !m.vae || !(beta > 0 && beta <= MaxBeta) {
		panicf("SetBeta(%v): want a VAE and 0 < β ≤ %d", beta, MaxBeta)
	}
	m.beta, m.cfg.Beta = beta, beta
}

// Beta returns a VAE's current KL weight (DefaultBeta for an AE, where it
// has no effect).
func (m *Model) Beta() float64 { return m.beta }

// Kind returns the kind of autoencoder.
func (m *Model) Kind() Kind { return m.cfg.Kind }

// LearningRate returns the current step size.
func (m *Model) LearningRate() float64 { return m.lr }

// InputDim returns K, the width of the input and of the reconstruction.
func (m *Model) InputDim() int { return m.cfg.Sizes[0] }

// LatentDim returns M, the width of the bottleneck layer.
func (m *Model) LatentDim() int { return m.cfg.Sizes[m.cfg.Bottleneck] }

// NumParams returns the number of trainable parameters.
func (m *Model) NumParams() int { return len(m.params) }

// Steps returns the number of TrainStep calls so far.
func (m *Model) Steps() int { return m.steps }

// Config returns the model's configuration, with the optimizer defaults
// filled in and the current learning rate and worker count.
func (m *Model) Config() Config {
	c := m.cfg
	c.Sizes, c.Conv = slices.Clone(c.Sizes), slices.Clone(c.Conv)
	return c
}
