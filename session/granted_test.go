package session

import (
	"runtime"
	"time"

	"github.com/aelab/aelab/internal/cputime"
)

// grantedClock measures how long a test has had the machine: the wall time
// since it started, scaled down by the share of the process's cores
// (GOMAXPROCS) it was granted meanwhile (its CPU time over cores × wall).
// On an idle machine the two are the same; on one shared with other work a
// deadline in granted time stretches as much as the work it waits for.
type grantedClock struct {
	wall time.Time
	cpu  time.Duration
	ok   bool
}

func startGranted() grantedClock {
	c, ok := cputime.Process()
	return grantedClock{wall: time.Now(), cpu: c, ok: ok}
}

// elapsed returns the granted time since the clock started and the wall
// time; without CPU time from the system, both are the wall time.
func (g grantedClock) elapsed() (granted, wall time.Duration) {
	wall = time.Since(g.wall)
	if !g.ok {
		return wall, wall
	}
	c, _ := cputime.Process()
	return min(wall, (c-g.cpu)/time.Duration(runtime.GOMAXPROCS(0))), wall
}

// over reports whether the test has had the machine for longer than limit,
// or waited four times that in wall time (a deadlock uses no CPU, so
// granted time alone would never run out, and the package's own timeout
// would end every test instead of failing this one).
func (g grantedClock) over(limit time.Duration) bool {
	granted, wall := g.elapsed()
	return granted > limit || wall > 4*limit
}
