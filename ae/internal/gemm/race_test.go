//go:build race

package gemm

// raceEnabled shrinks the tests under the (slow) race detector.
const raceEnabled = true
