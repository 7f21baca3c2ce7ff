package handlers

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	promodel "github.com/prometheus/common/model"

	"github.com/aelab/aelab/session"
)

// scrape reads /metrics as Prometheus would and returns its families.
func scrape(t *testing.T, ts *testServer) map[string]*dto.MetricFamily {
	t.Helper()
	res, b := ts.do(t, "GET", "/metrics", "", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(promodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, b)
	}
	return fams
}

// value is the value of a metric with the given label (name=value), or of
// its only sample when label is "".
func value(t *testing.T, fams map[string]*dto.MetricFamily, name, label string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric %s", name)
	}
	for _, m := range f.GetMetric() {
		match := label == ""
		for _, l := range m.GetLabel() {
			if l.GetName()+"="+l.GetValue() == label {
				match = true
			}
		}
		if !match {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no sample of %s with %q", name, label)
	return 0
}

// TestMetricsCountWorkAndRefusals trains one small run and checks what
// /metrics says of it: the examples trained to the last one, the refusal of
// a second start by the rate limit, the open viewer, and the budget.
func TestMetricsCountWorkAndRefusals(t *testing.T) {
	ts := newTestServerWith(t, func(d *Deps) {
		d.Sessions = session.NewManager(session.Options{Datasets: registry, StartLimit: session.RateLimit{Burst: 1, PerMinute: 1}})
	})
	fams := scrape(t, ts)
	if v := value(t, fams, "aelab_samples_trained_total", ""); v != 0 {
		t.Fatalf("samples before any training: %g", v)
	}
	if v := value(t, fams, "aelab_memory_budget_bytes", ""); v <= 0 {
		t.Fatalf("memory budget %g", v)
	}
	if fams["go_goroutines"] == nil || fams["process_resident_memory_bytes"] == nil {
		t.Error("the Go runtime's and the process's metrics are missing")
	}

	c := ts.create(t, smallJSON) // 512 examples × 2 epochs
	ws := dialWS(t, ts, c.ID, nil)
	defer ws.Close()
	if res, b := ts.do(t, "POST", "/api/sessions", smallJSON, nil); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second start: %d %s", res.StatusCode, b)
	}
	s, err := ts.m.Get(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-time.After(60 * time.Second):
		t.Fatal("the training did not end")
	}
	fams = scrape(t, ts)
	if v := value(t, fams, "aelab_samples_trained_total", ""); v != 1024 {
		t.Errorf("samples trained %g, want 1024 (512 examples × 2 epochs)", v)
	}
	if v := value(t, fams, "aelab_steps_total", ""); v != 32 {
		t.Errorf("steps %g, want 32 (16 batches of 32 × 2 epochs)", v)
	}
	if v := value(t, fams, "aelab_refusals_total", "reason=rate_limited"); v != 1 {
		t.Errorf("rate-limit refusals %g, want 1", v)
	}
	if v := value(t, fams, "aelab_refusals_total", "reason=queue_full"); v != 0 {
		t.Errorf("queue-full refusals %g, want 0", v)
	}
	if v := value(t, fams, "aelab_viewers", ""); v != 1 {
		t.Errorf("viewers %g, want 1", v)
	}
	if v := value(t, fams, "aelab_trainings_running", ""); v != 0 {
		t.Errorf("trainings running after the end: %g", v)
	}
}
