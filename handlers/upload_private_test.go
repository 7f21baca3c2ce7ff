package handlers

import (
	"strings"
	"testing"
)

// Uploads belong to their uploaders: a configuration naming an unknown
// dataset is told the built-in sets, not the names of everyone's uploads
// (which an upload's owner may have made telling: "exam-2-answers").
func TestUnknownDatasetDoesNotListOthersUploads(t *testing.T) {
	ts := newUploadServer(t, "")
	res, b := ts.upload(t, "/api/datasets", map[string]string{"name": "private-notes", "label_column": "c"}, "p.csv", "a,b,c\n1,2,x\n3,4,y\n5,6,x\n")
	if res.StatusCode != 201 {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	for _, path := range []string{"/api/sessions", "/api/sessions/check"} {
		res, b := ts.do(t, "POST", path, `{"dataset": "nope", "bottleneck": 2}`, nil)
		if res.StatusCode >= 500 || !strings.Contains(string(b), `unknown dataset \"nope\"`) || !strings.Contains(string(b), "mnist") || strings.Contains(string(b), "private-notes") {
			t.Errorf("%s with an unknown dataset: %d %s; want a refusal listing the built-in sets and no upload", path, res.StatusCode, b)
		}
	}
	// The upload itself is still reached by its name.
	if res, b := ts.do(t, "POST", "/api/sessions/check", `{"dataset": "private-notes", "bottleneck": 1}`, nil); res.StatusCode != 200 {
		t.Errorf("check on the upload by name: %d %s", res.StatusCode, b)
	}
}
