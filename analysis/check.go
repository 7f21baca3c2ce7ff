package analysis

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalidInput is matched (errors.Is) by every error that reports a
// user mistake (a noise level out of range, k larger than the number of
// examples, a missing label), so callers can map it to a "bad request".
var ErrInvalidInput = errors.New("invalid input")

// inputError is a user mistake: its text is the message for the user as
// it stands, with no package or category prefix, and it matches
// ErrInvalidInput.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == ErrInvalidInput }

// invalidf returns an error matching ErrInvalidInput whose text is the
// message for the user.
func invalidf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// panicf panics with a message prefixed by the package name. It reports
// programming errors (shape misuse), never user mistakes.
func panicf(format string, args ...any) {
	panic(fmt.Sprintf("analysis: "+format, args...))
}

// checkLen panics unless s holds exactly n rows of width w.
func checkLen[T any](op, name string, s []T, n, w int) {
	if n < 0 || w < 0 || len(s) != n*w {
		panicf("%s: len(%s) = %d; want n×%d = %d for n = %d", op, name, len(s), w, n*w, n)
	}
}

// checkSameLen panics unless a and b have the same length.
func checkSameLen[S, T any](op string, a []S, b []T) {
	if len(a) != len(b) {
		panicf("%s: slices of different lengths %d and %d", op, len(a), len(b))
	}
}

// numClasses validates labels for training a classifier: every label must be
// a class index ≥ 0 (unlabelled examples, −1, cannot be learned from). It
// returns the number of classes, 1 + the largest label.
func numClasses(op string, labels []int) (int, error) {
	c := 0
	for i, l := range labels {
		if l < 0 {
			return 0, invalidf("%s: example %d has no label (%d); every training example needs a class", op, i, l)
		}
		c = max(c, l+1)
	}
	return c, nil
}

// checkFinite returns an error if a value of the rows of x (width d) is NaN
// or infinite, as the codes of a diverged model are: no classifier or
// clustering can make sense of them.
func checkFinite(op string, x []float32, d int) error {
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return invalidf("%s: value %g of example %d, feature %d is not a finite number", op, v, i/d, i%d)
		}
	}
	return nil
}
