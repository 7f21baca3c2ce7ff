package handlers

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/aelab/aelab/internal/lab"
)

// A view's answer that ran on a run's checkpoint (the training replica did
// not answer) says so: "weights": "checkpoint" first in its JSON object,
// and the Aelab-Weights header; an answer on live weights is unchanged.
func TestMarkWeights(t *testing.T) {
	body := lab.Generated{Step: 250, Seed: 3}
	w := httptest.NewRecorder()
	if _, ok := markWeights(w, lab.Model{}, body).(lab.Generated); !ok || w.Header().Get(weightsHeader) != "" {
		t.Fatalf("live weights were marked (header %q)", w.Header().Get(weightsHeader))
	}
	w = httptest.NewRecorder()
	b, err := json.Marshal(markWeights(w, lab.Model{Checkpoint: true}, body))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got["weights"] != "checkpoint" || got["step"] != 250.0 || got["seed"] != 3.0 || w.Header().Get(weightsHeader) != "checkpoint" {
		t.Fatalf("checkpoint answer %s, header %q", b, w.Header().Get(weightsHeader))
	}
	if b, _ := json.Marshal(checkpointBody{struct{}{}}); string(b) != `{"weights":"checkpoint"}` {
		t.Fatalf("empty object marked as %s", b)
	}
}
