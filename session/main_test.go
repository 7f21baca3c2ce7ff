package session

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind (hubs,
// trainers and subscriptions must all end).
func TestMain(m *testing.M) {
	// The matrix-product worker pool lives for the whole process by design.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/aelab/aelab/ae/internal/gemm.worker"))
}
