package analysis

import (
	"math"
	"testing"
)

// mannWhitney returns P(score of a random positive > that of a random
// negative) + ½·P(equal), by comparing every pair.
func mannWhitney(scores []float64, positive []bool) float64 {
	var wins float64
	var pairs int
	for i, si := range scores {
		if !positive[i] {
			continue
		}
		for j, sj := range scores {
			if positive[j] {
				continue
			}
			pairs++
			switch {
			case si > sj:
				wins++
			case si == sj:
				wins += 0.5
			}
		}
	}
	return wins / float64(pairs)
}

func TestROCKnownAUC(t *testing.T) {
	pos := []bool{false, true, false, true, true, false}
	perfect := []float64{0.1, 0.9, 0.2, 0.8, 0.7, 0.3}
	inverted := []float64{0.9, 0.1, 0.8, 0.2, 0.3, 0.7}
	ties := []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	for _, tc := range []struct {
		name   string
		scores []float64
		want   float64
	}{
		{"perfect", perfect, 1},
		{"inverted", inverted, 0},
		{"all tied", ties, 0.5},
	} {
		points, auc := ROC(tc.scores, pos)
		if !near(auc, tc.want, 1e-12) {
			t.Errorf("%s: AUC = %g; want %g", tc.name, auc, tc.want)
		}
		first, last := points[0], points[len(points)-1]
		if first.FPR != 0 || first.TPR != 0 || !math.IsInf(first.Threshold, 1) || last.FPR != 1 || last.TPR != 1 {
			t.Errorf("%s: curve runs from %+v to %+v; want (0,0,+Inf) to (1,1)", tc.name, first, last)
		}
	}
	// scikit-learn's roc_auc_score example.
	if _, auc := ROC([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}); !near(auc, 0.75, 1e-12) {
		t.Errorf("AUC = %g; want 0.75", auc)
	}
}

func TestROCHandComputedWithTie(t *testing.T) {
	// Positives score 0.9, 0.5, 0.1 and negatives 0.5, 0.2. Of the 6 pairs
	// the positive wins (0.9,0.5), (0.9,0.2), (0.5,0.2), ties (0.5,0.5) and
	// loses (0.1,0.5), (0.1,0.2): AUC = 3.5/6 = 7/12.
	scores := []float64{0.5, 0.9, 0.2, 0.1, 0.5}
	pos := []bool{true, true, false, true, false}
	points, auc := ROC(scores, pos)
	if !near(auc, 7.0/12, 1e-12) {
		t.Errorf("AUC = %g; want 7/12", auc)
	}
	want := []ROCPoint{
		{0, 0, math.Inf(1)},
		{0, 1.0 / 3, 0.9},
		{0.5, 2.0 / 3, 0.5}, // the tie moves diagonally
		{1, 2.0 / 3, 0.2},
		{1, 1, 0.1},
	}
	if len(points) != len(want) {
		t.Fatalf("%d points %v; want %v", len(points), points, want)
	}
	for i, p := range points {
		w := want[i]
		if !near(p.FPR, w.FPR, 1e-12) || !near(p.TPR, w.TPR, 1e-12) || p.Threshold != w.Threshold {
			t.Errorf("point %d = %+v; want %+v", i, p, w)
		}
		// Each point is what Confusion gives at its threshold.
		tp, fp, tn, fn := Confusion(scores, pos, p.Threshold)
		if !near(float64(tp)/float64(tp+fn), p.TPR, 1e-12) || !near(float64(fp)/float64(fp+tn), p.FPR, 1e-12) {
			t.Errorf("Confusion at %g = tp %d fp %d tn %d fn %d; disagrees with %+v", p.Threshold, tp, fp, tn, fn, p)
		}
	}
}

func TestROCMatchesMannWhitney(t *testing.T) {
	rng := newRNG(11)
	const n = 400
	scores := make([]float64, n)
	pos := make([]bool, n)
	for i := range scores {
		pos[i] = rng.IntN(3) == 0
		// Coarse scores, many ties, positives a little higher on average.
		v := rng.IntN(10)
		if pos[i] {
			v += rng.IntN(4)
		}
		scores[i] = float64(v) / 4
	}
	points, auc := ROC(scores, pos)
	if want := mannWhitney(scores, pos); !near(auc, want, 1e-12) {
		t.Errorf("AUC = %.15g; Mann–Whitney gives %.15g", auc, want)
	}
	for i := 1; i < len(points); i++ {
		p, q := points[i-1], points[i]
		if q.FPR < p.FPR || q.TPR < p.TPR || q.Threshold >= p.Threshold {
			t.Fatalf("points %d, %d not monotone: %+v, %+v", i-1, i, p, q)
		}
	}
}

func TestROCRandomScorer(t *testing.T) {
	rng := newRNG(12)
	const n = 20000
	scores := make([]float64, n)
	pos := make([]bool, n)
	for i := range scores {
		scores[i], pos[i] = rng.Float64(), rng.IntN(2) == 0
	}
	// The standard error of the AUC of a random scorer here is about
	// √((n+1)/(12·n/2·n/2)) ≈ 0.004.
	if _, auc := ROC(scores, pos); !near(auc, 0.5, 0.015) {
		t.Errorf("random scorer AUC = %g; want ≈ 0.5", auc)
	}
}

func TestROCOneClassOnly(t *testing.T) {
	points, auc := ROC([]float64{1, 2, 3}, []bool{false, false, false})
	if points != nil || !math.IsNaN(auc) {
		t.Errorf("no positives: %v, %g; want nil, NaN", points, auc)
	}
	mustPanic(t, "different lengths", func() { ROC([]float64{1}, []bool{true, false}) })
}

func TestConfusionAndF1(t *testing.T) {
	scores := []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}
	pos := []bool{true, false, true, true, false, false, true}
	tp, fp, tn, fn := Confusion(scores, pos, 0.6) // flags 0.9, 0.8, 0.7, 0.6
	if tp != 3 || fp != 1 || tn != 2 || fn != 1 {
		t.Fatalf("Confusion = tp %d fp %d tn %d fn %d; want 3 1 2 1", tp, fp, tn, fn)
	}
	p, r, f1 := PrecisionRecallF1(tp, fp, fn)
	if !near(p, 0.75, 1e-12) || !near(r, 0.75, 1e-12) || !near(f1, 0.75, 1e-12) {
		t.Errorf("precision %g recall %g F1 %g; want 0.75 each", p, r, f1)
	}
	// precision 1/2, recall 1/4: F1 = 2·(1/8)/(3/4) = 1/3.
	if p, r, f1 := PrecisionRecallF1(1, 1, 3); !near(p, 0.5, 1e-12) || !near(r, 0.25, 1e-12) || !near(f1, 1.0/3, 1e-12) {
		t.Errorf("got %g %g %g; want 0.5 0.25 0.333", p, r, f1)
	}
	// Nothing flagged: precision undefined, reported as 0.
	if p, r, f1 := PrecisionRecallF1(0, 0, 4); p != 0 || r != 0 || f1 != 0 {
		t.Errorf("nothing flagged: %g %g %g; want zeros", p, r, f1)
	}
	mustPanic(t, "negative count", func() { PrecisionRecallF1(-1, 0, 0) })
}
