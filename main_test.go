package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" { // a server for a crash test (store_crash_test.go)
		runChild(args)
		return
	}
	// The matrix-product worker pool lives for the whole process by design;
	// chromedp's and net/http's idle connection goroutines end on their own.
	goleak.VerifyTestMain(closingBrowser{m},
		goleak.IgnoreAnyFunction("github.com/aelab/aelab/ae/internal/gemm.worker"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("github.com/chromedp/chromedp.(*Browser).run"),
	)
}

// closingBrowser runs the tests, then closes the Chromium they shared, so
// that goleak finds its goroutines ended.
type closingBrowser struct{ m *testing.M }

func (c closingBrowser) Run() int {
	defer closeChromium()
	return c.m.Run()
}

// logBuffer collects the server's log output safely.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var urlRE = regexp.MustCompile(`url=(http://\S+)`)

// startServer runs the real program on a free port and waits until
// /healthz answers. It returns the base URL and a function that stops the
// server and returns run's error.
func startServer(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logBuffer{}
	errc := make(chan error, 1)
	if !slices.Contains(args, "-data") && !slices.Contains(args, "-store") {
		args = append([]string{"-ephemeral"}, args...)
	}
	// Under the race detector the pure-Go SQLite runs many times slower, and a
	// loaded CI machine's graceful stop (the store's last writes) can pass the
	// default 5 s: give it more there, and wait for it.
	stopWait := 10 * time.Second
	if raceEnabled && !slices.Contains(args, "-shutdown-timeout") {
		args = append([]string{"-shutdown-timeout", "30s"}, args...)
		stopWait = 40 * time.Second
	}
	go func() {
		errc <- run(ctx, append([]string{"aelab", "-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, logs)
	}()
	var base string
	deadline := time.Now().Add(20 * time.Second)
	for base == "" {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("server exited early: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not log its address:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer 200: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(stopWait):
				t.Fatalf("run did not return within %s of the signal", stopWait)
			}
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"aelab", "-addr"}, {"aelab", "-log-level", "loud"}, {"aelab", "extra"},
		{"aelab", "-trusted-proxy", "nope"}, {"aelab", "-public-url", "ftp://x"}, {"aelab", "-max-conns-per-addr", "0"},
		{"aelab", "-max-memory", "lots"}, {"aelab", "-max-memory", "10MB"}, {"aelab", "-core-gflops", "0"},
		{"aelab", "-shutdown-timeout", "0s"}, {"aelab", "-shutdown-timeout", "11m"}} {
		if err := run(context.Background(), args, func(string) string { return "" }, &logBuffer{}); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
	for in, want := range map[string]int64{"4GB": 4 << 30, "900MB": 900 << 20, "1.5GiB": 3 << 29, "134217728": 128 << 20} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if err := run(context.Background(), []string{"aelab", "-help"}, func(string) string { return "" }, &logBuffer{}); err != nil {
		t.Errorf("-help: %v", err)
	}
}

// TestGracefulShutdown starts a long training with a viewer, then stops the
// server: the training ends as stopped, the viewer gets the final state and
// a close frame, and run returns promptly without error.
func TestGracefulShutdown(t *testing.T) {
	base, stop := startServer(t)
	body := `{"encoder":[64],"bottleneck":8,"train_size":60000,"test_size":200,"epochs":20}`
	res, err := http.Post(base+"/api/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("create: %d", res.StatusCode)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/sessions/"+created.ID+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Wait until it runs.
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"type":"progress"`) {
			break
		}
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- stop() }()
	var lastState string
	var closeErr error
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			closeErr = err
			break
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if m["type"] == "state" {
			lastState = m["state"].(string)
		}
	}
	if lastState != "stopped" {
		t.Errorf("last state before close = %q, want stopped", lastState)
	}
	if !websocket.IsCloseError(closeErr, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
		t.Errorf("stream ended with %v, want a close frame", closeErr)
	}
	if err := <-done; err != nil {
		t.Errorf("run returned %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v, want under 5 s", d)
	}
}

// TestShutdownWithSocketsThatNeverRead: viewers that never read (nor
// answer our close frame) do not hold up a shutdown: run returns nil
// within a couple of seconds. The training is paused so that the time
// measured is the sockets' (a running one first finishes its turn).
func TestShutdownWithSocketsThatNeverRead(t *testing.T) {
	base, stop := startServer(t)
	body := `{"encoder":[64],"bottleneck":8,"train_size":60000,"test_size":200,"epochs":20}`
	res, err := http.Post(base+"/api/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID         string
		OwnerToken string `json:"owner_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
		}}
		return d.Dial(network, addr)
	}}
	for range 4 {
		conn, _, err := dialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/sessions/"+created.ID+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close() // never read
	}
	time.Sleep(time.Second) // the stream fills the buffers
	for {
		req, _ := http.NewRequest("POST", base+"/api/sessions/"+created.ID+"/pause", nil)
		req.Header.Set("Authorization", "Bearer "+created.OwnerToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusNoContent {
			break
		}
		time.Sleep(50 * time.Millisecond) // still queued
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	if err := stop(); err != nil {
		t.Errorf("run returned %v, want nil", err)
	}
	if d := time.Since(start); d > 1600*time.Millisecond {
		t.Errorf("shutdown took %v, want ≤ 1.6 s", d)
	}
}

// TestConnectionCapPerAddress: one address holding many idle connections
// gets -max-conns-per-addr of them; the others are answered 429 with
// Retry-After and closed, and a WebSocket asked for over the cap is
// refused 429 before the upgrade, saying why.
func TestConnectionCapPerAddress(t *testing.T) {
	base, _ := startServer(t, "-max-conns-per-addr", "5")
	addr := strings.TrimPrefix(base, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	var mu sync.Mutex
	alive, answered := 0, 0
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			var b bytes.Buffer
			_, err := b.ReadFrom(c)
			mu.Lock()
			defer mu.Unlock()
			switch ne, ok := err.(net.Error); {
			case ok && ne.Timeout() && b.Len() == 0:
				alive++ // held open, waiting for a request
			case err == nil && strings.HasPrefix(b.String(), "HTTP/1.1 429 ") && strings.Contains(b.String(), "Retry-After: "):
				answered++
			default:
				t.Errorf("an idle connection read %q, %v; want nothing (held) or a 429 answer", b.String(), err)
			}
		}()
	}
	wg.Wait()
	// startServer's health checks may still hold a keep-alive connection.
	if alive < 4 || alive > 5 || alive+answered != 20 {
		t.Fatalf("%d of 20 idle connections held open and %d answered 429, want at most 5 held and the others answered", alive, answered)
	}
	// The address holds its five connections (one more if the health
	// checks' has gone since): a live view is refused before the upgrade,
	// with the reason.
	for range 5 - alive {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond) // accepted
	_, res, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/sessions/none/ws", nil)
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a WebSocket over the cap: %v, %+v; want 429 before the upgrade", err, res)
	}
	var body struct{ Error, Code string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Code != "rate_limited" || !strings.Contains(body.Error, "5 open connections") {
		t.Fatalf("the refused WebSocket's body: %+v, %v", body, err)
	}
}
