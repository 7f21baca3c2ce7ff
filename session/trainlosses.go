// The loss and metric points a training records: test points, training
// points averaged over steps, and the named metrics of its lab.

package session

import (
	"maps"
	"math"
	"slices"

	"github.com/aelab/aelab/ae"
)

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
