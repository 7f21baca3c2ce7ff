package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/sqlite"
)

// childEnv makes the test binary run the server (run) with these
// space-separated arguments instead of the tests.
const childEnv = "AELAB_TEST_CHILD_ARGS"

func runChild(args string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, append([]string{"aelab"}, strings.Fields(args)...), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "aelab:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// child is a server in a process of its own.
type child struct {
	cmd  *exec.Cmd
	base string
}

func startChild(t *testing.T, args string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+args)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case c.base = <-found:
	case <-time.After(60 * time.Second):
		t.Fatal("the child server did not log its address")
	}
	return c
}

func (c *child) getJSON(t *testing.T, path string, v any) int {
	t.Helper()
	res, err := http.Get(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil {
		_ = json.NewDecoder(res.Body).Decode(v)
	}
	return res.StatusCode
}

func (c *child) create(t *testing.T, body string) string {
	t.Helper()
	res, err := http.Post(c.base+"/api/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ ID string }
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	return out.ID
}

type sessionJSON struct {
	State    string   `json:"state"`
	Epoch    int      `json:"epoch"`
	Step     int      `json:"step"`
	TestLoss *float64 `json:"test_loss"`
}

// A server killed with SIGKILL in the middle of a training and after an
// upload comes back on the same directory with everything that had been
// written: the ended run as it was, the running one interrupted with its
// curves, the uploaded dataset; and the store passes PRAGMA
// integrity_check.
func TestKill9KeepsTheStore(t *testing.T) {
	dir := t.TempDir()
	args := "-addr 127.0.0.1:0 -data " + dir
	c := startChild(t, args)

	// An upload.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("name", "crashset")
	fw, _ := mw.CreateFormFile("file", "crash.csv")
	fmt.Fprintln(fw, "a,b,c,d,label")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(fw, "%d,%d,%d,%d,%c\n", i%7, i%11, i%13, i%5, 'x'+rune(i%3))
	}
	_ = mw.WriteField("label_column", "label")
	mw.Close()
	res, err := http.Post(c.base+"/api/datasets", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}

	short := c.create(t, `{"encoder":[32],"bottleneck":2,"train_size":512,"test_size":300,"batch_size":32,"epochs":2,"seed":3}`)
	long := c.create(t, `{"encoder":[64],"bottleneck":4,"train_size":20000,"test_size":200,"batch_size":16,"epochs":50,"seed":1}`)
	var before sessionJSON
	deadline := time.Now().Add(120 * time.Second)
	for {
		var l sessionJSON
		c.getJSON(t, "/api/sessions/"+short, &before)
		c.getJSON(t, "/api/sessions/"+long, &l)
		if before.State == "completed" && l.Epoch >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("trainings too slow: short %+v, long %+v", before, l)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // one flush of the batched writer
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()

	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("after kill -9: integrity_check: %v", err)
	}
	st.Close()

	c = startChild(t, args)
	var after, interrupted sessionJSON
	if st := c.getJSON(t, "/api/sessions/"+short, &after); st != 200 || after.State != "completed" ||
		after.TestLoss == nil || *after.TestLoss != *before.TestLoss || after.Step != before.Step {
		t.Fatalf("the ended run after a restart: %d %+v; before the kill %+v", st, after, before)
	}
	if st := c.getJSON(t, "/api/sessions/"+long, &interrupted); st != 200 || interrupted.State != "interrupted" || interrupted.Step == 0 {
		t.Fatalf("the running one after a restart: %d %+v; want interrupted with its progress", st, interrupted)
	}
	res, err = http.Get(c.base + "/api/sessions/" + long + "/history.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if rows := strings.Count(string(b), "\n"); rows < 20 {
		t.Fatalf("the interrupted run kept %d history rows:\n%s", rows, b)
	}
	if st := c.getJSON(t, "/api/datasets/crashset", nil); st != 200 {
		t.Fatalf("the uploaded dataset after a restart: %d", st)
	}
	res, err = http.Get(c.base + "/api/sessions/" + short + "/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("the ended run's weights after a restart: %v %s", res.Status, b)
	}
	res.Body.Close()
	// A graceful stop leaves a sound store too.
	_ = c.cmd.Process.Signal(os.Interrupt)
	_ = c.cmd.Wait()
	st, err = sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("after a restart and a graceful stop: integrity_check: %v", err)
	}
}
