package handlers

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"github.com/aelab/aelab/session"
)

// analysisWait is how long a heavy analysis request waits for its turn
// before it is refused with 503 (well inside the server's write timeout).
const analysisWait = 25 * time.Second

// analysisJobs bounds the analyses that take seconds of CPU in the request
// goroutine (feature extraction, the pretraining comparison): at most two
// run at once, one on a machine with fewer than four cores, so that they
// cannot starve the trainings. Others wait their turn, up to analysisWait.
type analysisJobs struct{ slots chan struct{} }

func newAnalysisJobs() *analysisJobs {
	return &analysisJobs{slots: make(chan struct{}, min(2, max(1, runtime.NumCPU()/2)))}
}

// run waits for a slot and calls f in the request goroutine.
func (j *analysisJobs) run(ctx context.Context, f func(ctx context.Context) error) error {
	wait, cancel := context.WithTimeout(ctx, analysisWait)
	defer cancel()
	select {
	case j.slots <- struct{}{}:
	case <-wait.Done():
		return session.Errorf(session.EUnavailable, "the server is busy with other analyses; try again in a minute")
	}
	defer func() { <-j.slots }()
	return f(ctx)
}

// decodeOptionalJSON is decodeJSON for bodies whose every field has a
// default: an empty body means {}.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, v)
}
