package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// audienceRun is one training of the audience scenario.
type audienceRun struct {
	id         string
	state      string
	final      progressMsg // from a snapshot taken after the end
	throughput float64     // samples per second of training time
	serverCPU  time.Duration
	serverWait time.Duration // waiting for a CPU, runnable
	clientCPU  time.Duration
	wall       time.Duration // resume → end
	viewers    []*viewer
}

// audienceScenario: one training watched by many viewers, against the same
// training with nobody watching (before and after, to average out a noisy
// machine).
func audienceScenario(ctx context.Context, e *env, o options, rep *report) error {
	const sc = "audience"
	srv, err := e.start(ctx, sc)
	if err != nil {
		return err
	}
	defer srv.kill()
	a := newAPI(srv.base)
	defer a.close()
	cfg := aeS(o.audienceTrain, o.audienceEpochs, 7)

	// Baseline, viewers, baseline, viewers, …, baseline.
	var without, with []audienceRun
	for round := 0; ; round++ {
		r, err := audienceTraining(ctx, srv, a, cfg, 0)
		if err != nil {
			return fmt.Errorf("training without viewers: %w", err)
		}
		without = append(without, r)
		if round == o.audienceRounds {
			break
		}
		if r, err = audienceTraining(ctx, srv, a, cfg, o.audienceViewers); err != nil {
			return fmt.Errorf("training with viewers: %w", err)
		}
		with = append(with, r)
	}
	rss, _ := srv.peakRSS()
	mean := func(rs []audienceRun, f func(audienceRun) float64) float64 {
		sum := 0.0
		for _, r := range rs {
			sum += f(r)
		}
		return sum / float64(len(rs))
	}
	list := func(rs []audienceRun) string {
		s := make([]string, len(rs))
		for i, r := range rs {
			s[i] = fmt.Sprintf("%.0f", r.throughput)
		}
		return strings.Join(s, ", ")
	}
	tput := func(r audienceRun) float64 { return r.throughput }
	ratio := mean(with, tput) / mean(without, tput)
	// Each training with viewers against the mean of the two without
	// around it; the bar is on the median of these, which one outlier on a
	// shared machine cannot move.
	rounds := make([]string, len(with))
	ratios := make([]float64, len(with))
	for i, r := range with {
		ratios[i] = 2 * r.throughput / (without[i].throughput + without[i+1].throughput)
		rounds[i] = fmt.Sprintf("%.0f%%", 100*ratios[i])
	}
	median := percentile(ratios, 50)

	var viewers []*viewer
	for _, r := range with {
		viewers = append(viewers, r.viewers...)
	}
	n := len(viewers)
	var msgs, bytes []float64
	var gotState, gotClose, dropped, failed int
	reconnects := 0
	for _, v := range viewers {
		msgs = append(msgs, float64(v.messages()))
		bytes = append(bytes, float64(v.bytes))
		if v.state == "completed" && (v.finalStateMsg == "completed" || v.reconnects > 0) {
			gotState++
		}
		if v.closeCode == 1000 {
			gotClose++
		}
		if v.reconnects > 0 {
			dropped++
			reconnects += v.reconnects
		}
		if v.err != nil {
			failed++
			if failed <= 3 {
				rep.note("audience: viewer: %v", v.err)
			}
		}
	}
	ms, bs := summarize(msgs), summarize(bytes)
	heavy := viewers[0].counts["latent"]

	rep.info(sc, "workload", "AE-S on %d MNIST examples × %d epochs (%d steps); %d trainings watched by %d viewers each, between %d with none",
		o.audienceTrain, o.audienceEpochs, with[0].final.TotalSteps, len(with), o.audienceViewers, len(without))
	rep.info(sc, "throughput without viewers", "%s samples/s", list(without))
	rep.info(sc, fmt.Sprintf("throughput with %d viewers", o.audienceViewers), "%s samples/s", list(with))
	rep.info(sc, "each training with viewers ÷ the two around it", "%s (ratio of the means %.1f%%)", strings.Join(rounds, ", "), 100*ratio)
	rep.check(sc, "throughput with ÷ without viewers (median)", fmt.Sprintf("%.1f%%", 100*median), fmt.Sprintf("≥ %.0f%%", 100*o.minThroughput), median >= o.minThroughput)
	rep.check(sc, "viewers (all rounds) that got the final state completed", fmt.Sprintf("%d/%d", gotState, n), fmt.Sprintf("%d/%d", n, n), gotState == n)
	rep.check(sc, "viewers that got a close frame (1000)", fmt.Sprintf("%d/%d", gotClose, n), fmt.Sprintf("%d/%d", n, n), gotClose == n)
	rep.check(sc, "viewers dropped without recovering", fmt.Sprint(failed), "0", failed == 0)
	rep.info(sc, "viewers dropped as too slow and reconnected", "%d (%d reconnections)", dropped, reconnects)
	rep.info(sc, "messages per viewer min / p50 / max", "%.0f / %.0f / %.0f (%.1f MiB each at p50; %d scatter updates)", ms.Min, ms.P50, ms.Max, bs.P50/(1<<20), heavy)
	cores := func(d func(audienceRun) time.Duration) func(audienceRun) float64 {
		return func(r audienceRun) float64 { return d(r).Seconds() / r.wall.Seconds() }
	}
	server := cores(func(r audienceRun) time.Duration { return r.serverCPU })
	client := cores(func(r audienceRun) time.Duration { return r.clientCPU })
	wait := cores(func(r audienceRun) time.Duration { return r.serverWait })
	rep.info(sc, "server CPU without / with viewers", "%.2f / %.2f cores", mean(without, server), mean(with, server))
	// Less sensitive to other load on the machine than throughput: what a
	// CPU-second of the server buys in training, with and without viewers.
	perCPU := func(r audienceRun) float64 {
		return float64(r.final.Step*cfg.BatchSize) / r.serverCPU.Seconds()
	}
	rep.info(sc, "samples per server CPU-second, with ÷ without viewers", "%.1f%% (%.0f / %.0f)",
		100*mean(with, perCPU)/mean(without, perCPU), mean(with, perCPU), mean(without, perCPU))
	rep.info(sc, "server threads waiting for a CPU without / with viewers", "%.2f / %.2f threads on average", mean(without, wait), mean(with, wait))
	rep.info(sc, "load-test client CPU with viewers", "%.2f cores", mean(with, client))
	rep.info(sc, "server peak RSS (VmHWM)", "%s", mib(rss))
	return nil
}

// audienceTraining runs one training: it starts it, pauses it while the
// viewers connect, resumes it and waits for its end. The throughput is the
// training's own: steps × batch ÷ elapsed_seconds of its final progress
// (which excludes the pause).
func audienceTraining(ctx context.Context, srv *server, a *api, cfg trainConfig, viewers int) (audienceRun, error) {
	var r audienceRun
	c, err := a.create(ctx, cfg)
	if err != nil {
		return r, err
	}
	r.id = c.ID
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := a.waitState(wctx, c.ID, "running"); err != nil {
		return r, err
	}
	if err := a.control(wctx, c, "pause"); err != nil {
		return r, err
	}
	if _, err := a.waitState(wctx, c.ID, "paused"); err != nil {
		return r, err
	}
	var done <-chan struct{}
	if viewers > 0 {
		r.viewers, done = runViewers(ctx, srv.base, slices.Repeat([]string{c.ID}, viewers))
		if err := waitAll(wctx, r.viewers, func(v *viewer) <-chan struct{} { return v.ready }); err != nil {
			return r, fmt.Errorf("viewers connecting: %w", err)
		}
	}
	cpu0, _ := cpuTime(srv.pid())
	wait0, _ := runDelay(srv.pid())
	self0, _ := cpuTime(os.Getpid())
	start := time.Now()
	if err := a.control(ctx, c, "resume"); err != nil {
		return r, err
	}
	in, err := a.waitState(ctx, c.ID, "completed", "stopped", "failed")
	if err != nil {
		return r, err
	}
	r.wall = time.Since(start)
	cpu1, _ := cpuTime(srv.pid())
	wait1, _ := runDelay(srv.pid())
	self1, _ := cpuTime(os.Getpid())
	r.serverCPU, r.clientCPU, r.serverWait = cpu1-cpu0, self1-self0, wait1-wait0
	r.state = in.State
	if in.State != "completed" {
		return r, fmt.Errorf("the training ended %s: %s", in.State, in.Error)
	}
	if done != nil {
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			return r, errors.New("viewers still open 30 s after the training ended")
		}
	}
	// A late joiner's snapshot holds the final progress.
	lctx, lcancel := context.WithTimeout(ctx, 15*time.Second)
	defer lcancel()
	late := newViewer(srv.base, c.ID)
	late.run(lctx)
	if late.err != nil || late.lastProgress.Elapsed <= 0 {
		return r, fmt.Errorf("reading the final progress: %v (elapsed %g)", late.err, late.lastProgress.Elapsed)
	}
	r.final = late.lastProgress
	r.throughput = float64(r.final.Step*cfg.BatchSize) / r.final.Elapsed
	return r, nil
}
