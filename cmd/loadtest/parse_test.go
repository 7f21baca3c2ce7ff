package main

import (
	"testing"
	"time"
)

func TestParseServeURL(t *testing.T) {
	for _, tc := range []struct {
		line, want string
		found, err bool
	}{
		{`time=2026-11-27T12:26:48.908Z level=INFO msg="serving the autoencoder lab" url=http://127.0.0.1:33231`, "http://127.0.0.1:33231", true, false},
		{`level=INFO msg="serving" url=http://[::1]:8080 other=x`, "http://[::1]:8080", true, false},
		{`level=INFO msg="serving" url=http://localhost:8080`, "", true, true}, // not an IP: refused
		{`level=INFO msg="serving" url=http://10.0.0.1:8080`, "", true, true},
		{`level=INFO msg="session created" session=abc`, "", false, false},
	} {
		got, found, err := parseServeURL(tc.line)
		if got != tc.want || found != tc.found || (err != nil) != tc.err {
			t.Errorf("parseServeURL(%q) = %q, %v, %v; want %q, %v, error %v", tc.line, got, found, err, tc.want, tc.found, tc.err)
		}
	}
}

func TestMsgType(t *testing.T) {
	for in, want := range map[string]string{
		`{"type":"progress","epoch":1}`: "progress",
		`{"epoch":1,"type":"loss"}`:     "loss", // not first: parsed the slow way
		`{"type":"state"}`:              "state",
		`not json`:                      "",
	} {
		if got := msgType([]byte(in)); got != want {
			t.Errorf("msgType(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestViewerRecordsAStream(t *testing.T) {
	v := newViewer("http://127.0.0.1:1", "abc")
	if v.url != "ws://127.0.0.1:1/api/sessions/abc/ws" {
		t.Fatalf("url = %s", v.url)
	}
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	for _, m := range []struct {
		ms  int
		msg string
	}{
		{0, `{"type":"snapshot","session":{"state":"queued"},"progress":null,"state":{"type":"state","state":"queued"}}`},
		{100, `{"type":"progress","step":0}`}, // not running yet: not counted
		{200, `{"type":"state","state":"running"}`},
		{700, `{"type":"progress","step":5,"total_steps":20,"elapsed_seconds":0.5}`},
		{900, `{"type":"latent","x":[1]}`},
		{2200, `{"type":"progress","step":20,"total_steps":20,"elapsed_seconds":2}`},
		{2300, `{"type":"state","state":"completed"}`},
	} {
		if err := v.handle([]byte(m.msg), at(m.ms)); err != nil {
			t.Fatalf("handle(%s): %v", m.msg, err)
		}
	}
	select {
	case <-v.ready:
	default:
		t.Error("ready not closed after the snapshot")
	}
	select {
	case <-v.live:
	default:
		t.Error("live not closed after a progress message while running")
	}
	if v.state != "completed" || v.finalStateMsg != "completed" || v.lastProgress.Step != 20 || v.counts["progress"] != 3 || v.messages() != 7 {
		t.Errorf("state %q, final %q, last progress %+v, counts %v", v.state, v.finalStateMsg, v.lastProgress, v.counts)
	}
	rate, longest, ok := v.updateRate()
	// Two progress messages in the 2.1 s the session ran; the longest wait
	// is 1.5 s, from step 5 to step 20.
	if !ok || rate != 2/2.1 || longest.d != 1500*time.Millisecond || longest.from != 5 || longest.to != 20 {
		t.Errorf("updateRate = %g, %+v, %v", rate, longest, ok)
	}
	if g := v.gaps(); len(g) != 3 || g[0].d != 500*time.Millisecond || g[0].from != -1 || g[2].d != 100*time.Millisecond || g[2].to != -1 {
		t.Errorf("gaps = %+v", g)
	}
}

func TestViewerRefusesUnknownMessages(t *testing.T) {
	v := newViewer("http://127.0.0.1:1", "abc")
	if err := v.handle([]byte(`{"type":"surprise"}`), time.Now()); err == nil {
		t.Error("an unknown message type was accepted")
	}
}

func TestUpdateRateNeedsRunningAndEnd(t *testing.T) {
	v := newViewer("http://127.0.0.1:1", "abc")
	if err := v.handle([]byte(`{"type":"state","state":"running"}`), time.Unix(5, 0)); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := v.updateRate(); ok {
		t.Error("a rate for a session that never ended")
	}
}

func TestFmtCodes(t *testing.T) {
	if got := fmtCodes(map[int]int{1001: 3, 1000: 97, 0: 1}); got != "none ×1, 1000 ×97, 1001 ×3" {
		t.Errorf("fmtCodes = %q", got)
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"loadtest", "-scenarios", "shutdown, class"}, discard{})
	if err != nil || len(o.scenarios) != 2 || o.scenarios[0] != "shutdown" || o.classSessions != 30 || o.audienceViewers != 200 || o.classMaxRSS != 400 {
		t.Errorf("parseFlags = %+v, %v", o, err)
	}
	if _, err := parseFlags([]string{"loadtest", "-scenarios", "nope"}, discard{}); err == nil {
		t.Error("an unknown scenario was accepted")
	}
	if _, err := parseFlags([]string{"loadtest", "-shutdown-sockets", "10"}, discard{}); err == nil {
		t.Error("fewer sockets than sessions was accepted")
	}
	if _, err := parseFlags([]string{"loadtest", "-class-max-rss", "0"}, discard{}); err == nil {
		t.Error("a peak RSS bar of 0 was accepted")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
