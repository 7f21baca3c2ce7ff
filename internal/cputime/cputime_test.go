package cputime

import (
	"testing"
	"time"
)

// TestProcessCountsWork: spinning for 200 ms of wall time adds CPU time,
// and never more than the wall time that passed on this one goroutine's
// thread plus what the rest of the process did meanwhile (bounded loosely).
func TestProcessCountsWork(t *testing.T) {
	before, ok := Process()
	if !ok {
		t.Skip("no CPU time on this system")
	}
	start := time.Now()
	x := 0
	for time.Since(start) < 200*time.Millisecond {
		x++
	}
	after, _ := Process()
	wall := time.Since(start)
	if used := after - before; used <= 0 || used > 4*wall {
		t.Fatalf("%v of CPU for %v of spinning (%d loops)", used, wall, x)
	}
}
