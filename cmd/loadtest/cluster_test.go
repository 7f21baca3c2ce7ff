package main

import (
	"io"
	"slices"
	"testing"

	"github.com/nats-io/nats.go"
)

// TestClusterScenarioOnRequest: the cluster scenario runs only when named
// (it needs three servers and a NATS server), and its sizes are checked.
func TestClusterScenarioOnRequest(t *testing.T) {
	o, err := parseFlags([]string{"loadtest"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(o.scenarios, "cluster") {
		t.Fatalf("default scenarios %q include cluster", o.scenarios)
	}
	o, err = parseFlags([]string{"loadtest", "-scenarios", "cluster", "-cluster-runs", "3"}, io.Discard)
	if err != nil || !slices.Equal(o.scenarios, []string{"cluster"}) || o.clusterRuns != 3 {
		t.Fatalf("-scenarios cluster: %q, %d runs, %v", o.scenarios, o.clusterRuns, err)
	}
	if _, err := parseFlags([]string{"loadtest", "-scenarios", "cluster", "-cluster-epochs", "0"}, io.Discard); err == nil {
		t.Fatal("-cluster-epochs 0 accepted")
	}
}

// TestBusTap: the tap counts subject, reply, headers and payload, by
// subject, and sorts subjects into kinds of traffic.
func TestBusTap(t *testing.T) {
	tap := newBusTap()
	m := &nats.Msg{Subject: "aelab.run.abc", Data: []byte(`{"type":"progress"}`), Header: nats.Header{"Aelab-Seq": []string{"7"}}}
	tap.see(m)
	tap.see(&nats.Msg{Subject: "aelab.run.abc", Reply: "_INBOX.x", Data: []byte("12")})
	got := tap.snapshot()["aelab.run.abc"]
	want := busCount{msgs: 2, bytes: len("aelab.run.abc") + 19 + len("Aelab-Seq") + 1 + 4 + len("aelab.run.abc") + len("_INBOX.x") + 2}
	if got != want {
		t.Fatalf("tap counted %+v, want %+v", got, want)
	}
	for subj, kind := range map[string]string{"aelab.run.x": "live messages (aelab.run.*)", "aelab.jobs": "jobs (aelab.jobs)",
		"aelab.ask.x": "requests to a training replica (aelab.ask.*)", "$JS.ACK.AELAB_JOBS.trainers.1.2.3.4.5": "JetStream API, fetches and acknowledgements ($JS.*)",
		"_INBOX.abc": "replies (_INBOX.*)", "foo": "other"} {
		if k := busCategory(subj); k != kind {
			t.Errorf("busCategory(%q) = %q, want %q", subj, k, kind)
		}
	}
	tap.reset()
	if len(tap.snapshot()) != 0 {
		t.Fatal("reset left counts")
	}
}

// TestMsgKey: messages are recognised by type and step on any replica,
// terminal states are seen in state messages and snapshots alike.
func TestMsgKey(t *testing.T) {
	for _, tc := range []struct{ in, typ, key, state string }{
		{`{"type":"progress","session":"abc","step":12,"epoch":1}`, "progress", "progress@12", ""},
		{`{"type":"loss","train":[{"step":3},{"step":9}],"test":[]}`, "loss", "loss@9/-1", ""},
		{`{"type":"state","session":"abc","state":"completed"}`, "state", "", "completed"},
		{`{"type":"snapshot","session":{"id":"abc","state":"stopped","step":40}}`, "snapshot", "", "stopped"},
	} {
		typ, key, state := msgKey([]byte(tc.in))
		if typ != tc.typ || state != tc.state || (tc.key != "" && key != tc.key) || key == "" {
			t.Errorf("msgKey(%s) = %q %q %q, want %q %q %q", tc.in, typ, key, state, tc.typ, tc.key, tc.state)
		}
	}
}
