package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

type fixedSource struct{}

func (fixedSource) Stats() session.Stats       { return session.Stats{Running: 2} }
func (fixedSource) Counters() session.Counters { return session.Counters{} }

// With a bus, /metrics shows the shared queue's lag; when the bus cannot
// be read, or without one, the lag is left out.
func TestBusLag(t *testing.T) {
	scrape := func(p Probes) string {
		t.Helper()
		rec := httptest.NewRecorder()
		Handler(fixedSource{}, p).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	out := scrape(Probes{BusLag: func() (int, int, int, bool) { return 3, 5, 1, true }})
	for _, want := range []string{"aelab_bus_jobs_waiting 3", "aelab_bus_jobs_held 5", "aelab_bus_jobs_redelivered 1", "aelab_trainings_running 2"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, p := range []Probes{{}, {BusLag: func() (int, int, int, bool) { return 0, 0, 0, false }}} {
		if out := scrape(p); strings.Contains(out, "aelab_bus_") {
			t.Errorf("bus metrics without a readable bus:\n%s", out)
		}
	}
}
