//go:build !unix

package cputime

import "time"

// Process reports that this system gives no CPU time.
func Process() (time.Duration, bool) { return 0, false }
