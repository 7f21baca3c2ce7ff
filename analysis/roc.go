package analysis

import (
	"cmp"
	"math"
	"slices"
)

// ROCPoint is one point of a ROC curve: flagging every example whose score
// is ≥ Threshold as positive (anomalous) catches the fraction TPR of the
// positives (true-positive rate, recall) and wrongly flags the fraction FPR
// of the negatives (false-positive rate).
type ROCPoint struct {
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
	Threshold float64 `json:"threshold"`
}

// ROC returns the ROC curve of a detector that flags high scores, and the
// area under it. positive[i] says whether example i really is positive
// (anomalous). The points start at (0, 0) with Threshold +Inf and step down
// through every distinct score, ending at (1, 1) with the smallest score;
// examples with tied scores are flagged together, so a tie moves the curve
// diagonally. The area, computed with trapezoids, equals the Mann–Whitney
// probability that a random positive scores higher than a random negative,
// ties counting ½: 1 for a perfect detector, 0.5 for a random one, 0 for a
// perfectly inverted one.
//
// Scores should be finite; NaN scores rank below every other score. If there
// are no positives or no negatives the curve is undefined: ROC returns nil
// and NaN. It allocates the n+1 points and an index of n ints, and panics if
// the lengths differ.
func ROC(scores []float64, positive []bool) (points []ROCPoint, auc float64) {
	checkSameLen("ROC", scores, positive)
	var p, n int
	for _, pos := range positive {
		if pos {
			p++
		} else {
			n++
		}
	}
	if p == 0 || n == 0 {
		return nil, math.NaN()
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	// Highest score first; cmp.Compare puts NaN below every number.
	slices.SortFunc(idx, func(i, j int) int { return cmp.Compare(scores[j], scores[i]) })

	points = make([]ROCPoint, 1, len(scores)+1)
	points[0] = ROCPoint{Threshold: math.Inf(1)}
	var tp, fp int
	for g := 0; g < len(idx); {
		// Flag the whole group of examples tied at this score.
		s := scores[idx[g]]
		for ; g < len(idx) && cmp.Compare(scores[idx[g]], s) == 0; g++ {
			if positive[idx[g]] {
				tp++
			} else {
				fp++
			}
		}
		prev := points[len(points)-1]
		pt := ROCPoint{FPR: float64(fp) / float64(n), TPR: float64(tp) / float64(p), Threshold: s}
		auc += (pt.FPR - prev.FPR) * (pt.TPR + prev.TPR) / 2
		points = append(points, pt)
	}
	return points, auc
}

// Confusion counts the outcomes of flagging as positive every example whose
// score is ≥ threshold: true positives, false positives, true negatives and
// false negatives. It panics if the lengths differ.
func Confusion(scores []float64, positive []bool, threshold float64) (tp, fp, tn, fn int) {
	checkSameLen("Confusion", scores, positive)
	for i, s := range scores {
		switch flagged := s >= threshold; {
		case flagged && positive[i]:
			tp++
		case flagged:
			fp++
		case positive[i]:
			fn++
		default:
			tn++
		}
	}
	return tp, fp, tn, fn
}

// PrecisionRecallF1 returns, from the counts of a confusion matrix, the
// precision tp/(tp+fp) (the fraction of flagged examples that really are
// positive), the recall tp/(tp+fn) (the fraction of positives flagged) and
// F1, their harmonic mean. A ratio whose denominator is zero (nothing
// flagged, no positives) is reported as 0, and so is F1 if both are 0.
func PrecisionRecallF1(tp, fp, fn int) (precision, recall, f1 float64) {
	if tp < 0 || fp < 0 || fn < 0 {
		panicf("PrecisionRecallF1: negative count (tp=%d, fp=%d, fn=%d)", tp, fp, fn)
	}
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return precision, recall, f1
}
