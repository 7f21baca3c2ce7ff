package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
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
	errShutdown       = errors.New("the server is shutting down")
)

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

// loop trains until the last step or until stopped, and returns how it ended.
// It computes in turns of one slice, each holding a CPU slot (see cpuPool).
func (t *trainer) loop() (State, string) {
	s := t.s
	s.mu.Lock()
	s.totalSteps = t.totalSteps
	s.mu.Unlock()
	s.setState(Running, "")
	t.setActive(true)
	defer t.setActive(false)
	t.rateTime = time.Now()
	first := true
	for t.step < t.totalSteps {
		end, msg := t.turn(first)
		first = false
		switch end {
		case Stopped, Failed:
			return end, msg
		case Paused:
			if !t.pause() {
				if t.failed != "" {
					return Failed, t.failed
				}
				return Stopped, stopReason(s.ctx)
			}
			t.rateTime, t.rateStep = time.Now(), t.step
		}
	}
	return Completed, ""
}

// setActive counts the trainer among the computations that want the CPU,
// or no longer.
func (t *trainer) setActive(on bool) {
	if on == t.active {
		return
	}
	t.active = on
	if on {
		t.cpu.active.Add(1)
	} else {
		t.cpu.active.Add(-1)
	}
}

// turn takes a CPU slot, runs one slice (the first turn also publishes the
// starting point; a turn that ends in a pause publishes the paused model)
// and gives the slot back, even if something in it panics (the panic then
// fails this session alone).
func (t *trainer) turn(first bool) (State, string) {
	if err := t.cpu.acquire(t.s.ctx, false); err != nil {
		return Stopped, stopReason(t.s.ctx)
	}
	defer t.release()
	start := time.Now()
	defer func() { t.runTime += time.Since(start) }()
	if first {
		if !t.resumed { // a resumed run has its test point at the checkpoint
			t.testPoint()
		}
		t.heavy()
		t.light(start, true)
	}
	end, msg := t.slice(start, t.totalSteps, false)
	if end == Paused {
		t.light(time.Now(), true)
		t.heavy()
		t.s.snap.Store(t.model.Snapshot()) // explorers keep working while paused
	}
	return end, msg
}

// slice trains for one time slice, up to step until at most. It returns
// Running when the slice (or the training) is over, Paused when the owner
// asked for a pause (not checked while stepping a paused run), and Stopped
// or Failed (with a message) when the training must end.
func (t *trainer) slice(start time.Time, until int, stepping bool) (State, string) {
	s := t.s
	t.model.SetWorkers(t.cpu.workers())
	deadline := start.Add(slice)
	// Every turn starts with news for the viewers, so that with many
	// trainings sharing the CPU each still reports at every turn.
	if start.Sub(t.lastLight) >= lightEvery {
		t.light(start, false)
	}
	for t.step < until {
		if s.ctx.Err() != nil {
			return Stopped, stopReason(s.ctx)
		}
		if !stepping && t.pauseRequested() {
			return Paused, ""
		}
		t.applySettings()
		if testHookStep != nil {
			testHookStep(s.cfg.Seed, t.step)
		}
		x, n := t.batcher.Next()
		in := x
		for _, ms := range t.labs {
			in = ms.Inputs(in)
		}
		loss := t.model.TrainStep(in, x, n) // the objective, penalties included
		t.step++
		t.m.trained(n)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return Failed, fmt.Sprintf("the loss became %v at step %d: the learning rate (%g) is probably too high for this network; try one ten times smaller",
				loss, t.step, t.model.LearningRate())
		}
		t.addTrainLoss()
		if t.lossN == t.pointEvery || t.step%t.stepsPerEpoch == 0 {
			t.flushTrainPoint()
		}
		now := time.Now()
		// Views that run the model on demand (the latent explorer) asked
		// for fresh weights: a copy costs far less than a step.
		if now.Sub(t.lastSnap) >= snapEvery && s.wantSnap.Swap(false) {
			s.snap.Store(t.model.Snapshot())
			t.lastSnap = now
		}
		if t.step%t.stepsPerEpoch == 0 {
			t.testPoint()
			t.heavy()
			t.light(now, true)
			t.ckptDue = !t.checkpoint(false)
		} else {
			if now.Sub(t.lastLight) >= lightEvery {
				t.light(now, false)
			}
			if t.ckptDue { // the store's writer had no room at the epoch's end
				t.ckptDue = !t.checkpoint(false)
			}
			if t.keyframeDue() {
				t.heavy()
			} else if now.Before(deadline) && now.Sub(t.lastHeavy) >= heavyEvery && s.Watchers() > 0 &&
				t.heavyTime.Seconds() <= heavyShare*(t.runTime+now.Sub(start)).Seconds() {
				t.heavy()
			}
		}
		if now.After(deadline) {
			break
		}
	}
	return Running, ""
}

func (t *trainer) epochAt(step int) float64 { return round4(float64(step) / float64(t.stepsPerEpoch)) }

// testPoint evaluates the whole test split and records a test-loss point
// (for a denoising run: noisy inputs against clean targets, with the PSNR
// of both); a run on some classes only also scores every test example.
func (t *trainer) testPoint() {
	if testHookPhase != nil {
		testHookPhase(t.s.cfg.Seed, "test")
	}
	at := Point{Step: t.step, Epoch: t.epochAt(t.step)}
	var f Findings
	var p ae.LossParts
	measured := false
	for _, ms := range t.labs {
		if v, ok := ms.Test(t.model, at, &f); ok {
			p, measured = v, true
		}
	}
	if !measured {
		p = evalParts(t.model, t.test, t.nTest)
	}
	l := p.Reconstruction + p.KL // EvalLoss
	for _, name := range slices.Sorted(maps.Keys(f.Metrics)) {
		t.addMetric(name, f.Metrics[name])
	}
	if f.Anomaly != nil {
		t.pendingAnomaly = f.Anomaly
	}
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return
	}
	t.lastTest, t.haveTest = l, true
	t.pendingTest = append(t.pendingTest, t.lossPoint(l, p, false))
	s := t.s
	s.mu.Lock()
	s.testLoss = &l
	s.mu.Unlock()
}

// addTrainLoss adds the last step's loss parts to the running sums of the
// next training-loss point.
func (t *trainer) addTrainLoss() {
	p := t.model.LastParts()
	t.lossSum += p.Reconstruction + p.KL
	if t.stepLosses != nil {
		t.stepLosses = append(t.stepLosses, p.Reconstruction+p.KL)
	}
	t.partSum.Reconstruction += p.Reconstruction
	t.partSum.KL += p.KL
	t.partSum.Sparsity += p.Sparsity
	t.partSum.WeightDecay += p.WeightDecay
	t.lossN++
}

// flushTrainPoint records the mean of the steps since the last point.
func (t *trainer) flushTrainPoint() {
	n := float64(t.lossN)
	p := t.partSum
	p.Reconstruction, p.KL, p.Sparsity, p.WeightDecay = p.Reconstruction/n, p.KL/n, p.Sparsity/n, p.WeightDecay/n
	t.pendingTrain = append(t.pendingTrain, t.lossPoint(t.lossSum/n, p, true))
	t.lastTrain, t.haveTrain = t.lossSum/n, true
	t.lossSum, t.lossN, t.partSum = 0, 0, ae.LossParts{}
}

// lossPoint is a point of loss l at the current step with the parts that
// exist for this configuration (see LossPoint); the penalties only on
// training points.
func (t *trainer) lossPoint(l float64, p ae.LossParts, train bool) LossPoint {
	pt := LossPoint{Step: t.step, Epoch: t.epochAt(t.step), Loss: l}
	c := t.s.cfg
	if c.IsVAE() {
		pt.Reconstruction, pt.KL = finitePtr(p.Reconstruction), finitePtr(p.KL)
	}
	if c.Sparsity > 0 && train {
		pt.Sparsity = finitePtr(p.Sparsity)
	}
	if c.WeightDecay > 0 && train {
		pt.WeightDecay = finitePtr(p.WeightDecay)
	}
	return pt
}

// finitePtr returns &v, or nil for a value JSON cannot carry.
func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func (t *trainer) addMetric(name string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if t.pendingMetrics == nil {
		t.pendingMetrics = make(map[string][]MetricPoint)
	}
	t.pendingMetrics[name] = append(t.pendingMetrics[name], MetricPoint{Step: t.step, Epoch: t.epochAt(t.step), Value: v})
}

// heavy publishes a fresh latent scatter and reconstructions.
func (t *trainer) heavy() {
	if testHookPhase != nil {
		testHookPhase(t.s.cfg.Seed, "heavy")
	}
	began := time.Now()
	defer func() { t.heavyTime += time.Since(began) }()
	ep := t.epochAt(t.step)
	publish := t.s.hub.publish
	if t.final { // the last picture must not be dropped by a busy hub
		publish = func(ev hubEvent) bool { t.s.hub.publishWait(ev); return true }
	}
	lat, err := t.probe.latent(t.model, t.step, ep)
	if err == nil {
		publish(hubEvent{latent: lat})
	} else {
		t.s.log.Warn("latent projection failed", "session", t.s.id, "err", err)
	}
	var noisy []float32
	for _, ms := range t.labs {
		if x := ms.Shown(); x != nil {
			noisy = x
		}
	}
	rec := t.probe.reconstructions(t.model, t.step, ep, noisy)
	publish(hubEvent{recon: rec})
	t.keyframe(lat, rec)
	t.lastHeavy = time.Now()
}

// light publishes progress and the loss points recorded since last time.
// Loss points stay pending until the hub has taken them, so none is lost.
func (t *trainer) light(now time.Time, force bool) {
	t.lastLight = now
	if dt := now.Sub(t.rateTime); dt >= time.Second || (force && dt > 50*time.Millisecond) {
		t.samplesPerSec = float64((t.step-t.rateStep)*t.samplesPerStep) / dt.Seconds()
		t.rateTime, t.rateStep = now, t.step
	}
	p := t.progress(now)
	s := t.s
	s.mu.Lock()
	s.epoch, s.step = p.Epoch, t.step
	if len(t.pendingTrain) > 0 {
		l := t.pendingTrain[len(t.pendingTrain)-1].Loss
		s.trainLoss = &l
	}
	s.mu.Unlock()
	if len(t.pendingTrain)+len(t.pendingTest) > 0 {
		if s.hub.publish(hubEvent{loss: &LossBatch{Train: t.pendingTrain, Test: t.pendingTest}}) {
			t.pendingTrain, t.pendingTest = nil, nil
		}
	}
	if t.pendingMetrics != nil && s.hub.publish(hubEvent{metrics: &Metrics{Points: t.pendingMetrics}}) {
		t.pendingMetrics = nil
	}
	if t.pendingAnomaly != nil && s.hub.publish(hubEvent{anomaly: t.pendingAnomaly}) {
		t.pendingAnomaly = nil
	}
	if len(t.pendingChanges) > 0 && s.hub.publish(hubEvent{changes: t.pendingChanges}) {
		t.pendingChanges = nil
	}
	s.hub.publish(hubEvent{progress: &p})
}

func (t *trainer) progress(now time.Time) Progress {
	epoch := 0
	if t.step > 0 {
		epoch = min(t.epochs, (t.step-1)/t.stepsPerEpoch+1)
	}
	p := Progress{Epoch: epoch, Epochs: t.epochs, Step: t.step, TotalSteps: t.totalSteps,
		SamplesPerSec: math.Round(t.samplesPerSec), Elapsed: round4(t.runTime.Seconds())}
	if t.samplesPerSec > 0 && t.step < t.totalSteps {
		p.ETA = math.Round(float64((t.totalSteps-t.step)*t.samplesPerStep) / t.samplesPerSec)
	}
	return p
}

func (t *trainer) pauseRequested() bool {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.s.pauseReq
}

// pause holds the trainer until resumed (true) or stopped (false). While
// paused it holds no running slot and no CPU turn (its model, and so its
// memory, it keeps); on resume it queues for a slot again.
func (t *trainer) pause() bool {
	s := t.s
	s.mu.Lock()
	if !s.pauseReq { // resumed before we got here
		s.mu.Unlock()
		return true
	}
	s.mu.Unlock()
	t.setActive(false)
	t.m.yield(s.tk)
	s.setState(Paused, "")
	for {
		s.mu.Lock()
		resume := !s.pauseReq
		step := s.stepping
		s.mu.Unlock()
		if step != nil {
			if !t.stepPaused(step) {
				return false
			}
			continue
		}
		if resume {
			break
		}
		select {
		case <-s.ctx.Done():
			return false
		case <-s.wake:
		}
	}
	t.m.requeue(s.tk)
	t.m.mu.Lock()
	ready := s.tk.ready
	t.m.mu.Unlock()
	select {
	case <-ready:
	default:
		s.setState(Queued, "") // every running slot is taken: wait in line
	}
	if t.m.waitTurn(s.ctx, s.tk) != nil {
		return false
	}
	s.setState(Running, "")
	t.setActive(true)
	return true
}

// finishWait bounds how long the final evaluation waits for a CPU turn; if
// it gets none (a shutdown, a crowded machine), the run ends without it.
const finishWait = 2 * time.Second

// finish publishes the final picture and the terminal state. t is nil when
// the training never started. The final evaluation takes a CPU turn like a
// training step, released by defer; a failed run skips it (its model may be
// what failed), so finish never waits for a slot it cannot get.
func (s *Session) finish(t *trainer, st State, msg string) {
	if t != nil {
		if st != Failed {
			t.finalPicture(st)
		}
		t.m.holdKeyframes(s)
		func() {
			defer func() { recover() }() // the stream must still end with the state
			t.flushAll()
		}()
	}
	s.setState(st, msg)
}

// finalPicture evaluates the model one last time in a CPU turn of its own.
func (t *trainer) finalPicture(st State) {
	ctx, cancel := context.WithTimeout(context.Background(), finishWait)
	defer cancel()
	if t.cpu.acquire(ctx, false) != nil {
		return
	}
	defer t.release()
	defer func() {
		if r := recover(); r != nil { // a broken model must not hide the state
			t.s.log.Error("final evaluation panicked", "session", t.s.id, "panic", r)
		}
	}()
	if testHookFinish != nil {
		testHookFinish(t.s.cfg.Seed)
	}
	if st == Completed && t.step%t.stepsPerEpoch != 0 {
		t.testPoint()
	}
	t.final = true
	t.heavy()
	t.s.snap.Store(t.model.Snapshot())
	if t.step%t.stepsPerEpoch != 0 || st == Completed {
		t.checkpoint(true) // an epoch's end was just saved unless it is the last
	}
}

// flushAll hands every pending loss point and the final progress to the
// hub, waiting for room: the stream is about to end.
func (t *trainer) flushAll() {
	now := time.Now()
	if t.lossN > 0 {
		t.flushTrainPoint()
	}
	if len(t.pendingTrain)+len(t.pendingTest) > 0 {
		t.s.hub.publishWait(hubEvent{loss: &LossBatch{Train: t.pendingTrain, Test: t.pendingTest}})
		t.pendingTrain, t.pendingTest = nil, nil
	}
	if t.pendingMetrics != nil {
		t.s.hub.publishWait(hubEvent{metrics: &Metrics{Points: t.pendingMetrics}})
		t.pendingMetrics = nil
	}
	if t.pendingAnomaly != nil {
		t.s.hub.publishWait(hubEvent{anomaly: t.pendingAnomaly})
		t.pendingAnomaly = nil
	}
	if len(t.pendingChanges) > 0 {
		t.s.hub.publishWait(hubEvent{changes: t.pendingChanges})
		t.pendingChanges = nil
	}
	// The final figure is the whole run's average throughput.
	if t.runTime > 0 && t.step > 0 {
		t.samplesPerSec = float64(t.step*t.samplesPerStep) / t.runTime.Seconds()
	}
	p := t.progress(now)
	t.s.mu.Lock()
	t.s.epoch, t.s.step = p.Epoch, t.step
	t.s.mu.Unlock()
	t.s.hub.publishWait(hubEvent{progress: &p})
}
