// What a training publishes while it runs: heavy updates (latent scatter,
// reconstructions) and light ones (progress and pending points).

package session

import (
	"math"
	"time"
)

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
