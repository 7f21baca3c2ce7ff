package main

import "runtime/debug"

// gcPercent is the garbage collector's GOGC unless the environment sets
// one: the heap may grow this many percent above what was live after the
// last collection. The server's heap is mostly long-lived buffers without
// pointers (weights, optimizer state, data sets), which a collection does
// not scan, so collections are cheap (about 1% of the CPU with thirty
// trainings) while Go's default of 100 would let the process take twice
// the memory it uses: with 10, thirty MNIST trainings peak near 370 MB
// instead of 630 (go run ./cmd/loadtest -scenarios class).
const gcPercent = 10

// tuneGC applies gcPercent unless GOGC is set.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
