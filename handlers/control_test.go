package handlers

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// TestSetAndStepRefusals sends every kind of bad /set and /step: each is
// refused with its status, and a bad value names its field.
func TestSetAndStepRefusals(t *testing.T) {
	ts := newTestServer(t)
	long := ts.create(t, longJSON)
	s, _ := ts.m.Get(long.ID)
	waitFor(t, func() bool { return s.State() == session.Running })
	vae := ts.create(t, `{"kind":"vae","encoder":[32],"bottleneck":2,"train_size":60000,"test_size":200,"epochs":20}`)
	noisy := ts.create(t, `{"encoder":[32],"bottleneck":2,"train_size":60000,"test_size":200,"epochs":20,"noise":{"kind":"masking","level":0.3}}`)
	auth := func(c createdBody) map[string]string {
		return map[string]string{"Authorization": "Bearer " + c.OwnerToken}
	}
	set, step := "/api/sessions/"+long.ID+"/set", "/api/sessions/"+long.ID+"/step"
	cases := []struct {
		name, path, body string
		hdr              map[string]string
		status           int
		field, says      string
	}{
		{"set without token", set, `{"learning_rate":0.01}`, nil, 401, "", "owner"},
		{"set with wrong token", set, `{"learning_rate":0.01}`, map[string]string{"Authorization": "Bearer " + vae.OwnerToken}, 403, "", "do not own"},
		{"set unknown session", "/api/sessions/nope/set", `{"learning_rate":0.01}`, auth(long), 404, "", "no session"},
		{"set nothing", set, `{}`, auth(long), 400, "learning_rate", "at least one"},
		{"set zero rate", set, `{"learning_rate":0}`, auth(long), 400, "learning_rate", "greater than 0"},
		{"set negative rate", set, `{"learning_rate":-0.1}`, auth(long), 400, "learning_rate", "greater than 0"},
		{"set huge rate", set, `{"learning_rate":1e9}`, auth(long), 400, "learning_rate", "at most"},
		{"set rate as text", set, `{"learning_rate":"fast"}`, auth(long), 400, "learning_rate", "number"},
		{"set unknown field", set, `{"learning_rat":0.01}`, auth(long), 400, "learning_rat", "unknown field"},
		{"set beta on an ae", set, `{"beta":2}`, auth(long), 400, "beta", "variational"},
		{"set zero beta", "/api/sessions/" + vae.ID + "/set", `{"beta":0}`, auth(vae), 400, "beta", "from 0.0001 to 100"},
		{"set denormal beta", "/api/sessions/" + vae.ID + "/set", `{"beta":5e-324}`, auth(vae), 400, "beta", "from 0.0001 to 100, not 5e-324"},
		{"set huge beta", "/api/sessions/" + vae.ID + "/set", `{"beta":1000}`, auth(vae), 400, "beta", "from 0.0001 to 100"},
		{"set noise on a clean run", set, `{"noise":{"kind":"gaussian","level":0.3}}`, auth(long), 400, "noise", "training-time noise"},
		{"set noise level 0", "/api/sessions/" + noisy.ID + "/set", `{"noise":{"kind":"masking","level":0}}`, auth(noisy), 400, "noise", "greater than 0"},
		{"set noise off", "/api/sessions/" + noisy.ID + "/set", `{"noise":{"kind":"none","level":0.3}}`, auth(noisy), 400, "noise", "gaussian, masking or salt_pepper"},
		{"set noise too much", "/api/sessions/" + noisy.ID + "/set", `{"noise":{"kind":"masking","level":2}}`, auth(noisy), 400, "noise", "between 0 and 1"},
		{"step without token", step, `{"batches":1}`, nil, 401, "", "owner"},
		{"step while running", step, `{"batches":1}`, auth(long), 409, "", "paused"},
		{"step zero batches", step, `{"batches":0}`, auth(long), 400, "batches", "between 1 and 1000"},
		{"step too many", step, `{"batches":1001}`, auth(long), 400, "batches", "between 1 and 1000"},
		{"step fraction", step, `{"batches":1.5}`, auth(long), 400, "batches", "whole number"},
		{"step unknown field", step, `{"batch":1}`, auth(long), 400, "batch", "unknown field"},
		{"set wrong method", set, "", auth(long), 405, "", "not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.status == 405 {
				method = "GET"
			}
			res, b := ts.do(t, method, tc.path, tc.body, tc.hdr)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.StatusCode, tc.status, b)
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("error is not JSON: %s", b)
			}
			if !strings.Contains(e.Error, tc.says) || e.Field != tc.field {
				t.Fatalf("error = %q (field %q), want it to say %q (field %q)", e.Error, e.Field, tc.says, tc.field)
			}
		})
	}
	// Accepted: a rate for the AE, β for the VAE, noise for the denoising run.
	for _, ok := range []struct {
		c    createdBody
		body string
	}{{long, `{"learning_rate":0.0001}`}, {vae, `{"beta":4,"learning_rate":0.002}`}, {noisy, `{"noise":{"kind":"gaussian","level":0.5}}`}} {
		if res, b := ts.do(t, "POST", "/api/sessions/"+ok.c.ID+"/set", ok.body, auth(ok.c)); res.StatusCode != http.StatusAccepted {
			t.Fatalf("set %s: %d %s", ok.body, res.StatusCode, b)
		}
	}
	// Ended runs refuse both.
	for _, c := range []createdBody{long, vae, noisy} {
		if res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+"/stop", "", auth(c)); res.StatusCode != http.StatusNoContent {
			t.Fatalf("stop: %d %s", res.StatusCode, b)
		}
	}
	waitFor(t, func() bool { return s.State().Terminal() })
	for p, body := range map[string]string{set: `{"learning_rate":0.01}`, step: `{"batches":1}`} {
		res, b := ts.do(t, "POST", p, body, auth(long))
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("%s on a stopped run: %d %s, want 409", p, res.StatusCode, b)
		}
	}
}

// TestSetAndStepAPI pauses a run, changes its learning rate, steps it and
// checks the answers, the session's step and the change in the stream's
// snapshot.
func TestSetAndStepAPI(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, longJSON)
	auth := map[string]string{"Authorization": "Bearer " + c.OwnerToken}
	s, _ := ts.m.Get(c.ID)
	waitFor(t, func() bool { return s.State() == session.Running })
	if res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+"/pause", "", auth); res.StatusCode != http.StatusNoContent {
		t.Fatalf("pause: %d %s", res.StatusCode, b)
	}
	waitFor(t, func() bool { return s.State() == session.Paused })
	at := s.Info().Step
	res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+"/set", `{"learning_rate":0.0001}`, auth)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("set: %d %s", res.StatusCode, b)
	}
	var acc setAccepted
	if err := json.Unmarshal(b, &acc); err != nil || acc.Step != at || acc.Settings.LearningRate == nil || *acc.Settings.LearningRate != 0.0001 {
		t.Fatalf("set answer %s (%v), want the settings and step %d", b, err, at)
	}
	res, b = ts.do(t, "POST", "/api/sessions/"+c.ID+"/step", `{"batches":3}`, auth)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("step: %d %s", res.StatusCode, b)
	}
	var sr session.StepResult
	if err := json.Unmarshal(b, &sr); err != nil || sr.Step != at+3 || sr.Batches != 3 || len(sr.Losses) != 3 {
		t.Fatalf("step answer %s (%v), want 3 batches to step %d", b, err, at+3)
	}
	if s.State() != session.Paused || s.Info().Step != at+3 {
		t.Fatalf("after the step: %s at step %d, want paused at %d", s.State(), s.Info().Step, at+3)
	}
	res, b = ts.do(t, "POST", "/api/sessions/"+c.ID+"/step", "", auth) // no body: one batch
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("step without a body: %d %s", res.StatusCode, b)
	}
	res, b = ts.do(t, "POST", "/api/sessions/"+c.ID+"/step", `{}`, auth) // batches missing: one
	if res.StatusCode != http.StatusOK {
		t.Fatalf("step {}: %d %s", res.StatusCode, b)
	}
	h, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Changes) != 1 || h.Changes[0].Field != session.FieldLearningRate || h.Changes[0].Step != at || h.Changes[0].To != 0.0001 {
		t.Fatalf("changes %+v, want the learning rate at step %d", h.Changes, at)
	}
}
