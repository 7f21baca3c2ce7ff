package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/sqlite"
)

// A server killed with SIGKILL in the middle of a training comes back on
// the same directory with the run interrupted; its owner resumes it (POST
// …/resume with its owner token, someone else is refused), and it runs to
// its last step from the checkpoint of its last completed epoch, its curve
// carrying on without a step twice.
func TestKill9ThenResume(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	args := "-addr 127.0.0.1:0 -data " + dir
	c := startChild(t, args)
	// Short epochs and many of them: the kill comes a second or two after the
	// first epoch's checkpoint (the writer flushes once a second), and the
	// fifteen epochs after it last several seconds even on a quiet CI machine
	// (784-128-4 trained 120,000 examples in 2 s there; this is 784-256-4 on
	// 256,000), so the kill lands while it trains. It was one long second
	// epoch of a 2.1 M-weight network, 60,000 examples: three times the
	// arithmetic, the killed epoch trained twice.
	res, err := http.Post(c.base+"/api/sessions", "application/json", strings.NewReader(
		`{"encoder":[256],"bottleneck":4,"train_size":16000,"test_size":200,"batch_size":32,"epochs":16,"seed":5}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID         string `json:"id"`
		OwnerToken string `json:"owner_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || created.OwnerToken == "" {
		t.Fatalf("create: %d %+v", res.StatusCode, created)
	}
	id := created.ID

	// Kill it once the first epoch's checkpoint and some curve points past
	// it are in the store (read beside the live server: the file is in WAL
	// mode); the resume forgets those points, since it trains their steps
	// again.
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(180 * time.Second)
	for {
		steps, err := st.Checkpoints(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		pts, err := st.Points(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) > 0 && len(pts) > 0 && pts[len(pts)-1].Step > steps[len(steps)-1] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint and points past it were written in 180 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	st.Close()
	var before sessionJSON
	c.getJSON(t, "/api/sessions/"+id, &before)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	if before.State != "running" {
		t.Fatalf("before the kill the run was %+v; want it running", before)
	}

	c = startChild(t, args)
	var in struct {
		sessionJSON
		TotalSteps int `json:"total_steps"`
		ResumedAt  *struct {
			Epoch int `json:"epoch"`
			Step  int `json:"step"`
		} `json:"resumed_at"`
	}
	if code := c.getJSON(t, "/api/sessions/"+id, &in); code != 200 || in.State != "interrupted" {
		t.Fatalf("after the restart: %d %+v; want interrupted", code, in)
	}
	post := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, c.base+"/api/sessions/"+id+"/resume", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, b := post("someone-else"); code != http.StatusForbidden {
		t.Fatalf("resume by someone else: %d %s, want 403", code, b)
	}
	if code, b := post(created.OwnerToken); code != http.StatusNoContent {
		t.Fatalf("resume by its owner: %d %s, want 204", code, b)
	}
	deadline = time.Now().Add(300 * time.Second)
	for {
		c.getJSON(t, "/api/sessions/"+id, &in)
		if in.State == "completed" || in.State == "failed" || in.State == "stopped" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the resumed run did not finish in 300 s: %+v", in)
		}
		time.Sleep(100 * time.Millisecond)
	}
	const perEpoch = 500 // 16,000 examples in batches of 32
	if in.State != "completed" || in.Step != in.TotalSteps || in.TotalSteps != 16*perEpoch {
		t.Fatalf("the resumed run ended %s at step %d of %d; want completed at %d", in.State, in.Step, in.TotalSteps, 16*perEpoch)
	}
	if r := in.ResumedAt; r == nil || r.Step == 0 || r.Step%perEpoch != 0 || r.Epoch != r.Step/perEpoch || r.Step > before.Step {
		t.Fatalf("resumed at %+v; want an epoch's end at or before step %d (where it was killed)", r, before.Step)
	}
	if code, b := post(created.OwnerToken); code != http.StatusConflict {
		t.Fatalf("resume of the completed run: %d %s, want 409", code, b)
	}

	// Its training curve carries on: each step once, in order, to the end;
	// and so it is kept, through a further restart.
	checkCurve := func(when string) {
		t.Helper()
		res, err := http.Get(c.base + "/api/sessions/" + id + "/history.csv")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(res.Body).ReadAll()
		res.Body.Close()
		if err != nil || len(rows) < 10 || rows[0][1] != "step" {
			t.Fatalf("%s: history.csv: %d rows, %v", when, len(rows), err)
		}
		last := -1
		for _, r := range rows[1:] {
			step, err := strconv.Atoi(r[1])
			if err != nil || step <= last {
				t.Fatalf("%s: history.csv: step %q after %d", when, r[1], last)
			}
			last = step
		}
		if last != in.TotalSteps {
			t.Fatalf("%s: history.csv ends at step %d, want %d", when, last, in.TotalSteps)
		}
	}
	checkCurve("once resumed")
	_ = c.cmd.Process.Signal(os.Interrupt)
	_ = c.cmd.Wait()
	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := st.Points(ctx, id)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int{}
	for _, p := range pts {
		if p.Step <= last[p.Series] && last[p.Series] > 0 {
			t.Fatalf("the store keeps a %s point of step %d after one of step %d: the points past the checkpoint were not forgotten", p.Series, p.Step, last[p.Series])
		}
		last[p.Series] = p.Step
	}
	c = startChild(t, args)
	checkCurve("after another restart")
}
