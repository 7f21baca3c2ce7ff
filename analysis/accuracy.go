package analysis

import "math"

// Accuracy returns the fraction of examples whose predicted class equals the
// true one. Examples whose true label is negative (unlabelled) are not
// counted; if none is left the accuracy is NaN. It panics if the lengths
// differ.
func Accuracy(pred, truth []int) float64 {
	checkSameLen("Accuracy", pred, truth)
	right, total := 0, 0
	for i, t := range truth {
		if t < 0 {
			continue
		}
		total++
		if pred[i] == t {
			right++
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return float64(right) / float64(total)
}

// ConfusionMatrix returns the classes×classes counts m[t·classes+p] of the
// examples of true class t predicted as class p, row-major. Unlabelled
// examples (negative truth) are not counted. It panics if the lengths differ
// or if a label or prediction is ≥ classes or a prediction is negative.
func ConfusionMatrix(pred, truth []int, classes int) []int {
	checkSameLen("ConfusionMatrix", pred, truth)
	m := make([]int, classes*classes)
	for i, t := range truth {
		if t < 0 {
			continue
		}
		p := pred[i]
		if t >= classes || p < 0 || p >= classes {
			panicf("ConfusionMatrix: example %d has class %d predicted as %d; want both in [0, %d)", i, t, p, classes)
		}
		m[t*classes+p]++
	}
	return m
}
