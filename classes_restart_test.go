package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClassesSurviveRestart creates a class, joins two students and starts
// a run, restarts the server on the same -data directory, and finds the
// class with its code, students and run, and the teacher's token still
// good.
func TestClassesSurviveRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	do := func(method, url, body, token string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return res.StatusCode, m
	}
	base, stop := startServer(t, "-data", dir)
	st, cl := do("POST", base+"/api/classes", `{"name":"Kept","preset":{"dataset":"blobs","encoder":[16],"bottleneck":2,"output_activation":"linear","batch_size":32,"epochs":1},"locked":["bottleneck"]}`, "")
	if st != 201 {
		t.Fatalf("create: %d %v", st, cl)
	}
	id, code, teacher := cl["id"].(string), cl["code"].(string), cl["teacher_token"].(string)
	_, ana := do("POST", base+"/api/join", `{"code":"`+code+`","name":"Ana"}`, "")
	do("POST", base+"/api/join", `{"code":"`+code+`","name":"Ben"}`, "")
	if st, run := do("POST", base+"/api/sessions", `{"class":"`+id+`"}`, ana["student_token"].(string)); st != 201 {
		t.Fatalf("run: %d %v", st, run)
	}
	// Let the run end (a generated set trains in a moment).
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, got := do("GET", base+"/api/classes/"+id, "", "")
		if runs, _ := got["runs"].([]any); len(runs) == 1 && runs[0].(map[string]any)["state"] == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not end")
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	base, _ = startServer(t, "-data", dir)
	st, got := do("GET", base+"/api/classes/"+id, "", "")
	if st != 200 {
		t.Fatalf("after restart: %d %v", st, got)
	}
	c := got["class"].(map[string]any)
	students := got["students"].([]any)
	runs := got["runs"].([]any)
	if c["code"] != code || c["name"] != "Kept" || len(students) != 2 || len(runs) != 1 || runs[0].(map[string]any)["student"] != "Ana" || runs[0].(map[string]any)["state"] != "completed" || runs[0].(map[string]any)["test_loss"] == nil {
		t.Fatalf("restored class: %v", got)
	}
	if st, _ := do("POST", base+"/api/classes/"+id+"/close", "", teacher); st != 200 {
		t.Errorf("the teacher's token after a restart: %d", st)
	}
	if st, _ := do("POST", base+"/api/join", `{"code":"`+code+`","name":"Cy"}`, ""); st != 403 {
		t.Errorf("closed after restart: %d", st)
	}
	if st, body := do("POST", base+"/api/sessions", `{"class":"`+id+`","bottleneck":4}`, ana["student_token"].(string)); st != 400 || body["field"] != "bottleneck" {
		t.Errorf("the lesson after a restart: %d %v", st, body)
	}
}
