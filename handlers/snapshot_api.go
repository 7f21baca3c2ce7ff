package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

// Limits of the snapshot API (docs/api.md, "Running the model"): every
// request is small enough to answer in a few milliseconds.
const (
	maxCodes         = 1024    // codes one decode request may send
	maxExamples      = 1024    // test examples one encode request may name
	maxManifoldSide  = 32      // rows and columns of a manifold grid
	maxInterpSteps   = 64      // steps of an interpolation
	maxDenoiseCount  = 64      // examples of a test-time denoising
	maxLatentAbs     = 1e6     // largest magnitude of a latent value sent to decode
	maxSnapshotBody  = 1 << 20 // bytes of a request body (1024 codes of ~50 units)
	snapshotWait     = 5 * time.Second
	manifoldQuantile = 0.02 // the manifold grid spans the 2%–98% quantiles of the codes
)

// modelRunner runs requests on sessions' frozen weights (never on a live
// model), each admitted by the session manager's door as a view (a CPU turn
// of the pool the trainings share, a share of the memory budget), and
// caches the codes of the latent examples of each session's latest
// snapshot, which the manifold and the statistics share.
type modelRunner struct {
	m     *session.Manager
	cache *codeCache
}

func newModelRunner(m *session.Manager) *modelRunner {
	return &modelRunner{m: m, cache: newCodeCache()}
}

// model is what a snapshot request works on.
type model struct {
	s    *session.Session
	snap *ae.Snapshot
	ds   *datasets.Dataset
}

// load finds the session named in the URL and its latest snapshot, waiting
// up to snapshotWait for the first one.
func (mr *modelRunner) load(r *http.Request, m *session.Manager) (model, error) {
	s, err := m.Get(chi.URLParam(r, "id"))
	if err != nil {
		return model{}, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), snapshotWait)
	defer cancel()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return model{}, err
	}
	ds := s.Dataset()
	if ds == nil { // cannot happen once a snapshot exists; kept for safety
		return model{}, session.Errorf(session.EUnavailable, "the data of session %s is not loaded yet; try again in a moment", s.ID())
	}
	return model{s: s, snap: snap, ds: ds}, nil
}

// viewMemory estimates the bytes one view of md holds: evaluation buffers
// and the inputs and outputs of up to maxExamples rows of every layer.
func viewMemory(md model) int64 {
	units := 0
	for _, w := range md.snap.Config().Sizes {
		units += w
	}
	return int64(8*(256+maxExamples)*units) + 1<<20
}

// view runs f on md as a view admitted by the door (a CPU turn of the pool
// the trainings share, a share of the memory budget, the address's token).
func (mr *modelRunner) view(r *http.Request, md model, f func() error) error {
	return mr.m.Do(r.Context(), session.Work{Kind: session.WorkView, Addr: clientAddr(r), Memory: viewMemory(md)}, func(context.Context) error {
		return f()
	})
}

// serve is the skeleton of every snapshot handler: load the model, run it
// as a view admitted by the door, answer with what run returns (run may
// read the query of r).
func (mr *modelRunner) serve(m *session.Manager, log *slog.Logger, run func(*http.Request, model) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, err := mr.load(r, m)
		var body any
		if err == nil {
			err = mr.view(r, md, func() error {
				var err error
				body, err = run(r, md)
				return err
			})
		}
		if err != nil {
			setRetryAfter(w, err)
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// serveJSON is serve for a POST whose JSON body decodes into a fresh T,
// read and checked before the model is loaded; fields lists the body's
// fields for the unknown-field message.
func serveJSON[T any](mr *modelRunner, m *session.Manager, log *slog.Logger, fields string, run func(model, *T) (any, error)) http.Handler {
	inner := func(req *T) http.Handler {
		return mr.serve(m, log, func(_ *http.Request, md model) (any, error) { return run(md, req) })
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := new(T)
		err := readSnapshotBody(w, r, req, fields)
		if c, ok := any(req).(checker); ok && err == nil {
			err = c.check()
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		inner(req).ServeHTTP(w, r)
	})
}

// checker is a request body that can check itself before the model is
// loaded (limits that do not depend on the model).
type checker interface{ check() error }

// readSnapshotBody decodes a JSON body like decodeJSON (up to
// maxSnapshotBody bytes), with clearer messages for the mistakes these
// endpoints invite: NaN or Infinity (which JSON cannot carry) and fields of
// another endpoint.
func readSnapshotBody(w http.ResponseWriter, r *http.Request, v any, fields string) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSnapshotBody))
	if err != nil {
		var size *http.MaxBytesError
		if errors.As(err, &size) {
			return &session.Error{Code: codeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", maxSnapshotBody)}
		}
		return session.Errorf(session.EInvalid, "could not read the body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	err = decodeJSONLimit(w, r, v, maxSnapshotBody)
	var e *session.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Code == session.EInvalid && e.Field == "" && (bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("Infinity"))):
		return session.Errorf(session.EInvalid, "every number must be finite: JSON has no NaN or Infinity (%s)", e.Message)
	case errors.Is(err, errUnknownField):
		return &session.Error{Code: session.EInvalid, Field: e.Field,
			Message: fmt.Sprintf("unknown field %q: this endpoint takes %s (see docs/api.md)", e.Field, fields)}
	}
	return err
}

// imagesBody is a batch of examples quantised like the reconstructions
// message of docs/protocol.md: Data holds Count × Width × Height bytes,
// example after example, byte b standing for Lo + b/255·(Hi − Lo).
type imagesBody struct {
	Kind   string  `json:"kind"` // "image" or "vector"
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Count  int     `json:"count"`
	Lo     float32 `json:"lo"`
	Hi     float32 `json:"hi"`
	Data   []byte  `json:"data"`
}

// newImages quantises n examples of ds's shape over [lo, hi].
func newImages(ds *datasets.Dataset, x []float32, n int, lo, hi float32) imagesBody {
	b := imagesBody{Kind: "vector", Width: ds.Features, Height: 1, Count: n, Lo: lo, Hi: hi,
		Data: session.AppendQuantised(make([]byte, 0, len(x)), x, lo, hi)}
	if ds.Shape.IsImage() {
		b.Kind, b.Width, b.Height = "image", ds.Shape.Width, ds.Shape.Height
	}
	return b
}

// rows splits n×m values into n rows, with non-finite values (a diverged
// model) replaced by 0 so that the answer always marshals.
func rows(v []float32, n, m int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		out[i] = v[i*m : (i+1)*m : (i+1)*m]
		for j, x := range out[i] {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				out[i][j] = 0
			}
		}
	}
	return out
}

// checkExample reports whether i, the value of what (in field), is an
// index into ds's test split.
func checkExample(ds *datasets.Dataset, field, what string, i int) error {
	if i < 0 || i >= ds.Test.N {
		return &session.Error{Code: session.EInvalid, Field: field,
			Message: fmt.Sprintf("%s: test example %d does not exist: the test split of %s has examples 0 to %d", what, i, ds.Name, ds.Test.N-1)}
	}
	return nil
}

// testRows copies the test examples idx of ds into one n×K matrix.
func testRows(ds *datasets.Dataset, idx []int) ([]float32, []int) {
	k := ds.Features
	x := make([]float32, 0, len(idx)*k)
	labels := make([]int, len(idx))
	for i, j := range idx {
		x = append(x, ds.Test.Row(j)...)
		labels[i] = ds.Test.Labels[j]
	}
	return x, labels
}
