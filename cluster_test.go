package main

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/aelab/aelab/internal/natstest"
	"github.com/aelab/aelab/internal/store/postgres"
	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// startNATS runs a NATS server with JetStream for the test; it returns its URL.
func startNATS(t *testing.T) string { return natstest.Start(t).ClientURL() }

// clusterStore returns the -data or -store arguments of a store the
// replicas share, and a way to open it from the test: a PostgreSQL schema
// of its own when AELAB_TEST_POSTGRES names a database, else one SQLite
// file (WAL) in a temporary directory.
func clusterStore(t *testing.T) (string, func() session.Store) {
	ctx := context.Background()
	u := os.Getenv("AELAB_TEST_POSTGRES")
	if u == "" {
		dir := t.TempDir()
		return "-data " + dir, func() session.Store {
			st, err := sqlite.Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "aelab_cluster_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
		_ = conn.Close(ctx)
	})
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	url := u + sep + "search_path=" + schema
	return "-store " + url, func() session.Store {
		st, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
}

// viewer is a WebSocket watching one run, with every message it got.
type viewer struct {
	mu     sync.Mutex
	states []string    // the states of state messages and snapshots, in order
	times  []time.Time // when each state arrived
	snaps  int
	train  []int // the steps of the training curve, as the page would draw it
	// lastAtInterrupt is the curve's last step when the first
	// "interrupted" state arrived: where the stopped replica left the run.
	lastAtInterrupt int
	closed          chan struct{}
}

func watch(t *testing.T, base, id string) *viewer {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/sessions/"+id+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	v := &viewer{closed: make(chan struct{})}
	go func() {
		defer close(v.closed)
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m struct {
				Type      string `json:"type"`
				State     json.RawMessage
				TrainLoss []session.LossPoint `json:"train_loss"`
				Train     []session.LossPoint `json:"train"`
			}
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			v.mu.Lock()
			switch m.Type {
			case "snapshot":
				var st session.StateMsg
				_ = json.Unmarshal(m.State, &st)
				if st.State == session.Interrupted && v.lastAtInterrupt == 0 && len(v.train) > 0 {
					v.lastAtInterrupt = v.train[len(v.train)-1]
				}
				v.snaps++
				v.states = append(v.states, string(st.State))
				v.times = append(v.times, time.Now())
				v.train = v.train[:0]
				for _, p := range m.TrainLoss {
					v.train = append(v.train, p.Step)
				}
			case "state":
				var st session.StateMsg
				_ = json.Unmarshal(b, &st)
				if st.State == session.Interrupted && v.lastAtInterrupt == 0 && len(v.train) > 0 {
					v.lastAtInterrupt = v.train[len(v.train)-1]
				}
				v.states = append(v.states, string(st.State))
				v.times = append(v.times, time.Now())
			case "loss":
				for _, p := range m.Train {
					v.train = append(v.train, p.Step)
				}
			}
			v.mu.Unlock()
		}
	}()
	return v
}

// Three replicas on one NATS server and one store. Runs started through
// replica 1 spread over the replicas (each takes one while it has a free
// slot); replica 2's WebSockets watch them all. Replica 3 is killed with
// SIGKILL while it trains: its run goes, within the queue's wait, to a
// replica with a free slot, which resumes it from its last checkpoint;
// the viewer sees it interrupted, then running again on the same socket,
// its curve carrying on from the checkpoint, and every viewer sees the
// final state.
func TestClusterFailover(t *testing.T) {
	ctx := context.Background()
	busURL := startNATS(t)
	tap := tapBus(t, busURL)
	storeArgs, openStore := clusterStore(t)
	args := func(name string, running int) string {
		return "-addr 127.0.0.1:0 " + storeArgs + " -bus " + busURL + " -replica " + name +
			" -max-running " + strconv.Itoa(running) + " -shutdown-timeout 20s"
	}
	// Replicas 1 and 3 first, one slot each: the first two runs go one to
	// each. Replica 2 comes next with two slots: it takes the third run,
	// and keeps a slot free for the run of the replica that dies.
	r1 := startChild(t, args("r1", 1))
	r3 := startChild(t, args("r3", 1))

	// A run whose epochs last a few seconds on a quiet 2-core machine
	// while the others train, so that the kill lands in its second epoch.
	const body = `{"encoder":[512,128],"bottleneck":4,"train_size":6000,"test_size":200,"batch_size":16,"epochs":3,"seed":%d}`
	const perEpoch = 375
	type run struct {
		id, token string
	}
	start := func(seed int) run {
		t.Helper()
		res, err := http.Post(r1.base+"/api/sessions", "application/json", strings.NewReader(strings.Replace(body, "%d", strconv.Itoa(seed), 1)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			ID         string `json:"id"`
			OwnerToken string `json:"owner_token"`
		}
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("start through replica 1: %d", res.StatusCode)
		}
		return run{out.ID, out.OwnerToken}
	}
	type info struct {
		State      string `json:"state"`
		Step       int    `json:"step"`
		Epoch      int    `json:"epoch"`
		TotalSteps int    `json:"total_steps"`
		Replica    string `json:"replica"`
		ResumedAt  *struct {
			Step int `json:"step"`
		} `json:"resumed_at"`
	}
	get := func(c *child, id string) info {
		t.Helper()
		var in info
		if code := c.getJSON(t, "/api/sessions/"+id, &in); code != 200 {
			t.Fatalf("GET %s on %s: %d", id, c.base, code)
		}
		return in
	}
	waitFor := func(what string, limit time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, limit)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	runs := []run{start(1), start(2)}
	on := map[string]string{}
	waitFor("the first two runs taken by replicas 1 and 3", 30*time.Second, func() bool {
		for _, r := range runs {
			on[r.id] = get(r1, r.id).Replica
		}
		return on[runs[0].id] != "" && on[runs[1].id] != ""
	})
	r2 := startChild(t, args("r2", 2))
	runs = append(runs, start(3))
	viewers := make([]*viewer, len(runs))
	for i, r := range runs {
		viewers[i] = watch(t, r2.base, r.id)
	}
	waitFor("the third run taken by replica 2", 30*time.Second, func() bool {
		on[runs[2].id] = get(r2, runs[2].id).Replica
		return on[runs[2].id] != ""
	})
	var victim run
	for _, r := range runs {
		if on[r.id] == "r3" {
			victim = r
		}
	}
	if got := []string{on[runs[0].id], on[runs[1].id], on[runs[2].id]}; victim.id == "" || on[runs[2].id] != "r2" || got[0] == got[1] {
		t.Fatalf("the runs did not spread over the replicas: %v", got)
	}

	// Kill replica 3 once its run's first checkpoint and points past it
	// are in the store.
	st := openStore()
	waitFor("a checkpoint of the run on replica 3", 60*time.Second, func() bool {
		steps, err := st.Checkpoints(ctx, victim.id)
		if err != nil {
			t.Fatal(err)
		}
		pts, err := st.Points(ctx, victim.id)
		if err != nil {
			t.Fatal(err)
		}
		return len(steps) > 0 && len(pts) > 0 && pts[len(pts)-1].Step > steps[len(steps)-1]
	})
	before := get(r2, victim.id)
	if err := r3.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = r3.cmd.Wait()
	if before.State != "running" || before.Step >= before.TotalSteps {
		t.Fatalf("before the kill the run was %+v; want it training", before)
	}

	for i, r := range runs {
		waitFor("run "+r.id+" completed", 90*time.Second, func() bool { return get(r2, r.id).State == "completed" })
		select {
		case <-viewers[i].closed:
		case <-time.After(10 * time.Second):
			t.Fatalf("the viewer of %s was not closed after the run completed", r.id)
		}
	}
	after := get(r1, victim.id)
	if after.Replica == "r3" || after.Replica == "" || after.ResumedAt == nil || after.ResumedAt.Step == 0 ||
		after.ResumedAt.Step%perEpoch != 0 || after.ResumedAt.Step > before.Step || after.Step != after.TotalSteps {
		t.Fatalf("the killed replica's run ended as %+v (killed at %+v); want it completed on another replica, resumed from an epoch's end", after, before)
	}
	for i, v := range viewers {
		v.mu.Lock()
		states, times, train, snaps := v.states, v.times, v.train, v.snaps
		v.mu.Unlock()
		if len(states) == 0 || states[len(states)-1] != "completed" {
			t.Fatalf("viewer %d saw %v; want completed last", i, states)
		}
		for j := 1; j < len(train); j++ {
			if train[j] <= train[j-1] {
				t.Fatalf("viewer %d's curve goes from step %d to %d", i, train[j-1], train[j])
			}
		}
		if runs[i] != victim {
			continue
		}
		// interrupted, then running again, on the same socket
		k := strings.Index(strings.Join(states, ","), "interrupted")
		rest := strings.Join(states[min(len(states), strings.Count(strings.Join(states, ",")[:max(k, 0)], ",")+1):], ",")
		if k < 0 || !strings.Contains(rest, "running") || snaps < 2 {
			t.Fatalf("the viewer of the killed replica's run saw %v (%d snapshots); want interrupted, then a new snapshot and running", states, snaps)
		}
		for j, s := range states {
			if s == "interrupted" {
				t.Logf("failover: the viewer saw the run interrupted %.1f s after the kill", times[j].Sub(killed).Seconds())
				break
			}
		}
		for j := len(states) - 1; j >= 0; j-- {
			if states[j] == "running" {
				t.Logf("failover: running again on %s %.1f s after the kill (resumed at step %d, killed at %d)",
					after.Replica, times[j].Sub(killed).Seconds(), after.ResumedAt.Step, before.Step)
				break
			}
		}
		if len(train) == 0 || train[len(train)-1] != after.TotalSteps || train[0] > perEpoch {
			t.Fatalf("the viewer's curve of the resumed run: %d points from %v to %v; want it from the start to step %d", len(train), train[:min(3, len(train))], train[max(0, len(train)-3):], after.TotalSteps)
		}
	}
	// The store's curve of the resumed run: each step once, in order.
	res, err := http.Get(r1.base + "/api/sessions/" + victim.id + "/history.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || len(rows) < 10 {
		t.Fatalf("history.csv: %d rows, %v", len(rows), err)
	}
	last := -1
	for _, r := range rows[1:] {
		step, err := strconv.Atoi(r[1])
		if err != nil || step <= last {
			t.Fatalf("history.csv: step %q after %d", r[1], last)
		}
		last = step
	}
	if last != after.TotalSteps {
		t.Fatalf("history.csv ends at step %d, want %d", last, after.TotalSteps)
	}
	_ = st.Close()
	tap.mu.Lock()
	defer tap.mu.Unlock()
	for _, r := range runs {
		n, b := tap.msgs[r.id], tap.bytes[r.id]
		secs := tap.last[r.id].Sub(tap.first[r.id]).Seconds()
		if secs > 0 {
			t.Logf("bus: run %s sent %d live messages, %d bytes in %.1f s: %.1f messages/s, %.0f bytes/s", r.id, n, b, secs, float64(n)/secs, float64(b)/secs)
		}
	}
}

// busTap counts the live messages of every run on the bus.
type busTap struct {
	mu          sync.Mutex
	msgs, bytes map[string]int
	first, last map[string]time.Time
}

func tapBus(t *testing.T, url string) *busTap {
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	bt := &busTap{msgs: map[string]int{}, bytes: map[string]int{}, first: map[string]time.Time{}, last: map[string]time.Time{}}
	if _, err := nc.Subscribe("aelab.run.>", func(m *nats.Msg) {
		id := strings.TrimPrefix(m.Subject, "aelab.run.")
		bt.mu.Lock()
		defer bt.mu.Unlock()
		if bt.msgs[id] == 0 {
			bt.first[id] = time.Now()
		}
		bt.msgs[id]++
		bt.bytes[id] += len(m.Data) + len(m.Subject)
		for k, v := range m.Header {
			bt.bytes[id] += len(k) + len(v[0]) + 4
		}
		bt.last[id] = time.Now()
	}); err != nil {
		t.Fatal(err)
	}
	return bt
}

// The owner's actions on a run another replica trains are relayed to it
// (pause, step, set, resume), with the same answers as on one server; a
// replica stopped gracefully hands its run back at once, and another
// resumes it from the step where it stopped, its viewers seeing it
// interrupted, then running, on the same socket.
func TestClusterActionsAndHandover(t *testing.T) {
	busURL := startNATS(t)
	storeArgs, _ := clusterStore(t)
	args := func(name string) string {
		return "-addr 127.0.0.1:0 " + storeArgs + " -bus " + busURL + " -replica " + name + " -max-running 1 -shutdown-timeout 20s"
	}
	r1 := startChild(t, args("r1"))
	res, err := http.Post(r1.base+"/api/sessions", "application/json", strings.NewReader(
		`{"encoder":[512,128],"bottleneck":4,"train_size":6000,"test_size":200,"batch_size":16,"epochs":4,"seed":7}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID         string `json:"id"`
		OwnerToken string `json:"owner_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	id := created.ID
	type info struct {
		State      string `json:"state"`
		Step       int    `json:"step"`
		TotalSteps int    `json:"total_steps"`
		Replica    string `json:"replica"`
		ResumedAt  *struct {
			Step int `json:"step"`
		} `json:"resumed_at"`
	}
	get := func(c *child) info {
		t.Helper()
		var in info
		if code := c.getJSON(t, "/api/sessions/"+id, &in); code != 200 {
			t.Fatalf("GET on %s: %d", c.base, code)
		}
		return in
	}
	waitFor := func(what string, limit time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, limit)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the run training on replica 1", 30*time.Second, func() bool {
		in := get(r1)
		return in.State == "running" && in.Replica == "r1" && in.Step > 0
	})
	r2 := startChild(t, args("r2"))
	v := watch(t, r2.base, id)
	post := func(action, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, r2.base+"/api/sessions/"+id+"/"+action, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		return res.StatusCode, b.String()
	}
	if code, b := post("pause", "someone-else", ""); code != http.StatusForbidden {
		t.Fatalf("pause by someone else through replica 2: %d %s", code, b)
	}
	if code, b := post("step", created.OwnerToken, `{"batches":2}`); code != http.StatusConflict || !strings.Contains(b, "only a paused training can be stepped") {
		t.Fatalf("step of a running run through replica 2: %d %s; want 409 as on one server", code, b)
	}
	if code, b := post("pause", created.OwnerToken, ""); code != http.StatusNoContent {
		t.Fatalf("pause through replica 2: %d %s", code, b)
	}
	waitFor("paused on replica 1", 20*time.Second, func() bool { return get(r1).State == "paused" })
	at := get(r1).Step
	code, b := post("step", created.OwnerToken, `{"batches":3}`)
	var stepped session.StepResult
	_ = json.Unmarshal([]byte(b), &stepped)
	if code != http.StatusOK || stepped.Batches != 3 || stepped.Step != at+3 {
		t.Fatalf("step of 3 batches at %d through replica 2: %d %s", at, code, b)
	}
	if code, b := post("set", created.OwnerToken, `{"learning_rate":0.0005}`); code != http.StatusAccepted {
		t.Fatalf("set through replica 2: %d %s", code, b)
	}
	if code, b := post("set", created.OwnerToken, `{"learning_rate":-1}`); code != http.StatusBadRequest || !strings.Contains(b, "learning_rate") {
		t.Fatalf("a bad set through replica 2: %d %s; want 400 naming learning_rate", code, b)
	}
	if code, b := post("resume", created.OwnerToken, ""); code != http.StatusNoContent {
		t.Fatalf("resume through replica 2: %d %s", code, b)
	}
	waitFor("running again on replica 1", 20*time.Second, func() bool { in := get(r1); return in.State == "running" && in.Step > at+3 })

	// A graceful stop of replica 1 hands the run to replica 2 at once.
	if err := r1.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	if err := r1.cmd.Wait(); err != nil {
		t.Fatalf("replica 1's graceful stop: %v", err)
	}
	t.Logf("handover: replica 1 stopped in %.1f s", time.Since(stopped).Seconds())
	var moved info
	waitFor("the run running on replica 2", 30*time.Second, func() bool {
		moved = get(r2)
		return moved.Replica == "r2" && moved.State == "running"
	})
	// Replica 1 publishes its last loss point before the interrupted
	// state, so the viewer knows where it stopped: the run resumes there,
	// not at an earlier epoch's checkpoint. (It may stop exactly at an
	// epoch's end: that turn's test point and checkpoint make it long.)
	v.mu.Lock()
	last := v.lastAtInterrupt
	v.mu.Unlock()
	if moved.ResumedAt == nil || moved.ResumedAt.Step <= at+3 || moved.ResumedAt.Step < last {
		t.Fatalf("resumed at %+v; want the step where replica 1 stopped (the viewer's last point was at step %d), past %d", moved.ResumedAt, last, at+3)
	}
	t.Logf("handover: running on replica 2 %.1f s after replica 1 was told to stop, resumed at step %d (the viewer's last point from replica 1: step %d)",
		time.Since(stopped).Seconds(), moved.ResumedAt.Step, last)
	waitFor("the run completed", 120*time.Second, func() bool { return get(r2).State == "completed" })
	select {
	case <-v.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the viewer was not closed after the run completed")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for j, st := range v.states {
		if st == "interrupted" {
			t.Logf("handover: the viewer saw the run interrupted %.1f s after the stop", v.times[j].Sub(stopped).Seconds())
			break
		}
	}
	all := strings.Join(v.states, ",")
	k := strings.Index(all, "interrupted")
	if k < 0 || !strings.Contains(all[k:], "running") || !strings.HasSuffix(all, "completed") || v.snaps < 2 {
		t.Fatalf("the viewer on replica 2 saw %s (%d snapshots); want paused, running, interrupted, a new snapshot, running, completed", all, v.snaps)
	}
	if !strings.Contains(all[:k], "paused") {
		t.Fatalf("the viewer on replica 2 did not see the pause: %s", all)
	}
	for j := 1; j < len(v.train); j++ {
		if v.train[j] <= v.train[j-1] {
			t.Fatalf("the viewer's curve goes from step %d to %d", v.train[j-1], v.train[j])
		}
	}
}
