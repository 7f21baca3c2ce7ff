// Package metrics exposes a server's load in the Prometheus text format at
// /metrics: trainings running and queued, examples trained (whose rate is
// the samples/s), the memory budget and what admitted work reserves, CPU
// turns, open viewers, upload storage and the door's refusals by reason,
// beside the Go runtime's and the process's own metrics.
//
// Every value is read from the session manager when Prometheus scrapes, so
// nothing is updated twice and a scrape costs a few locks.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aelab/aelab/session"
)

// Source is what the metrics read: the session manager.
type Source interface {
	Stats() session.Stats
	Counters() session.Counters
}

// Probes are the readings that live outside the manager (in the HTTP
// layer); a nil probe is left out.
type Probes struct {
	Viewers func() int            // WebSockets open now
	Uploads func() (int64, int64) // upload bytes kept, and their budget
	// BusLag reads the shared training queue (with -bus): jobs no replica
	// has taken, jobs taken and not yet acknowledged, and those delivered
	// more than once (a replica died or handed them back); ok false when
	// the bus cannot be read.
	BusLag func() (waiting, held, redelivered int, ok bool)
}

// Handler returns the /metrics handler for src, on a registry of its own
// (so that several servers in one process, as in tests, do not collide).
func Handler(src Source, p Probes) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&collector{src: src, p: p},
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A scrape never queues behind another: two at once is plenty.
		MaxRequestsInFlight: 2,
	})
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("aelab_"+name, help, labels, nil)
}

var (
	dSessions     = desc("sessions", "Sessions the server keeps in memory (any state).")
	dRunning      = desc("trainings_running", "Trainings admitted and not ended (computing or paused).")
	dQueued       = desc("trainings_queued", "Trainings waiting for a slot.")
	dComputing    = desc("computing", "Trainings computing now (not paused) and other admitted work.")
	dCores        = desc("cpu_cores", "CPU turns the server hands out at once.")
	dCPUInUse     = desc("cpu_turns_in_use", "CPU turns held now.")
	dCPUWaiting   = desc("cpu_turns_waiting", "Computations waiting for a CPU turn.")
	dMemBudget    = desc("memory_budget_bytes", "The memory budget work is admitted against (-max-memory).")
	dMemReserved  = desc("memory_reserved_bytes", "Memory reserved by admitted work.")
	dSamples      = desc("samples_trained_total", "Examples trained on, over every training; its rate is the server's samples/s.")
	dSteps        = desc("steps_total", "Optimizer steps, over every training.")
	dRefusals     = desc("refusals_total", "Work the door turned away, by reason.", "reason")
	dViewers      = desc("viewers", "WebSockets open now (session viewers and class dashboards).")
	dUploadBytes  = desc("upload_bytes", "Bytes of uploaded datasets kept.")
	dUploadBudget = desc("upload_budget_bytes", "The budget for uploaded datasets.")
	dMaxRunning   = desc("max_running", "Trainings that may run at once.")
	dMaxQueued    = desc("max_queued", "Trainings that may wait in the queue.")
	dBusWaiting   = desc("bus_jobs_waiting", "Trainings on the shared queue that no replica has taken yet (-bus).")
	dBusHeld      = desc("bus_jobs_held", "Trainings taken from the shared queue by a replica and not yet acknowledged (-bus).")
	dBusRedeliv   = desc("bus_jobs_redelivered", "Trainings held now that were delivered more than once: their replica died or handed them back (-bus).")
)

// collector reads the source at each scrape.
type collector struct {
	src Source
	p   Probes
}

// Describe sends every metric's description.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dSessions, dRunning, dQueued, dComputing, dCores, dCPUInUse, dCPUWaiting,
		dMemBudget, dMemReserved, dSamples, dSteps, dRefusals, dViewers, dUploadBytes, dUploadBudget, dMaxRunning, dMaxQueued, dBusWaiting, dBusHeld, dBusRedeliv} {
		ch <- d
	}
}

// Collect reads the manager (and the probes) once and sends the values.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st, ct := c.src.Stats(), c.src.Counters()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(dSessions, float64(st.Sessions))
	gauge(dRunning, float64(st.Running))
	gauge(dQueued, float64(st.Queued))
	gauge(dComputing, float64(st.Computing))
	gauge(dCores, float64(st.Cores))
	gauge(dCPUInUse, float64(st.CPUInUse))
	gauge(dCPUWaiting, float64(st.CPUWaiting))
	gauge(dMemBudget, float64(st.MemoryBudget))
	gauge(dMemReserved, float64(st.MemoryUsed))
	gauge(dMaxRunning, float64(st.MaxRunning))
	gauge(dMaxQueued, float64(st.MaxQueued))
	counter(dSamples, float64(ct.Samples))
	counter(dSteps, float64(ct.Steps))
	for r, n := range ct.Refusals {
		counter(dRefusals, float64(n), r.String())
	}
	if c.p.Viewers != nil {
		gauge(dViewers, float64(c.p.Viewers()))
	}
	if c.p.Uploads != nil {
		used, budget := c.p.Uploads()
		gauge(dUploadBytes, float64(used))
		gauge(dUploadBudget, float64(budget))
	}
	if c.p.BusLag != nil {
		if waiting, held, redelivered, ok := c.p.BusLag(); ok {
			gauge(dBusWaiting, float64(waiting))
			gauge(dBusHeld, float64(held))
			gauge(dBusRedeliv, float64(redelivered))
		}
	}
}
