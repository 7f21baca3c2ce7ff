package session

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// How often the trainer reports. Light messages (progress, loss points) go
// out at most four times a second; heavy ones (latent scatter,
// reconstructions) at most twice a second and only while someone watches,
// plus at every epoch end and at the end so that late joiners see them.
const (
	lightEvery = 250 * time.Millisecond
	heavyEvery = 500 * time.Millisecond
	// heavyShare bounds the time spent on periodic heavy updates to this
	// share of the time spent running, however fast the steps are.
	heavyShare = 0.08
	// snapEvery bounds how often on-demand views get fresh weights.
	snapEvery = 250 * time.Millisecond
	// maxTrainPoints bounds the training-loss curve of a whole run.
	maxTrainPoints = 1000
)

// Fault injection: when set by a test, testHookStep runs before every step
// with the session's seed and step count, testHookPhase at the start of a
// test point ("test"), a heavy update ("heavy") and testHookFinish in the
// final evaluation.
var (
	testHookStep   func(seed uint64, step int)
	testHookPhase  func(seed uint64, phase string)
	testHookFinish func(seed uint64)
)

var (
	errStoppedByOwner = errors.New("stopped by its owner")
	errShutdown       = errors.New(ShutdownReason)
)

// ShutdownReason is the reason kept with a run stopped by its server's
// shutdown: such a run is not ended but waits to resume from its last
// checkpoint (a restart brings it back Interrupted, another replica takes
// its job over), so a Store's Trim keeps its weights as a live run's.
const ShutdownReason = "the server is shutting down"

// trainer is the state of one training goroutine. Nothing in it is shared:
// viewers get copies through the hub.
type trainer struct {
	ckptBytes int64 // bytes of the last checkpoint (weights and optimizer state), the next one's estimate
	ckptDue   bool  // an epoch's checkpoint waits for room in the store's writer
	s         *Session
	model     *ae.Model
	batcher   *ae.Batcher
	probe     *probe
	cpu       *cpuPool
	m         *Manager
	labs      []Measure      // what the run's lab measures besides the loss (measure.go)
	test      datasets.Split // the shared test examples
	nTest     int

	stepsPerEpoch, totalSteps, step, epochs int
	pointEvery                              int

	pendingTrain, pendingTest []LossPoint
	pendingMetrics            map[string][]MetricPoint
	pendingAnomaly            *Anomaly
	pendingChanges            []Change  // settings changed since the last publication (control.go)
	stepLosses                []float64 // while a paused run steps: the loss of each batch
	failed                    string    // why a step of a paused run failed it
	lossSum                   float64
	partSum                   ae.LossParts // sums of the parts since the last point
	lossN                     int
	lastTest                  float64

	runTime        time.Duration // time spent running, pauses excluded
	lastLight      time.Time
	lastHeavy      time.Time
	heavyTime      time.Duration // spent producing heavy updates
	lastSnap       time.Time
	rateStep       int
	rateTime       time.Time
	samplesPerSec  float64
	samplesPerStep int
	active         bool // counted in cpu.active
	final          bool // the final picture is being published
	replayState         // keyframes (keyframe.go)
	resumed        bool // it continues an interrupted run from a checkpoint (resumeFrom)
}

// run is the training goroutine of s: it waits for a running slot, trains,
// and publishes what happens until the session ends one way or another.
// Whatever it holds (its ticket's slot and memory, a CPU turn) is given
// back by defer, and a panic at any phase fails this session alone.
func (s *Session) run(m *Manager) {
	defer close(s.done)
	defer m.leave(s.tk)
	var t *trainer
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("training panicked", "session", s.id, "panic", r, "stack", string(debug.Stack()))
			s.finish(t, Failed, fmt.Sprintf("the training crashed (%v); this is a bug, please report it", r))
		}
	}()
	if err := m.waitTurn(s.ctx, s.tk); err != nil {
		s.finish(nil, Stopped, stopReason(s.ctx))
		return
	}
	var err error
	t, err = newTrainer(s, m)
	if err != nil {
		s.finish(nil, Failed, err.Error())
		return
	}
	state, msg := t.loop()
	s.finish(t, state, msg)
}

func stopReason(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), errShutdown) {
		return errShutdown.Error()
	}
	return ""
}

func newTrainer(s *Session, m *Manager) (*trainer, error) {
	c := s.cfg
	ds, err := m.reg.Load(c.Dataset, c.Seed)
	if err != nil {
		return nil, fmt.Errorf("could not load dataset %q: %v", c.Dataset, err)
	}
	k := ds.Features
	n := c.TrainSize
	if n == 0 {
		n = ds.Train.N
	}
	nTest := c.TestSize
	if nTest == 0 {
		nTest = ds.Test.N
	}
	model, err := ae.NewPooled(aeConfig(c, k), m.scratch)
	if err != nil {
		return nil, fmt.Errorf("could not build the model: %v", err)
	}
	s.ds.Store(ds)
	t := &trainer{s: s, m: m, model: model, probe: newProbe(ds, c.Bottleneck), cpu: m.cpu,
		test: ds.Test, nTest: nTest, epochs: c.Epochs, samplesPerStep: c.BatchSize}
	if len(c.TrainClasses) > 0 {
		var rows []int
		for i, l := range ds.Train.Labels {
			if slices.Contains(c.TrainClasses, l) {
				rows = append(rows, i)
				if len(rows) == n {
					break
				}
			}
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("no training example belongs to classes %v", c.TrainClasses)
		}
		t.batcher = ae.NewSourceBatcher(source(ds.Train), rows, c.BatchSize, c.Seed)
	} else {
		t.batcher = ae.NewSourceBatcher(source(ds.Train.Head(n)), nil, c.BatchSize, c.Seed)
	}
	t.labs = measuresFor(measureEnv{cfg: c, ds: ds, test: ds.Test, nTest: nTest, recX: t.probe.recX})
	t.stepsPerEpoch = t.batcher.StepsPerEpoch()
	t.totalSteps = c.Epochs * t.stepsPerEpoch
	t.pointEvery = max(1, (t.totalSteps+maxTrainPoints-1)/maxTrainPoints)
	t.kfSteps = KeyframeSteps(t.stepsPerEpoch, t.totalSteps)
	if s.from != nil {
		if err := t.resumeFrom(s.from); err != nil {
			return nil, fmt.Errorf("could not resume from the checkpoint at step %d: %v", s.from.ck.Step, err)
		}
		s.from = nil // the trainer has it now; let the weights go
	}
	return t, nil
}

// aeConfig translates a validated session config into the engine's.
func aeConfig(c Config, k int) ae.Config {
	enc := len(c.Encoder) + 1
	beta := 0.0 // the engine's default (1); a plain autoencoder has none
	if c.IsVAE() {
		beta = c.BetaValue()
	}
	return ae.Config{
		Sizes:       c.Sizes(k),
		Bottleneck:  enc,
		Hidden:      ae.Activation(c.Activation),
		Latent:      ae.Activation(c.BottleneckActivation),
		Output:      ae.Activation(c.OutputActivation),
		Loss:        ae.Loss(c.Loss),
		Optimizer:   ae.Optimizer{Kind: ae.OptimizerKind(c.Optimizer), LearningRate: c.LearningRate},
		BatchSize:   c.BatchSize,
		Seed:        c.Seed,
		Conv:        c.Conv,
		Image:       c.image,
		Kind:        ae.Kind(c.Kind),
		Beta:        beta,
		Sparsity:    c.Sparsity,
		WeightDecay: c.WeightDecay,
		Init:        ae.Init(c.Init),
	}
}
