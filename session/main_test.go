package session

import (
	"testing"

	"github.com/aelab/aelab/datasets"
	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind (hubs,
// trainers and subscriptions must all end).
func TestMain(m *testing.M) {
	// MNIST, which most tests train on, is decoded once per process; that
	// takes 20 s under -race on a loaded 2-core machine, which is not what
	// the tests' 30 s waits for a training to start or end are about.
	if _, err := datasets.LoadMNIST(); err != nil {
		panic(err)
	}
	// The matrix-product worker pool lives for the whole process by design.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/aelab/aelab/ae/internal/gemm.worker"))
}
