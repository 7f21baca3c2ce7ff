package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// clusterScenario runs three replicas of the server on this machine,
// joined by an in-process NATS server with JetStream and sharing one SQLite
// store, starts runs through replica 1 and watches each one from every
// replica. It reports what the bus costs, not throughput (three replicas on
// one machine share its cores): the messages and bytes a run puts on the
// bus per second, the rest of the bus's traffic (jobs, acknowledgements,
// snapshots and actions), and how much later a viewer on another replica
// gets a message than a viewer on the replica that trains the run.
func clusterScenario(ctx context.Context, e *env, o options, rep *report) error {
	const sc = "cluster"
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: filepath.Join(e.dir, "cluster-nats"), NoLog: true, NoSigs: true})
	if err != nil {
		return err
	}
	go ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		return errors.New("the in-process NATS server did not start")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		return err
	}
	defer nc.Close()
	tap := newBusTap()
	sub, err := nc.Subscribe(">", tap.see)
	if err != nil {
		return err
	}
	defer func() { _ = sub.Unsubscribe() }()
	_ = sub.SetPendingLimits(-1, -1)

	data := filepath.Join(e.dir, "cluster-data")
	var reps []*server
	defer func() {
		for _, s := range reps {
			s.kill()
		}
	}()
	for i := range 3 {
		p := filepath.Join(e.dir, fmt.Sprintf("cluster-%d.log", i+1))
		e.logs = append(e.logs, p)
		s, err := startServer(ctx, e.bin, p, append([]string{"-data", data, "-bus", ns.ClientURL(), "-replica", fmt.Sprintf("r%d", i+1)}, e.extra...))
		if err != nil {
			return fmt.Errorf("replica %d: %w", i+1, err)
		}
		reps = append(reps, s)
	}
	rep.info(sc, "workload", "%d × AE-S (784-256-50-256-784) on %d MNIST examples × %d epochs, started through replica 1, each watched from all three replicas; one in-process NATS server, one SQLite store",
		o.clusterRuns, o.clusterTrain, o.clusterEpochs)

	a := newAPI(reps[0].base)
	defer a.close()
	tap.reset()
	t0 := time.Now()
	runs := make([]created, o.clusterRuns)
	for i := range runs {
		if runs[i], err = a.create(ctx, aeS(o.clusterTrain, o.clusterEpochs, i+1)); err != nil {
			return fmt.Errorf("start run %d: %w", i+1, err)
		}
	}
	// One stamped viewer per run and replica.
	views := make([][]*stampedViewer, len(runs))
	var wg sync.WaitGroup
	for i, r := range runs {
		for _, s := range reps {
			v := &stampedViewer{url: "ws" + strings.TrimPrefix(s.base, "http") + "/api/sessions/" + r.ID + "/ws", seen: map[string]time.Time{}}
			views[i] = append(views[i], v)
			wg.Go(func() { v.run(ctx) })
		}
	}
	type placed struct {
		Replica    string     `json:"replica"`
		State      string     `json:"state"`
		StartedAt  *time.Time `json:"started_at"`
		FinishedAt *time.Time `json:"finished_at"`
	}
	infos := make([]placed, len(runs))
	for i, r := range runs {
		if _, err := a.waitState(ctx, r.ID, "completed", "failed", "stopped", "interrupted"); err != nil {
			return err
		}
		if err := a.do(ctx, http.MethodGet, "/api/sessions/"+r.ID, "", nil, &infos[i], http.StatusOK); err != nil {
			return err
		}
	}
	wall := time.Since(t0)
	wg.Wait()
	time.Sleep(200 * time.Millisecond) // the last acknowledgements
	counts := tap.snapshot()

	perReplica := map[string]int{}
	completed := 0
	var msgRate, byteRate, added []float64
	var viewersEnded, closed, localFinal, remoteFinal int
	var lost []string
	for i, r := range runs {
		in := infos[i]
		perReplica[in.Replica]++
		if in.State == "completed" {
			completed++
		}
		if in.StartedAt != nil && in.FinishedAt != nil {
			if d := in.FinishedAt.Sub(*in.StartedAt).Seconds(); d > 0 {
				c := counts["aelab.run."+r.ID]
				msgRate = append(msgRate, float64(c.msgs)/d)
				byteRate = append(byteRate, float64(c.bytes)/d/1000)
			}
		}
		local := -1
		for j := range reps {
			if in.Replica == fmt.Sprintf("r%d", j+1) {
				local = j
			}
		}
		for j, v := range views[i] {
			if v.final != "" {
				viewersEnded++
				if j == local {
					localFinal++
				} else {
					remoteFinal++
				}
			}
			if v.closeCode == websocket.CloseNormalClosure {
				closed++
			} else {
				lost = append(lost, fmt.Sprintf("run %s on replica %d: close %d, %v", r.ID, j+1, v.closeCode, v.err))
			}
			if local < 0 || j == local {
				continue
			}
			for h, at := range v.seen {
				if t, ok := views[i][local].seen[h]; ok {
					added = append(added, at.Sub(t).Seconds()*1000)
				}
			}
		}
	}
	var names []string
	for n, k := range perReplica {
		names = append(names, fmt.Sprintf("%s: %d", n, k))
	}
	slices.Sort(names)
	rep.check(sc, "runs completed", fmt.Sprintf("%d/%d", completed, len(runs)), fmt.Sprintf("%d/%d", len(runs), len(runs)), completed == len(runs))
	rep.check(sc, "viewers (3 per run) that saw the final state", fmt.Sprintf("%d/%d", viewersEnded, 3*len(runs)), "all", viewersEnded == 3*len(runs))
	rep.info(sc, "of them on the training replica / on another replica", "%d/%d / %d/%d", localFinal, len(runs), remoteFinal, 2*len(runs))
	rep.check(sc, "viewers that got a close frame (1000)", fmt.Sprintf("%d/%d", closed, 3*len(runs)), "all", closed == 3*len(runs))
	for i, l := range lost {
		if i == 3 {
			rep.note("cluster: %d more viewers without a close frame", len(lost)-3)
			break
		}
		rep.note("cluster: viewer without a close frame: %s", l)
	}
	rep.info(sc, "runs by replica that trained them", "%s", strings.Join(names, ", "))
	ms, bs := summarize(msgRate), summarize(byteRate)
	rep.info(sc, "bus: a run's live messages (aelab.run.<id>) per second of its training, min / p50 / max", "%.1f / %.1f / %.1f messages, %.1f / %.1f / %.1f kB", ms.Min, ms.P50, ms.Max, bs.Min, bs.P50, bs.Max)
	cat := map[string]busCount{}
	for subj, c := range counts {
		k := busCategory(subj)
		x := cat[k]
		x.msgs += c.msgs
		x.bytes += c.bytes
		cat[k] = x
	}
	for _, k := range []string{"live messages (aelab.run.*)", "jobs (aelab.jobs)", "requests to a training replica (aelab.ask.*)", "JetStream API, fetches and acknowledgements ($JS.*)", "replies (_INBOX.*)", "other"} {
		if c, ok := cat[k]; ok {
			rep.info(sc, "bus: "+k, "%d messages, %.1f kB; %.1f messages/s, %.1f kB/s over %.1f s", c.msgs, float64(c.bytes)/1000, float64(c.msgs)/wall.Seconds(), float64(c.bytes)/1000/wall.Seconds(), wall.Seconds())
		}
	}
	ad := summarize(added)
	rep.info(sc, "a viewer on another replica gets a message later than one on the training replica by, p50 / p90 / p99 / max", "%.1f / %.1f / %.1f / %.1f ms (%d messages)", ad.P50, ad.P90, ad.P99, ad.Max, ad.N)
	return nil
}

// busCount is what the tap saw on one subject.
type busCount struct{ msgs, bytes int }

// busTap counts every message on the NATS server by subject: its subject,
// headers and payload bytes.
type busTap struct {
	mu sync.Mutex
	by map[string]busCount
}

func newBusTap() *busTap { return &busTap{by: map[string]busCount{}} }

func (t *busTap) see(m *nats.Msg) {
	n := len(m.Subject) + len(m.Reply) + len(m.Data)
	for k, vs := range m.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	t.mu.Lock()
	c := t.by[m.Subject]
	c.msgs++
	c.bytes += n
	t.by[m.Subject] = c
	t.mu.Unlock()
}

func (t *busTap) reset() {
	t.mu.Lock()
	t.by = map[string]busCount{}
	t.mu.Unlock()
}

func (t *busTap) snapshot() map[string]busCount {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]busCount, len(t.by))
	for k, v := range t.by {
		out[k] = v
	}
	return out
}

// busCategory names the kind of traffic a subject carries.
func busCategory(subj string) string {
	switch {
	case strings.HasPrefix(subj, "aelab.run."):
		return "live messages (aelab.run.*)"
	case strings.HasPrefix(subj, "aelab.jobs"):
		return "jobs (aelab.jobs)"
	case strings.HasPrefix(subj, "aelab.ask."):
		return "requests to a training replica (aelab.ask.*)"
	case strings.HasPrefix(subj, "$JS."):
		return "JetStream API, fetches and acknowledgements ($JS.*)"
	case strings.HasPrefix(subj, "_INBOX."):
		return "replies (_INBOX.*)"
	}
	return "other"
}

// stampedViewer reads one run's stream and notes when each message
// arrived, by its key, until the run ends.
type stampedViewer struct {
	url       string
	seen      map[string]time.Time
	final     string // the terminal state it saw (in a state message or a snapshot), or ""
	closeCode int    // the close frame's code; 0 if the stream ended otherwise
	err       error
}

// msgKey names a live message so that the same message can be recognised
// on two replicas: its type and step (a loss message by its last points).
func msgKey(b []byte) (string, string, string) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return "", "", ""
	}
	str := func(raw json.RawMessage) string {
		var x string
		_ = json.Unmarshal(raw, &x)
		return x
	}
	typ, state := str(m["type"]), str(m["state"])
	if typ == "snapshot" {
		var in struct {
			State string `json:"state"`
		}
		_ = json.Unmarshal(m["session"], &in)
		state = in.State
	}
	var step float64
	if json.Unmarshal(m["step"], &step) == nil && m["step"] != nil {
		return typ, fmt.Sprintf("%s@%g", typ, step), state
	}
	if typ == "loss" {
		last := func(raw json.RawMessage) float64 {
			var pts []struct {
				Step float64 `json:"step"`
			}
			if json.Unmarshal(raw, &pts) != nil || len(pts) == 0 {
				return -1
			}
			return pts[len(pts)-1].Step
		}
		return typ, fmt.Sprintf("loss@%g/%g", last(m["train"]), last(m["test"])), state
	}
	h := sha256.Sum256(b)
	return typ, fmt.Sprintf("%s#%x", typ, h[:8]), state
}

func (v *stampedViewer) run(ctx context.Context) {
	c, _, err := dialer.DialContext(ctx, v.url, nil)
	if err != nil {
		v.err = err
		return
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for {
		_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
		kind, b, err := c.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				v.closeCode = ce.Code
			} else {
				v.err = err
			}
			return
		}
		at := time.Now()
		if kind != websocket.TextMessage {
			continue
		}
		typ, key, state := msgKey(b)
		if state == "completed" || state == "failed" || state == "stopped" {
			v.final = state
		}
		if typ == "snapshot" {
			continue
		}
		if _, dup := v.seen[key]; !dup {
			v.seen[key] = at
		}
	}
}
