package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/aelab/aelab/internal/lab"
)

// weightsHeader marks the answer of a view that ran on a run's latest
// checkpoint instead of its live weights: the run is trained by another
// replica, which did not answer in time (docs/api.md, "Running the
// model"; docs/deploy.md).
const weightsHeader = "Aelab-Weights"

// markWeights marks body, the answer of a view of md, when md ran on a
// checkpoint: the header, and "weights": "checkpoint" first in the JSON
// object.
func markWeights(w http.ResponseWriter, md lab.Model, body any) any {
	if !md.Checkpoint {
		return body
	}
	w.Header().Set(weightsHeader, "checkpoint")
	if body == nil {
		return nil
	}
	return checkpointBody{body}
}

// checkpointBody is a view's answer with the field "weights":
// "checkpoint" added.
type checkpointBody struct{ v any }

func (c checkpointBody) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(c.v)
	if err != nil || len(b) < 2 || b[0] != '{' {
		return b, err
	}
	var out bytes.Buffer
	out.WriteString(`{"weights":"checkpoint"`)
	if rest := bytes.TrimSpace(b[1:]); len(rest) > 0 && rest[0] != '}' {
		out.WriteByte(',')
	}
	out.Write(b[1:])
	return out.Bytes(), nil
}
