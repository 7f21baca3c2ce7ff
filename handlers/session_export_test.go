package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/safetensors"
	"github.com/aelab/aelab/session"
)

func (ts *testServer) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// The downloads of a trained session: weights, history, codes, picture;
// then the weights uploaded again give a session that reconstructs
// bit-identically.
func TestSessionExportsAndImport(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)

	res, model := ts.get(t, "/api/sessions/"+c.ID+"/model.safetensors")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".safetensors") {
		t.Fatalf("model: %d %s", res.StatusCode, res.Header)
	}
	f, err := safetensors.Read(model)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := f.Get("encoder.0.weight"); !ok || w.Shape[0] != 32 || w.Shape[1] != 784 {
		t.Fatalf("encoder.0.weight: %v %v", ok, w.Shape)
	}

	res, b := ts.get(t, "/api/sessions/"+c.ID+"/history.csv")
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if res.StatusCode != 200 || err != nil || len(rows) < 3 {
		t.Fatalf("history.csv: %d, %v, %d rows", res.StatusCode, err, len(rows))
	}
	if strings.Join(rows[0], ",") != "epoch,step,train_loss,test_loss,learning_rate" {
		t.Fatalf("history header %v", rows[0])
	}
	tests, prev := 0, -1
	for _, r := range rows[1:] {
		step, _ := strconv.Atoi(r[1])
		if step <= prev {
			t.Fatalf("history steps not increasing: %v after %d", r, prev)
		}
		prev = step
		if r[3] != "" {
			tests++
		}
		if r[4] != "0.001" {
			t.Fatalf("learning rate %q, want 0.001", r[4])
		}
	}
	if tests != 3 { // before training and after each of the 2 epochs
		t.Errorf("%d test-loss rows, want 3", tests)
	}

	res, b = ts.get(t, "/api/sessions/"+c.ID+"/latent.csv")
	rows, err = csv.NewReader(bytes.NewReader(b)).ReadAll()
	if res.StatusCode != 200 || err != nil || len(rows) != 1001 || strings.Join(rows[0], ",") != "example,label,class,z1,z2" {
		t.Fatalf("latent.csv: %d, %v, %d rows, header %v", res.StatusCode, err, len(rows), rows[0])
	}

	res, b = ts.get(t, "/api/sessions/"+c.ID+"/reconstructions.png")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s", res.StatusCode, res.Header)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X < 10*28 || sz.Y < 2*28 {
		t.Errorf("png is %v, too small for 10 examples over 2 rows", sz)
	}

	// Import, raw body then multipart.
	for _, multi := range []bool{false, true} {
		req, _ := http.NewRequest("POST", ts.URL+"/api/models", bytes.NewReader(model))
		req.Header.Set("Content-Type", "application/octet-stream")
		if multi {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "model.safetensors")
			fw.Write(model)
			mw.Close()
			req, _ = http.NewRequest("POST", ts.URL+"/api/models", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("import (multipart %v): %d %s", multi, res.StatusCode, b)
		}
		var created createdBody
		_ = json.Unmarshal(b, &created)
		imp, err := ts.m.Get(created.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitEnded(t, imp)
		if in := imp.Info(); in.State != session.Completed || !in.Imported {
			t.Fatalf("imported: %+v", in)
		}
		// Its exported weights are the very bytes uploaded.
		_, again := ts.get(t, "/api/sessions/"+created.ID+"/model.safetensors")
		f2, err := safetensors.Read(again)
		if err != nil {
			t.Fatal(err)
		}
		for _, tn := range f.Tensors {
			t2, _ := f2.Get(tn.Name)
			for i := range tn.Data {
				if math.Float32bits(tn.Data[i]) != math.Float32bits(t2.Data[i]) {
					t.Fatalf("%s[%d] changed through import: %v → %v", tn.Name, i, tn.Data[i], t2.Data[i])
				}
			}
		}
		// The latent explorer works on it.
		res, b = ts.do(t, "POST", "/api/sessions/"+created.ID+"/decode", `{"z":[[0,0]]}`, nil)
		if res.StatusCode != 200 {
			t.Fatalf("decode on an imported session: %d %s", res.StatusCode, b)
		}
		// Its owner may delete it; then it is gone.
		res, b = ts.do(t, "DELETE", "/api/sessions/"+created.ID, "", map[string]string{"Authorization": "Bearer " + created.OwnerToken})
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete by its owner: %d %s", res.StatusCode, b)
		}
		if res, _ = ts.get(t, "/api/sessions/"+created.ID); res.StatusCode != 404 {
			t.Fatalf("a deleted session answers %d", res.StatusCode)
		}
	}
}

// Variational and convolutional models download (no longer 409) with
// their own tensors, and upload back to a completed session.
func TestModelExportImportVAEConv(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		body  string
		names []string
	}{
		{`{"dataset":"mnist","kind":"vae","encoder":[32],"bottleneck":2,"train_size":256,"test_size":200,"batch_size":32,"epochs":1,"seed":3}`,
			[]string{"encoder.0.weight", "mu.weight", "logvar.bias", "decoder.1.weight"}},
		{`{"dataset":"mnist","kind":"vae","conv":[{"filters":4,"kernel":3,"stride":2}],"encoder":[],"bottleneck":4,"train_size":128,"test_size":100,"batch_size":32,"epochs":1,"seed":3}`,
			[]string{"encoder_conv.0.weight", "mu.weight", "logvar.weight", "decoder.0.bias", "decoder_conv.0.weight"}},
	} {
		c := ts.create(t, tc.body)
		s, _ := ts.m.Get(c.ID)
		waitEnded(t, s)
		res, model := ts.get(t, "/api/sessions/"+c.ID+"/model.safetensors")
		if res.StatusCode != 200 {
			t.Fatalf("model of %s: %d %s", tc.body, res.StatusCode, model)
		}
		f, err := safetensors.Read(model)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range tc.names {
			if _, ok := f.Get(name); !ok {
				t.Errorf("model of %s: no tensor %s", tc.body, name)
			}
		}
		res, b := ts.do(t, "POST", "/api/models", string(model), map[string]string{"Content-Type": "application/octet-stream"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("import of %s: %d %s", tc.body, res.StatusCode, b)
		}
		var created createdBody
		_ = json.Unmarshal(b, &created)
		imp, err := ts.m.Get(created.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitEnded(t, imp)
		if in := imp.Info(); in.State != session.Completed || !in.Imported || *in.TestLoss != *s.Info().TestLoss {
			t.Fatalf("imported %s: %+v, test loss before %v", tc.body, in, *s.Info().TestLoss)
		}
	}
}

func TestImportModelErrors(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		ct, body string
		status   int
		want     string
	}{
		{"application/octet-stream", "", 400, "empty"},
		{"application/octet-stream", "not a model at all", 400, "not a valid safetensors file"},
		{"text/plain", "x", 400, "application/octet-stream"},
		{"multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--zz--\r\n", 400, "unknown field"},
	} {
		res, b := ts.do(t, "POST", "/api/models", tc.body, map[string]string{"Content-Type": tc.ct})
		if res.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("POST /api/models %q: %d %s; want %d saying %q", tc.body, res.StatusCode, b, tc.status, tc.want)
		}
	}
	// Over the size limit: 413 before reading it all.
	big := strings.Repeat("x", int(maxModelBytes(ts.m.Limits()))+100<<10)
	res, b := ts.do(t, "POST", "/api/models", big, map[string]string{"Content-Type": "application/octet-stream"})
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized model: %d %s", res.StatusCode, b)
	}
	res, _ = ts.get(t, "/api/sessions/nope/model.safetensors")
	if res.StatusCode != 404 {
		t.Errorf("model of an unknown session: %d", res.StatusCode)
	}
}
