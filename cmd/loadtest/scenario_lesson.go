package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// lessonPhase is one run of the lesson scenario, with or without the
// teacher's dashboard open.
type lessonPhase struct {
	dashboard  *dashboard // nil without
	ids        []string
	totals     trainingTotals
	minRate    float64 // lowest progress rate a student saw
	problems   []string
	serverCPU  float64 // cores
	wall       time.Duration
	peakRSS    int64
	joinSpread time.Duration // from the first join to the last answer
}

// lessonScenario: a teacher creates a class, students join it by its code
// and half of them start a training each at once, each watching it, while
// the teacher's dashboard follows the class. The same lesson runs without
// the dashboard too, each time on a fresh server, in the order without,
// with, with, without (repeated): the dashboard must not cost the class
// more than a few percent of its training.
func lessonScenario(ctx context.Context, e *env, o options, rep *report) error {
	const sc = "lesson"
	order := []bool{false, true, true, false}
	var with, without []lessonPhase
	var sequence []string
	for p := 0; p < o.lessonPairs; p++ {
		for _, dash := range order[2*(p%2) : 2*(p%2)+2] {
			sequence = append(sequence, map[bool]string{false: "without", true: "with"}[dash])
			name := fmt.Sprintf("%s-%d", sc, len(with)+len(without)+1)
			ph, err := runLesson(ctx, e, o, name, dash)
			if err != nil {
				return fmt.Errorf("%s (dashboard %v): %w", name, dash, err)
			}
			if dash {
				with = append(with, ph)
			} else {
				without = append(without, ph)
			}
		}
	}

	tput := func(ps []lessonPhase) (mean float64, list string) {
		s := make([]string, len(ps))
		for i, p := range ps {
			mean += p.totals.throughput() / float64(len(ps))
			s[i] = fmt.Sprintf("%.0f", p.totals.throughput())
		}
		return mean, strings.Join(s, ", ")
	}
	mWith, lWith := tput(with)
	mWithout, lWithout := tput(without)
	ratio := mWith / mWithout

	completed, total, minRate := 0, 0, math.Inf(1)
	var problems []string
	all := append(append([]lessonPhase{}, without...), with...)
	for _, p := range all {
		completed += p.totals.completed
		total += len(p.ids)
		minRate = min(minRate, p.minRate)
		problems = append(problems, p.problems...)
	}
	minFrame, minTile, largest, longest := math.Inf(1), math.Inf(1), 0, time.Duration(0)
	largestTyp, reconnects, msgs := "", 0, 0
	for _, p := range with {
		d := p.dashboard
		r, l, ok := d.frameRate()
		if !ok {
			r = 0
			problems = append(problems, "the dashboard did not see every run both running and ended")
		}
		minFrame, longest = min(minFrame, r), max(longest, l)
		for _, id := range p.ids {
			tr, ok := d.tileRate(id)
			if !ok {
				problems = append(problems, fmt.Sprintf("the dashboard never saw run %s both running and ended", id))
			}
			minTile = min(minTile, tr)
		}
		if d.largest > largest {
			largest, largestTyp = d.largest, d.largestTyp
		}
		reconnects += d.reconnects
		msgs += d.messages
		if d.err != nil {
			problems = append(problems, fmt.Sprintf("dashboard: %v", d.err))
		}
	}

	n := o.lessonRunning
	rep.info(sc, "workload", "a class of %d students joined by code; %d of them each start AE-S on %d MNIST examples × %d epochs at once and watch it; %d lessons with the teacher's dashboard open, %d without, each on a fresh server (%s)",
		o.lessonStudents, n, o.lessonTrain, o.lessonEpochs, len(with), len(without), strings.Join(sequence, ", "))
	var spread time.Duration
	for _, p := range all {
		spread = max(spread, p.joinSpread)
	}
	rep.info(sc, "joins (all answered within)", "%d × %d students (%.2f s)", len(all), o.lessonStudents, spread.Seconds())
	rep.check(sc, "trainings completed", fmt.Sprintf("%d/%d", completed, total), fmt.Sprintf("%d/%d", total, total), completed == total)
	rep.check(sc, "lowest per-run update rate (students' streams)", fmt.Sprintf("%.2f progress/s", minRate), "≥ 1/s", minRate >= 1)
	rep.check(sc, "dashboard frame rate (lowest of the lessons)", fmt.Sprintf("%.1f messages/s", minFrame), "≥ 1/s", minFrame >= 1)
	rep.info(sc, "dashboard: longest wait between messages; messages in all", "%.2f s; %d", longest.Seconds(), msgs)
	rep.check(sc, "dashboard: lowest tile rate of a run", fmt.Sprintf("%.2f tiles/s", minTile), "≥ 1/s", minTile >= 1)
	rep.check(sc, "dashboard: largest message", fmt.Sprintf("%d bytes (%s)", largest, largestTyp), fmt.Sprintf("< %d bytes", o.lessonMaxMessage), largest > 0 && largest < o.lessonMaxMessage)
	rep.check(sc, "dashboard dropped as too slow", fmt.Sprint(reconnects), "0", reconnects == 0)
	rep.check(sc, "students' streams and dashboards ended cleanly", fmt.Sprintf("%d problems", len(problems)), "0", len(problems) == 0)
	for i, p := range problems {
		if i == 5 {
			rep.note("lesson: … and %d more problems", len(problems)-5)
			break
		}
		rep.note("lesson: %s", p)
	}
	rep.info(sc, "total training throughput without the dashboard", "%s samples/s", lWithout)
	rep.info(sc, "total training throughput with the dashboard", "%s samples/s", lWith)
	rep.check(sc, "throughput with ÷ without the dashboard (means)", fmt.Sprintf("%.1f%%", 100*ratio),
		fmt.Sprintf("≥ %.0f%%", 100*o.lessonMinRatio), ratio >= o.lessonMinRatio)
	cpu := func(ps []lessonPhase) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = fmt.Sprintf("%.2f", p.serverCPU)
		}
		return strings.Join(s, ", ")
	}
	rep.info(sc, "server CPU without / with the dashboard", "%s / %s cores", cpu(without), cpu(with))
	var rss int64
	for _, p := range all {
		rss = max(rss, p.peakRSS)
	}
	rep.info(sc, "server peak RSS (VmHWM, highest of the lessons)", "%.0f MB", float64(rss)/1e6)
	return nil
}

// runLesson runs one lesson on a fresh server.
func runLesson(ctx context.Context, e *env, o options, name string, withDashboard bool) (lessonPhase, error) {
	var ph lessonPhase
	srv, err := e.start(ctx, name)
	if err != nil {
		return ph, err
	}
	defer srv.kill()
	a := newAPI(srv.base)
	defer a.close()
	cl, err := a.createClass(ctx, "Load test")
	if err != nil {
		return ph, err
	}
	dctx, stopDash := context.WithCancel(ctx)
	defer stopDash()
	dashDone := make(chan struct{})
	if withDashboard {
		ph.dashboard = newDashboard(srv.base, cl.ID)
		go func() { defer close(dashDone); ph.dashboard.run(dctx) }()
		select {
		case <-ph.dashboard.ready:
		case <-time.After(15 * time.Second):
			return ph, fmt.Errorf("the dashboard got no snapshot within 15 s")
		}
	} else {
		close(dashDone)
	}

	// The students join at once.
	tokens := make([]string, o.lessonStudents)
	errs := make([]error, o.lessonStudents)
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := a.join(ctx, cl.Code, fmt.Sprintf("Student %d", i+1))
			tokens[i], errs[i] = j.StudentToken, err
		}()
	}
	wg.Wait()
	ph.joinSpread = time.Since(begin)
	for i, err := range errs {
		if err != nil {
			return ph, fmt.Errorf("student %d joining: %w", i+1, err)
		}
	}

	// The first lessonRunning of them start a training each at once, and
	// watch it.
	cpu0, _ := cpuTime(srv.pid())
	start := time.Now()
	n := o.lessonRunning
	ph.ids = make([]string, n)
	viewers := make([]*viewer, n)
	var created, watched sync.WaitGroup
	for i := range n {
		created.Add(1)
		watched.Add(1)
		go func() {
			defer watched.Done()
			c, err := a.createIn(ctx, cl.ID, tokens[i], aeS(o.lessonTrain, o.lessonEpochs, i+1))
			errs[i] = err
			if err != nil {
				created.Done()
				return
			}
			ph.ids[i], viewers[i] = c.ID, newViewer(srv.base, c.ID)
			created.Done()
			viewers[i].run(ctx)
		}()
	}
	created.Wait()
	for i := range n {
		if errs[i] != nil {
			watched.Wait()
			return ph, fmt.Errorf("student %d starting a training: %w", i+1, errs[i])
		}
	}
	watched.Wait()
	if withDashboard {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := ph.dashboard.waitEnded(wctx, ph.ids)
		cancel()
		if err != nil {
			ph.problems = append(ph.problems, err.Error())
		}
	}
	ph.wall = time.Since(start)
	cpu1, _ := cpuTime(srv.pid())
	ph.serverCPU = (cpu1 - cpu0).Seconds() / ph.wall.Seconds()
	ph.peakRSS, _ = srv.peakRSS()
	stopDash()
	<-dashDone

	ph.minRate = math.Inf(1)
	for i, v := range viewers {
		if v.err != nil {
			ph.problems = append(ph.problems, fmt.Sprintf("%s: student's stream of %s: %v", name, ph.ids[i], v.err))
		}
		r, _, ok := v.updateRate()
		if !ok {
			ph.problems = append(ph.problems, fmt.Sprintf("%s: the student never saw %s both running and ended", name, ph.ids[i]))
		}
		ph.minRate = min(ph.minRate, r)
	}
	ph.totals, err = totalsOf(ctx, a, ph.ids)
	for _, s := range ph.totals.notes {
		ph.problems = append(ph.problems, name+": "+s)
	}
	return ph, err
}
