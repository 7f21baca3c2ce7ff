package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/aelab/aelab/session"
)

// classClient bounds each request of TestClusterClass: a replica that
// never answers fails the test instead of hanging it.
var classClient = &http.Client{Timeout: 60 * time.Second}

// dashboard is a teacher's class WebSocket, with the last tile of each run
// and the students it was told of.
type dashboard struct {
	mu       sync.Mutex
	tiles    map[string]session.RunTile
	students map[string]bool
	open     bool
}

func watchClass(t *testing.T, base, id string) *dashboard {
	t.Helper()
	dialer := websocket.Dialer{HandshakeTimeout: 60 * time.Second}
	conn, _, err := dialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/classes/"+id+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	d := &dashboard{tiles: map[string]session.RunTile{}, students: map[string]bool{}}
	go func() {
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m struct {
				Type     string            `json:"type"`
				Class    session.ClassInfo `json:"class"`
				Students json.RawMessage   `json:"students"` // a list in a snapshot, a count otherwise
				Student  session.Student   `json:"student"`
				Run      session.RunTile   `json:"run"`
			}
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			d.mu.Lock()
			switch m.Type {
			case session.TypeSnapshot:
				d.open = m.Class.Open
				var list []session.Student
				_ = json.Unmarshal(m.Students, &list)
				for _, s := range list {
					d.students[s.Name] = true
				}
			case session.TypeClassInfo:
				d.open = m.Class.Open
			case session.TypeClassStudent:
				d.students[m.Student.Name] = true
			case session.TypeClassRun:
				t := d.tiles[m.Run.ID]
				r := m.Run
				if len(r.Spark) == 0 {
					r.Spark = t.Spark
				}
				d.tiles[r.ID] = r
			}
			d.mu.Unlock()
		}
	}()
	return d
}

// A class on two replicas sharing one store and one NATS server: made
// through replica 1, joined through both at once, its students' runs
// started through both; the teacher's dashboards on replica 2 and on
// replica 1 see every student and every run, live (a curve) and to its
// final state, whichever replica trained it; the class's page data and
// results on replica 2 list every run with its result; closing it through
// replica 1 closes it on replica 2.
func TestClusterClass(t *testing.T) {
	busURL := startNATS(t)
	storeArgs, _ := clusterStore(t)
	args := func(name string) string {
		return "-addr 127.0.0.1:0 " + storeArgs + " -bus " + busURL + " -replica " + name + " -max-running 2 -shutdown-timeout 20s"
	}
	r1 := startChild(t, args("r1"))
	r2 := startChild(t, args("r2"))
	post := func(base, path, token, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := classClient.Do(req)
		if err != nil {
			t.Errorf("POST %s%s: %v", base, path, err)
			return 0
		}
		defer res.Body.Close()
		if out != nil {
			_ = json.NewDecoder(res.Body).Decode(out)
		}
		return res.StatusCode
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

	var class struct {
		ID, Code     string
		TeacherToken string `json:"teacher_token"`
	}
	if code := post(r1.base, "/api/classes", "", `{"name":"Year 11","preset":{"encoder":[32],"bottleneck":2,"train_size":1000,"test_size":200,"batch_size":50,"epochs":3},"locked":["bottleneck"]}`, &class); code != http.StatusCreated {
		t.Fatalf("create the class through replica 1: %d", code)
	}
	dash2 := watchClass(t, r2.base, class.ID) // found in the store by replica 2
	dash1 := watchClass(t, r1.base, class.ID)

	// Six students join at once, three through each replica.
	names := []string{"Ana", "Ben", "Cy", "Dee", "Eli", "Fay"}
	tokens := make([]string, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out struct {
				StudentToken string `json:"student_token"`
			}
			if code := post([]*child{r1, r2}[i%2].base, "/api/join", "", `{"code":"`+strings.ToLower(class.Code)+`","name":"`+n+`"}`, &out); code != http.StatusCreated {
				t.Errorf("%s joins through replica %d: %d", n, i%2+1, code)
			}
			tokens[i] = out.StudentToken
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// Each starts a run, through either replica.
	runs := map[string]string{} // id → student
	for i, n := range names {
		var out struct {
			ID      string `json:"id"`
			Student string `json:"student"`
		}
		body := fmt.Sprintf(`{"class":"%s","seed":%d}`, class.ID, i+1)
		if code := post([]*child{r2, r1}[i%2].base, "/api/sessions", tokens[i], body, &out); code != http.StatusCreated || out.Student != n {
			t.Fatalf("%s starts a run through replica %d: %d %+v", n, 2-i%2, code, out)
		}
		runs[out.ID] = n
	}
	if code := post(r1.base, "/api/sessions", tokens[0], `{"class":"`+class.ID+`","bottleneck":3}`, nil); code != http.StatusBadRequest {
		t.Fatalf("a locked field changed through replica 1: %d", code)
	}

	for i, d := range []*dashboard{dash2, dash1} {
		defer func() {
			if t.Failed() {
				d.mu.Lock()
				defer d.mu.Unlock()
				t.Logf("dashboard on replica %d: students %v", 2-i, d.students)
				for id, tl := range d.tiles {
					t.Logf("  run %s of %s: %s epoch %d step %d/%d", id, tl.Student, tl.State, tl.Epoch, tl.Step, tl.TotalSteps)
				}
				for id := range runs {
					var in struct{ State, Replica string }
					r2.getJSON(t, "/api/sessions/"+id, &in)
					t.Logf("  session %s on replica 2: %+v", id, in)
				}
			}
		}()
		waitFor(fmt.Sprintf("dashboard on replica %d: every student and every run ended", 2-i), 120*time.Second, func() bool {
			d.mu.Lock()
			defer d.mu.Unlock()
			if len(d.students) != len(names) || len(d.tiles) != len(runs) {
				return false
			}
			for _, tl := range d.tiles {
				if !tl.State.Terminal() {
					return false
				}
			}
			return true
		})
		d.mu.Lock()
		for id, st := range runs {
			tl := d.tiles[id]
			if tl.Student != st || tl.State != session.Completed || tl.TestLoss == nil || tl.Epoch != 3 || len(tl.Spark) == 0 {
				t.Errorf("dashboard on replica %d: run %s of %s ended as %+v", 2-i, id, st, tl)
			}
		}
		d.mu.Unlock()
	}

	// The class's data and results through replica 2.
	var page struct {
		Class session.ClassInfo `json:"class"`
		Runs  []struct {
			ID       string        `json:"id"`
			Student  string        `json:"student"`
			State    session.State `json:"state"`
			TestLoss *float64      `json:"test_loss"`
		} `json:"runs"`
	}
	waitFor("the class's record on replica 2 has every result", 30*time.Second, func() bool {
		if code := r2.getJSON(t, "/api/classes/"+class.ID, &page); code != 200 {
			t.Fatalf("GET the class on replica 2: %d", code)
		}
		done := 0
		for _, r := range page.Runs {
			if r.State == session.Completed && r.TestLoss != nil && runs[r.ID] == r.Student {
				done++
			}
		}
		return page.Class.Students == len(names) && done == len(runs)
	})
	res, err := classClient.Get(r2.base + "/api/classes/" + class.ID + "/results.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || len(rows) != len(runs)+1 {
		t.Fatalf("results on replica 2: %d rows, %v; want %d", len(rows), err, len(runs)+1)
	}
	for _, row := range rows[1:] {
		if runs[row[1]] != row[0] || row[7] != "completed" {
			t.Errorf("results row %v", row)
		}
	}

	// Closed through replica 1: replica 2's dashboard is told, and a join
	// through replica 2 is refused.
	closed := time.Now()
	if code := post(r1.base, "/api/classes/"+class.ID+"/close", class.TeacherToken, "", nil); code != http.StatusOK {
		t.Fatalf("close through replica 1: %d", code)
	}
	t.Logf("the close through replica 1 answered in %v", time.Since(closed).Round(time.Millisecond))
	waitFor("replica 2's dashboard sees the class closed", 30*time.Second, func() bool {
		dash2.mu.Lock()
		defer dash2.mu.Unlock()
		return !dash2.open
	})
	t.Logf("replica 2's dashboard saw the class closed %v after the request to replica 1", time.Since(closed).Round(time.Millisecond))
	if code := post(r2.base, "/api/join", "", `{"code":"`+class.Code+`","name":"Late"}`, nil); code != http.StatusForbidden {
		t.Fatalf("a join through replica 2 after the close: %d", code)
	}
}
