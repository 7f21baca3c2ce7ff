package session

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/sys/cpu"
)

// The cost of a training in arithmetic, checked at admission against this
// machine's speed: one step must fit in a fraction of a second, so that a
// training cannot hold a core for long and every other one keeps at least
// one update a second; a whole training must fit in Options.MaxCoreMinutes.

// maxStepTime is the longest one training step may take on one core at the
// assumed speed. A step cannot be interrupted; with a quarter of a second,
// four trainings queued for one core still each update once a second.
const maxStepTime = 250 * time.Millisecond

// DefaultMaxCoreMinutes bounds one training: 15 minutes of one core (the
// default MNIST run needs under one).
const DefaultMaxCoreMinutes = 15

// AssumedCoreGFLOPS is the speed of one core that the cost checks assume
// unless Options.CoreGFLOPS says otherwise: what the engine sustains in
// float32 matrix products with the vector units this CPU has, taken low so
// that a loaded or slow machine still keeps its promises.
func AssumedCoreGFLOPS() float64 {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasFMA:
		return 24
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return 16
	}
	return 3
}

// stepFLOPs is the arithmetic of one training step of a network with p
// parameters on a batch of b: two flops per weight and example forward,
// four backward, and the optimizer's update.
func stepFLOPs(p, b int) float64 { return 6*float64(p)*float64(b) + 10*float64(p) }

// trainingFLOPs is the arithmetic of a whole training: its steps, and an
// evaluation of the test examples every epoch.
func trainingFLOPs(p, batch, epochs, nTrain, nTest int) float64 {
	steps := float64(epochs) * math.Ceil(float64(nTrain)/float64(batch))
	return steps*stepFLOPs(p, batch) + float64(epochs)*2*float64(p)*float64(nTest)
}

// admissible checks what Validate cannot know: that one step of c fits a
// turn on this machine, that the whole training fits the compute bound, and
// that its memory fits the budget. c must be valid (defaults applied), of
// data with k features, nTrain training and nTest test examples.
func (m *Manager) admissible(c Config, k, nTrain, nTest int) FieldErrors {
	var fe FieldErrors
	p := ParamCount(c.Sizes(k))
	rate := m.opt.CoreGFLOPS * 1e9
	if st := stepFLOPs(p, c.BatchSize) / rate; st > maxStepTime.Seconds() {
		fit := int((maxStepTime.Seconds()*rate - 10*float64(p)) / (6 * float64(p)))
		if fit >= 1 && fit < c.BatchSize {
			fe.add("batch_size", "one step of a batch of %d through this network (%s parameters) takes about %s on this server, and a step cannot be interrupted: "+
				"a step must fit in %s so that every training keeps updating; use a batch of at most %d, or narrower layers",
				c.BatchSize, groupDigits(p), secs(st), secs(maxStepTime.Seconds()), fit)
		} else {
			fe.add("encoder", "one step of this network (%s parameters) takes about %s on this server even with a batch of 1, and a step must fit in %s: use narrower or fewer layers",
				groupDigits(p), secs(st), secs(maxStepTime.Seconds()))
		}
		return fe
	}
	limit := float64(m.opt.MaxCoreMinutes) * 60
	if t := trainingFLOPs(p, c.BatchSize, c.Epochs, nTrain, nTest) / rate; t > limit {
		per := trainingFLOPs(p, c.BatchSize, 1, nTrain, nTest) / rate
		msg := fmt.Sprintf("this training needs about %.0f core-minutes on this server, more than the %d one training may take", t/60, m.opt.MaxCoreMinutes)
		if e := int(limit / per); e >= 1 {
			fe.add("epochs", "%s: use at most %d epochs, fewer training examples, or narrower layers", msg, e)
		} else {
			fe.add("train_size", "%s even for one epoch: use fewer training examples or narrower layers", msg)
		}
		return fe
	}
	need := trainingMemory(c, k, nTrain, nTest)
	if budget := m.trainingBudget(); need > budget {
		msg := fmt.Sprintf("this training needs about %s of memory, more than the %s this server gives all trainings together", Bytes(need), Bytes(budget))
		if b := m.batchThatFits(c, k, nTrain, nTest, budget); b >= 1 && b < c.BatchSize {
			fe.add("batch_size", "%s: a batch of %d would fit; or use narrower layers", msg, b)
		} else {
			fe.add("encoder", "%s: use narrower or fewer layers", msg)
		}
	}
	return fe
}

// batchThatFits is the largest batch size with which c fits in free bytes
// (0 if none does).
func (m *Manager) batchThatFits(c Config, k, nTrain, nTest int, free int64) int {
	lo, hi := 0, c.BatchSize
	for lo < hi { // memory grows with the batch: bisect
		mid := (lo + hi + 1) / 2
		c.BatchSize = mid
		if trainingMemory(c, k, nTrain, nTest) <= free {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func secs(s float64) string {
	if s < 10 {
		return fmt.Sprintf("%.2g s", s)
	}
	return fmt.Sprintf("%.0f s", s)
}
