package ae

import (
	"fmt"
	"math"
)

// OptimizerKind names a gradient-descent update rule.
type OptimizerKind string

// The supported optimizers.
const (
	SGD      OptimizerKind = "sgd"      // plain stochastic gradient descent
	Momentum OptimizerKind = "momentum" // SGD with momentum, optionally Nesterov
	Adam     OptimizerKind = "adam"     // Adam with bias correction
)

// Optimizers returns every supported optimizer kind, in a stable order.
func Optimizers() []OptimizerKind { return []OptimizerKind{SGD, Momentum, Adam} }

// ParseOptimizer returns the optimizer kind named by s (case and surrounding
// spaces do not matter). An unknown name returns an error wrapping
// ErrInvalidConfig.
func ParseOptimizer(s string) (OptimizerKind, error) {
	k := OptimizerKind(normalizeName(s))
	switch k {
	case SGD, Momentum, Adam:
		return k, nil
	}
	return "", fmt.Errorf("%w: unknown optimizer %q (want one of %v)", ErrInvalidConfig, s, Optimizers())
}

// Default hyper-parameters, used where an Optimizer field is zero.
const (
	DefaultMomentum = 0.9
	DefaultBeta1    = 0.9
	DefaultBeta2    = 0.999
	DefaultEpsilon  = 1e-8
)

// Optimizer configures the update rule. The update formulas follow
// torch.optim (SGD with dampening 0, and Adam), so results can be compared
// with PyTorch step for step.
type Optimizer struct {
	Kind         OptimizerKind
	LearningRate float64 // step size η (> 0)
	Momentum     float64 // Momentum's coefficient μ in [0, 1); 0 means DefaultMomentum
	Nesterov     bool    // Momentum only: use Nesterov's look-ahead gradient
	Beta1        float64 // Adam's first-moment decay in [0, 1); 0 means DefaultBeta1
	Beta2        float64 // Adam's second-moment decay in [0, 1); 0 means DefaultBeta2
	Epsilon      float64 // Adam's denominator guard; 0 means DefaultEpsilon
	// WeightDecay is the L2 penalty λ: the gradient used by every rule is
	// g + λ·w, for all parameters, biases included (torch's weight_decay).
	WeightDecay float64
}

// WithDefaults returns o with its zero hyper-parameters replaced by the
// defaults, i.e. the values the model will actually use.
func (o Optimizer) WithDefaults() Optimizer {
	if o.Momentum == 0 {
		o.Momentum = DefaultMomentum
	}
	if o.Beta1 == 0 {
		o.Beta1 = DefaultBeta1
	}
	if o.Beta2 == 0 {
		o.Beta2 = DefaultBeta2
	}
	if o.Epsilon == 0 {
		o.Epsilon = DefaultEpsilon
	}
	return o
}

// validate reports the first user mistake in o, wrapping ErrInvalidConfig.
func (o Optimizer) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: optimizer: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch o.Kind {
	case SGD, Momentum, Adam:
	default:
		return bad("unknown kind %q (want one of %v)", o.Kind, Optimizers())
	}
	if err := checkLearningRate(o.LearningRate); err != nil {
		return bad("%v", err)
	}
	if !inUnitInterval(o.Momentum) {
		return bad("momentum %v must be in [0, 1)", o.Momentum)
	}
	if o.Nesterov && o.Kind != Momentum {
		return bad("Nesterov needs the %q optimizer, not %q", Momentum, o.Kind)
	}
	if !inUnitInterval(o.Beta1) || !inUnitInterval(o.Beta2) {
		return bad("Adam betas (%v, %v) must be in [0, 1)", o.Beta1, o.Beta2)
	}
	if !(o.Epsilon >= 0) || math.IsInf(o.Epsilon, 0) {
		return bad("epsilon %v must be a finite number ≥ 0", o.Epsilon)
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		return bad("weight decay %v must be a finite number ≥ 0", o.WeightDecay)
	}
	return nil
}

// checkLearningRate reports whether lr is a usable step size.
func checkLearningRate(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("learning rate %v must be a finite number > 0", lr)
	}
	return nil
}

func inUnitInterval(x float64) bool { return x >= 0 && x < 1 }

// updater applies one optimisation step to the flat parameter vector w,
// given the gradient g of the loss (same layout), with learning rate lr.
// Each rule lives in its own file: sgd.go, momentum.go, adam.go.
type updater interface {
	update(w, g []float32, lr float64)
}

// newUpdater returns the rule configured by o (defaults already applied)
// with zeroed state for n parameters.
func newUpdater(o Optimizer, n int) updater {
	wd := float32(o.WeightDecay)
	switch o.Kind {
	case SGD:
		return &sgd{weightDecay: wd}
	case Momentum:
		return &momentum{mu: float32(o.Momentum), nesterov: o.Nesterov, weightDecay: wd, v: make([]float32, n)}
	case Adam:
		return &adam{beta1: o.Beta1, beta2: o.Beta2, eps: float32(o.Epsilon), weightDecay: wd,
			m: make([]float32, n), v: make([]float32, n)}
	}
	panic("ae: unknown optimizer kind " + string(o.Kind))
}
