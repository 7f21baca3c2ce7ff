package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"time"
)

// classScenario: a class of students start a training each within a second,
// and each watches it; meanwhile pages and session lookups are sampled.
func classScenario(ctx context.Context, e *env, o options, rep *report) error {
	const sc = "class"
	srv, err := e.start(ctx, sc)
	if err != nil {
		return err
	}
	defer srv.kill()
	a := newAPI(srv.base)
	defer a.close()
	cpu0, _ := cpuTime(srv.pid())
	self0, _ := cpuTime(os.Getpid())
	door := &doorWatch{}
	dctx, stopDoor := context.WithCancel(ctx)
	defer stopDoor()
	doorDone := make(chan struct{})
	go func() { defer close(doorDone); door.run(dctx, srv.base, 100*time.Millisecond) }()

	n := o.classSessions
	sessions := make([]created, n)
	viewers := make([]*viewer, n)
	createErrs := make([]error, n)
	var created, watched sync.WaitGroup
	begin := time.Now()
	var lastCreate time.Time
	var mu sync.Mutex
	for i := range n {
		created.Add(1)
		watched.Add(1)
		go func() { // one student: start a training, then watch it
			defer watched.Done()
			c, err := a.create(ctx, aeS(o.classTrain, o.classEpochs, i+1))
			mu.Lock()
			lastCreate = time.Now()
			mu.Unlock()
			sessions[i], createErrs[i] = c, err
			if err != nil {
				created.Done()
				return
			}
			viewers[i] = newViewer(srv.base, c.ID)
			created.Done()
			viewers[i].run(ctx)
		}()
	}
	created.Wait()
	spread := lastCreate.Sub(begin)
	ids := []string{}
	for i, err := range createErrs {
		if err != nil {
			watched.Wait()
			return fmt.Errorf("starting training %d of %d: %w", i+1, n, err)
		}
		ids = append(ids, sessions[i].ID)
	}

	// Sample latencies until every viewer has seen its training end.
	sctx, stopSampling := context.WithCancel(ctx)
	home := newSampler(srv.base, o.sampleRate, func(int) string { return "/" })
	info := newSampler(srv.base, o.sampleRate, func(i int) string { return "/api/sessions/" + ids[i%len(ids)] })
	var sampling sync.WaitGroup
	for _, s := range []*sampler{home, info} {
		sampling.Add(1)
		go func() { defer sampling.Done(); s.run(sctx) }()
	}
	watched.Wait()
	stopSampling()
	sampling.Wait()
	wall := time.Since(begin)
	cpu1, _ := cpuTime(srv.pid())
	self1, _ := cpuTime(os.Getpid())
	rss, rssErr := srv.peakRSS()
	stopDoor()
	<-doorDone

	// What the server says about each training.
	tot, err := totalsOf(ctx, a, ids)
	if err != nil {
		return err
	}
	for _, n := range tot.notes {
		rep.note("class: %s", n)
	}
	completed, samples, runTimes := tot.completed, tot.samples, tot.runTimes

	// What the viewers saw.
	minRate, worst, worstID, over := math.Inf(1), gap{}, "", 0
	var rates []float64
	var problems []string
	closes := map[int]int{}
	for i, v := range viewers {
		if v.err != nil {
			problems = append(problems, fmt.Sprintf("viewer of %s: %v", ids[i], v.err))
		}
		closes[v.closeCode]++
		r, g, ok := v.updateRate()
		if !ok {
			problems = append(problems, fmt.Sprintf("viewer of %s never saw it both running and ended (state %q)", ids[i], v.state))
			minRate = 0
			continue
		}
		rates = append(rates, r)
		minRate = min(minRate, r)
		if g.d > worst.d {
			worst, worstID = g, ids[i]
		}
		for _, g := range v.gaps() {
			if g.d > time.Second {
				over++
			}
		}
	}
	if math.IsInf(minRate, 1) {
		minRate = 0
	}
	if o.gapsCSV != "" {
		if err := writeGaps(o.gapsCSV, ids, viewers); err != nil {
			rep.note("class: -gaps-csv: %v", err)
		}
	}
	rs := summarize(rates)
	rt := summarize(runTimes)

	rep.info(sc, "workload", "%d × AE-S (784-256-50-256-784) on %d MNIST examples × %d epochs, batch 64, one viewer each", n, o.classTrain, o.classEpochs)
	rep.check(sc, "all trainings started within", fmt.Sprintf("%.2f s", spread.Seconds()), "≤ 1 s", spread <= time.Second)
	rep.check(sc, "trainings completed", fmt.Sprintf("%d/%d", completed, n), fmt.Sprintf("%d/%d", n, n), completed == n)
	rep.check(sc, "lowest per-session update rate", fmt.Sprintf("%.2f progress/s", minRate), "≥ 1/s", minRate >= 1)
	rep.info(sc, "update rate p50 / max", "%.2f / %.2f progress/s", rs.P50, rs.Max)
	rep.info(sc, "longest wait between updates; waits over 1 s", "%.2f s; %d", worst.d.Seconds(), over)
	if worst.d > 0 {
		steps := (o.classTrain + 63) / 64 // per epoch (the last batch may be partial)
		rep.note("class: the longest wait between two progress messages was in session %s, from step %d to step %d (-1: start or end of running; an epoch is %d steps)",
			worstID, worst.from, worst.to, steps)
	}
	rep.check(sc, "viewers ended cleanly", fmt.Sprintf("%d/%d (close codes %s)", n-len(problems), n, fmtCodes(closes)), fmt.Sprintf("%d/%d", n, n), len(problems) == 0)
	for _, p := range problems {
		rep.note("class: %s", p)
	}
	for _, x := range []struct {
		name string
		s    *sampler
	}{{"GET /", home}, {"GET /api/sessions/{id}", info}} {
		s, errs, firstErr := x.s.lat.summary()
		rep.info(sc, x.name+" latency p50 / p99 / max", "%s / %s / %s (%d requests at %g/s)", fmtMS(s.P50), fmtMS(s.P99), fmtMS(s.Max), s.N, o.sampleRate)
		bad := errs + int(x.s.skipped.Load())
		rep.check(sc, x.name+" failed or skipped requests", fmt.Sprint(bad), "0", bad == 0)
		if firstErr != nil {
			rep.note("class: %s: first error: %v", x.name, firstErr)
		}
	}
	if rssErr != nil {
		rep.note("class: peak RSS: %v", rssErr)
	}
	if door.Polls > 0 {
		rep.info(sc, "memory the door reserved at peak (shared part) of its budget; most running, queued", "%.0f MB (%.0f MB) of %.0f MB; %d, %d",
			float64(door.PeakUsed)/1e6, float64(door.PeakShared)/1e6, float64(door.Budget)/1e6, door.PeakRunning, door.PeakQueued)
	}
	rep.check(sc, "server peak RSS (VmHWM)", fmt.Sprintf("%.0f MB (%s)", float64(rss)/1e6, mib(rss)),
		fmt.Sprintf("≤ %g MB", o.classMaxRSS), rssErr == nil && float64(rss) <= o.classMaxRSS*1e6)
	span := tot.last.Sub(tot.first)
	rep.info(sc, "total training throughput", "%.0f samples/s (%d samples in %.1f s)", tot.throughput(), samples, span.Seconds())
	rep.info(sc, "training run time min / p50 / max", "%.1f / %.1f / %.1f s", rt.Min, rt.P50, rt.Max)
	rep.info(sc, "server CPU; load-test client CPU", "%.2f cores; %.2f cores (over %.1f s)",
		(cpu1-cpu0).Seconds()/wall.Seconds(), (self1-self0).Seconds()/wall.Seconds(), wall.Seconds())
	return nil
}

// writeGaps writes every wait between updates that the viewers saw, one
// line each: session, seconds, step before, step after (-1: start or end).
func writeGaps(path string, ids []string, viewers []*viewer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"session", "seconds", "from_step", "to_step"})
	for i, v := range viewers {
		for _, g := range v.gaps() {
			_ = w.Write([]string{ids[i], strconv.FormatFloat(g.d.Seconds(), 'f', 3, 64), strconv.Itoa(g.from), strconv.Itoa(g.to)})
		}
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}
