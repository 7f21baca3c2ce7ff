package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The runs: a 784-512-128-4 autoencoder on 24,000 examples for 3 epochs
// (about a minute each, three at once on two shared cores), long enough to
// kill a replica in a run's second epoch after Prometheus's first scrapes.
const (
	trainSize = 24000
	runBody   = `{"encoder":[512,128],"bottleneck":4,"train_size":24000,"test_size":200,"batch_size":16,"epochs":3,"seed":%d}`
	perEpoch  = trainSize / 16
	numRuns   = 3
	// viewersPerRun sockets watch each run through Caddy, which spreads
	// them over the replicas (least connections): some of the killed
	// replica's sockets are cut and connect again through Caddy.
	viewersPerRun = 3
)

var client = &http.Client{Timeout: 15 * time.Second}

// get fetches url; with into, it decodes the JSON answer.
func get(u string, into any) (int, []byte, error) {
	res, err := client.Get(u)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err == nil && into != nil && res.StatusCode == 200 {
		err = json.Unmarshal(b, into)
	}
	return res.StatusCode, b, err
}

// runInfo is what GET /api/sessions/{id} says of a run.
type runInfo struct {
	State      string `json:"state"`
	Step       int    `json:"step"`
	Epoch      int    `json:"epoch"`
	TotalSteps int    `json:"total_steps"`
	Replica    string `json:"replica"`
	ResumedAt  *struct {
		Step int `json:"step"`
	} `json:"resumed_at"`
}

// metrics scrapes base/metrics and returns the aelab_ samples by name
// (labels included).
func metrics(base string) (map[string]float64, error) {
	code, b, err := get(base+"/metrics", nil)
	if err != nil || code != 200 {
		return nil, fmt.Errorf("GET %s/metrics: %d %v", base, code, err)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "aelab_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m, nil
}

// replicaOf maps a run's replica name (the default: host name and process
// id) to the index of the replica process.
func (s *stack) replicaOf(name string) int {
	for i, p := range s.replicas {
		if strings.HasSuffix(name, "-"+strconv.Itoa(p.pid())) {
			return i
		}
	}
	return -1
}

// checkStack runs the checks from outside on a stack that is up.
func checkStack(ctx context.Context, s *stack, check func(bool, string, ...any)) error {
	proxy := s.proxyURL()
	// Readiness: each replica, then through Caddy.
	for i, n := range s.names {
		var r struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}
		code, b, _ := get(s.replicaURL(i)+"/readyz", &r)
		check(code == 200 && r.Checks["store"] == "ok" && r.Checks["bus"] == "ok", "%s /readyz: %d %s", n, code, strings.TrimSpace(string(b)))
	}
	okReady := 0
	for range 6 {
		if code, _, _ := get(proxy+"/readyz", nil); code == 200 {
			okReady++
		}
	}
	check(okReady == 6, "/readyz through Caddy: %d of 6 answered 200", okReady)
	code, _, _ := get(proxy+"/metrics", nil)
	check(code == 404, "/metrics through Caddy: %d (refused to the public)", code)
	code, page, _ := get(proxy+"/", nil)
	check(code == 200 && strings.Contains(string(page), "<html"), "home page through Caddy: %d, %d bytes", code, len(page))
	var ups []struct {
		Address string `json:"address"`
		Fails   int    `json:"fails"`
	}
	adm := fmt.Sprintf("http://127.0.0.1:%d/reverse_proxy/upstreams", s.p.caddyAdmin)
	_, _, _ = get(adm, &ups)
	var addrs []string
	for _, u := range ups {
		addrs = append(addrs, u.Address)
	}
	check(len(ups) >= 3, "Caddy's upstreams: %q", addrs)

	// Three runs started and watched through Caddy.
	type run struct {
		id      string
		started time.Time
		taken   time.Duration
		on      int
		vs      []*viewer
	}
	runs := make([]*run, numRuns)
	for i := range runs {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, proxy+"/api/sessions", strings.NewReader(fmt.Sprintf(runBody, i+1)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", proxy)
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("start through Caddy: %w", err)
		}
		var out struct {
			ID string `json:"id"`
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		_ = json.Unmarshal(b, &out)
		if res.StatusCode != http.StatusCreated || out.ID == "" {
			return fmt.Errorf("start through Caddy: %d %s", res.StatusCode, b)
		}
		runs[i] = &run{id: out.ID, started: t0, on: -1}
		for range viewersPerRun {
			runs[i].vs = append(runs[i].vs, watch(proxy, proxy, out.ID))
		}
		check(true, "run %d started through Caddy in %.0f ms: %s", i+1, float64(time.Since(t0).Microseconds())/1000, out.ID)
	}
	info := func(id string) runInfo {
		var in runInfo
		_, _, _ = get(proxy+"/api/sessions/"+id, &in)
		return in
	}
	waitFor := func(limit time.Duration, ok func() bool) bool {
		deadline := time.Now().Add(limit)
		for !ok() {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return false
			}
			time.Sleep(50 * time.Millisecond)
		}
		return true
	}
	for i, r := range runs {
		ok := waitFor(60*time.Second, func() bool {
			r.on = s.replicaOf(info(r.id).Replica)
			return r.on >= 0
		})
		r.taken = time.Since(r.started)
		name := "none"
		if ok {
			name = s.names[r.on]
		}
		check(ok, "run %d taken from the queue by %s %.2f s after its start", i+1, name, r.taken.Seconds())
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var spread []string
	for _, r := range runs {
		if r.on >= 0 && !slices.Contains(spread, s.names[r.on]) {
			spread = append(spread, s.names[r.on])
		}
	}
	logf("the runs train on %d replicas: %q", len(spread), spread)

	// Metrics, scraped from each replica as Prometheus does.
	running, viewers := 0.0, 0.0
	for i, n := range s.names {
		m, err := metrics(s.replicaURL(i))
		check(err == nil, "%s /metrics: trainings running %.0f, queued %.0f, viewers %.0f, bus jobs held %.0f, waiting %.0f (%v)", n,
			m["aelab_trainings_running"], m["aelab_trainings_queued"], m["aelab_viewers"], m["aelab_bus_jobs_held"], m["aelab_bus_jobs_waiting"], err)
		running += m["aelab_trainings_running"]
		viewers += m["aelab_viewers"]
	}
	check(running >= numRuns && viewers >= numRuns*viewersPerRun, "the replicas' /metrics count %.0f trainings running and %.0f viewers (want %d and %d)", running, viewers, numRuns, numRuns*viewersPerRun)
	if s.prom != nil {
		checkPrometheus(s, check)
	}

	// Kill the replica training run 1 during its second epoch.
	victim := runs[0]
	ok := waitFor(5*time.Minute, func() bool { in := info(victim.id); return in.Step >= perEpoch+perEpoch/4 || in.State != "running" })
	before := info(victim.id)
	if !ok || before.State != "running" {
		check(false, "run 1 never reached its second epoch running: %+v", before)
		return nil
	}
	dead := victim.on
	stepAt := map[int]int{} // the steps of the runs on the dead replica at the kill
	for i, r := range runs {
		if r.on == dead {
			stepAt[i] = info(r.id).Step
		}
	}
	probe := probeProxy(proxy, 45*time.Second)
	killed := time.Now()
	if err := syscall.Kill(s.replicas[dead].pid(), syscall.SIGKILL); err != nil {
		return err
	}
	<-s.replicas[dead].done
	// What the store held of those runs when their replica died: the
	// checkpoint each must resume from.
	stored := map[int]int{}
	for i := range stepAt {
		st, err := s.checkpoints(ctx, runs[i].id)
		if err != nil {
			return err
		}
		stored[i] = -1
		if len(st) > 0 {
			stored[i] = st[len(st)-1]
		}
		logf("run %d: at step %d when its replica was killed, epoch checkpoints in PostgreSQL then: %v", i+1, stepAt[i], st)
	}
	logf("killed %s (SIGKILL, pid %d) with run 1 at step %d of %d", s.names[dead], s.replicas[dead].pid(), before.Step, before.TotalSteps)
	var others []int
	for i, r := range runs {
		if r.on == dead {
			others = append(others, i+1)
		}
	}
	logf("runs on %s when it died: %v", s.names[dead], others)

	for i, r := range runs {
		ok := waitFor(6*time.Minute, func() bool { return info(r.id).State == "completed" })
		check(ok, "run %d completed (%.1f s after its start)", i+1, time.Since(r.started).Seconds())
	}
	for i, r := range runs {
		if r.on != dead {
			continue
		}
		after := info(r.id)
		resumed := -1
		if after.ResumedAt != nil {
			resumed = after.ResumedAt.Step
		}
		newOn := s.replicaOf(after.Replica)
		check(newOn >= 0 && newOn != dead && resumed == max(stored[i], 0),
			"run %d resumed on %s from step %d, its last checkpoint in the store at the kill (%d; at step %d then)", i+1, nameOr(s.names, newOn), resumed, stored[i], stepAt[i])
		// The writer flushes once a second: an epoch's end a quarter of an
		// epoch (seconds) before the kill must have its checkpoint stored.
		end := stepAt[i] / perEpoch * perEpoch
		check(end == 0 || stepAt[i]-end < perEpoch/4 || stored[i] == end,
			"run %d's last epoch end before the kill (step %d, %d steps earlier) had its checkpoint in the store (last: %d)", i+1, end, stepAt[i]-end, stored[i])
	}
	for j, v := range victim.vs {
		at := v.firstAfter("interrupted", killed)
		back := v.firstAfter("running", at)
		check(!at.IsZero() && !back.IsZero(), "run 1's viewer %d through Caddy saw it interrupted %.1f s and running again %.1f s after the kill",
			j+1, sinceOr(at, killed), sinceOr(back, killed))
	}
	cut := 0
	for i, r := range runs {
		for j, v := range r.vs {
			<-v.done
			v.mu.Lock()
			states, last, n, msgs, bytes, recon, fails, gaps := slices.Clone(v.states), -1, len(v.steps), v.messages, v.bytes, v.reconnects, v.dialFails, slices.Clone(v.gaps)
			if n > 0 {
				last = v.steps[n-1]
			}
			v.mu.Unlock()
			cut += recon
			final := info(r.id)
			check(len(states) > 0 && states[len(states)-1] == "completed" && last == final.TotalSteps && v.monotone(),
				"run %d, viewer %d: states %v, curve to step %d of %d (%d points, rising: %v), %d messages, %.1f MB; %d reconnections %v, %d refused dials",
				i+1, j+1, states, last, final.TotalSteps, n, v.monotone(), msgs, float64(bytes)/1e6, recon, roundAll(gaps), fails)
		}
	}
	logf("sockets cut by the kill and opened again through Caddy: %d of %d", cut, numRuns*viewersPerRun)
	pr := <-probe
	check(true, "/readyz through Caddy after the kill, every 100 ms for 45 s: %d of %d answered 200; failures %v from %.1f to %.1f s after the kill",
		pr.ok, pr.total, pr.codes, sinceOr(pr.firstFail, killed), sinceOr(pr.lastFail, killed))
	_, _, _ = get(adm, &ups)
	logf("Caddy's upstreams after: %+v", ups)
	if s.prom != nil {
		checkPrometheusSeesDown(s, s.names[dead], check)
	}
	var samples float64
	for i, n := range s.names {
		if i == dead {
			continue
		}
		m, err := metrics(s.replicaURL(i))
		if err == nil {
			logf("%s /metrics: samples trained %.0f, steps %.0f, bus jobs redelivered %.0f", n, m["aelab_samples_trained_total"], m["aelab_steps_total"], m["aelab_bus_jobs_redelivered"])
			samples += m["aelab_samples_trained_total"]
		}
	}
	logf("the surviving replicas trained %.0f examples (the three runs: %d; the killed replica's part before it died is not counted)", samples, numRuns*3*trainSize)
	return checkRestartAndHandover(ctx, s, dead, check)
}

// checkRestartAndHandover starts the killed replica again (compose's
// restart policy) and checks it rejoins, then stops the replica training a
// new run with SIGTERM (docker compose stop, an upgrade): the run is handed
// back at once and resumed elsewhere from the step where it stopped.
func checkRestartAndHandover(ctx context.Context, s *stack, dead int, check func(bool, string, ...any)) error {
	proxy := s.proxyURL()
	t0 := time.Now()
	if err := s.startReplica(dead, logf); err != nil {
		return err
	}
	err := s.waitReplica(ctx, dead)
	var r struct {
		Checks map[string]string `json:"checks"`
	}
	code, _, _ := get(s.replicaURL(dead)+"/readyz", &r)
	check(err == nil && code == 200 && r.Checks["bus"] == "ok", "%s started again: healthy and ready (%d, %v) %.2f s after its start (%v)", s.names[dead], code, r.Checks, time.Since(t0).Seconds(), err)

	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, proxy+"/api/sessions", strings.NewReader(fmt.Sprintf(runBody, 9)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", proxy)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	var out struct {
		ID string `json:"id"`
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || json.Unmarshal(b, &out) != nil {
		return fmt.Errorf("the fourth run through Caddy: %d %s", res.StatusCode, b)
	}
	var vs []*viewer
	for range viewersPerRun {
		vs = append(vs, watch(proxy, proxy, out.ID))
	}
	info := func() runInfo {
		var in runInfo
		_, _, _ = get(proxy+"/api/sessions/"+out.ID, &in)
		return in
	}
	deadline := time.Now().Add(3 * time.Minute)
	var in runInfo
	for in = info(); (in.State != "running" || in.Step < perEpoch/3 || s.replicaOf(in.Replica) < 0) && time.Now().Before(deadline); in = info() {
		time.Sleep(50 * time.Millisecond)
	}
	on := s.replicaOf(in.Replica)
	if on < 0 || in.State != "running" {
		check(false, "the fourth run never trained: %+v", in)
		return nil
	}
	stepBefore := in.Step
	stopped := time.Now()
	took := s.replicas[on].stop(syscall.SIGTERM, 30*time.Second)
	check(took < 20*time.Second, "%s, training run 4 at step %d, stopped with SIGTERM in %.2f s (compose waits 30 s, -shutdown-timeout is 20 s)", s.names[on], in.Step, took.Seconds())
	deadline = time.Now().Add(4 * time.Minute)
	for in = info(); in.State != "completed" && time.Now().Before(deadline); in = info() {
		time.Sleep(100 * time.Millisecond)
	}
	resumed := -1
	if in.ResumedAt != nil {
		resumed = in.ResumedAt.Step
	}
	now := s.replicaOf(in.Replica)
	check(in.State == "completed" && now >= 0 && now != on && resumed >= stepBefore,
		"run 4 handed back and completed on %s, resumed from step %d (where the stop saved it; step %d just before the signal)", nameOr(s.names, now), resumed, stepBefore)
	for j, v := range vs {
		<-v.done
		// A viewer on another replica sees the run interrupted; one on the
		// stopped replica is told it stopped for the shutdown, and comes
		// back through Caddy to another replica, as the page does.
		at := v.firstAfter("interrupted", stopped)
		if st := v.firstAfter("stopped", stopped); at.IsZero() || (!st.IsZero() && st.Before(at)) {
			at = st
		}
		back := v.firstAfter("running", at)
		v.mu.Lock()
		states, recon := slices.Clone(v.states), v.reconnects
		v.mu.Unlock()
		check(!at.IsZero() && !back.IsZero() && states[len(states)-1] == "completed" && v.monotone(),
			"run 4's viewer %d through Caddy saw it interrupted (or stopped for the shutdown) %.1f s and running again %.1f s after the SIGTERM, then completed: states %v (%d reconnections)",
			j+1, sinceOr(at, stopped), sinceOr(back, stopped), states, recon)
	}
	return nil
}

func nameOr(names []string, i int) string {
	if i < 0 {
		return "no replica"
	}
	return names[i]
}

func sinceOr(t, from time.Time) float64 {
	if t.IsZero() {
		return -1
	}
	return t.Sub(from).Seconds()
}

func roundAll(ds []time.Duration) []string {
	var r []string
	for _, d := range ds {
		r = append(r, d.Round(10*time.Millisecond).String())
	}
	return r
}

// probeResult counts what Caddy answered on /readyz while a replica died.
type probeResult struct {
	ok, total           int
	codes               map[string]int
	firstFail, lastFail time.Time
}

func probeProxy(proxy string, d time.Duration) <-chan probeResult {
	out := make(chan probeResult, 1)
	go func() {
		r := probeResult{codes: map[string]int{}}
		c := &http.Client{Timeout: 3 * time.Second}
		var mu sync.Mutex
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			res, err := c.Get(proxy + "/readyz")
			mu.Lock()
			r.total++
			if err == nil && res.StatusCode == 200 {
				r.ok++
			} else {
				k := "error"
				if err == nil {
					k = strconv.Itoa(res.StatusCode)
				}
				r.codes[k]++
				if r.firstFail.IsZero() {
					r.firstFail = time.Now()
				}
				r.lastFail = time.Now()
			}
			mu.Unlock()
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}
		out <- r
	}()
	return out
}

// promQuery asks Prometheus for an instant vector.
func promQuery(s *stack, q string) []promSample {
	var r struct {
		Data struct {
			Result []promSample `json:"result"`
		} `json:"data"`
	}
	_, _, _ = get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/query?query=%s", s.p.prometheus, url.QueryEscape(q)), &r)
	return r.Data.Result
}

type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

// checkPrometheusSeesDown waits for Prometheus to find the killed replica
// down (up 0) and the others up.
func checkPrometheusSeesDown(s *stack, dead string, check func(bool, string, ...any)) {
	t0 := time.Now()
	var got []string
	for time.Since(t0) < 45*time.Second {
		got = got[:0]
		down := 0
		for _, r := range promQuery(s, `up{job="aelab"}`) {
			if len(r.Value) == 2 {
				got = append(got, fmt.Sprintf("%s=%v", r.Metric["instance"], r.Value[1]))
				if r.Value[1] == "0" {
					down++
				}
			}
		}
		if down == 1 && len(got) == len(s.names) {
			break
		}
		time.Sleep(time.Second)
	}
	check(slices.ContainsFunc(got, func(g string) bool { return strings.HasSuffix(g, "=0") }) && len(got) == len(s.names),
		"Prometheus: up{job=\"aelab\"} %v after the kill of %s (%s)", got, dead, s.rw.text(dead+":8080"))
}

// checkPrometheus waits for Prometheus to scrape the three replicas and
// load the alert rules.
func checkPrometheus(s *stack, check func(bool, string, ...any)) {
	base := fmt.Sprintf("http://127.0.0.1:%d", s.p.prometheus)
	query := func(q string) []promSample { return promQuery(s, q) }
	t0 := time.Now()
	up := 0
	for time.Since(t0) < 45*time.Second {
		up = 0
		for _, r := range query(`up{job="aelab"}`) {
			if len(r.Value) == 2 && r.Value[1] == "1" {
				up++
			}
		}
		if up == len(s.names) {
			break
		}
		time.Sleep(time.Second)
	}
	check(up == len(s.names), "Prometheus: %d of %d replicas up (after %.1f s)", up, len(s.names), time.Since(t0).Seconds())
	sum := query(`sum(aelab_trainings_running)`)
	var v any = "none"
	if len(sum) == 1 && len(sum[0].Value) == 2 {
		v = sum[0].Value[1]
	}
	logf("Prometheus: sum(aelab_trainings_running) = %v", v)
	var rules struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name   string `json:"name"`
					Health string `json:"health"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	_, _, _ = get(base+"/api/v1/rules", &rules)
	var names []string
	for _, g := range rules.Data.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Name+":"+r.Health)
		}
	}
	check(len(names) == 3, "Prometheus loaded the alert rules: %q", names)
}
