package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// Limits of the snapshot API (docs/api.md, "Running the model"): every
// request is small enough to answer in a few milliseconds.
const (
	maxCodes        = 1024            // codes one decode request may send
	maxExamples     = lab.MaxExamples // test examples one encode request may name
	maxManifoldSide = 32              // rows and columns of a manifold grid
	maxInterpSteps  = 64              // steps of an interpolation
	maxDenoiseCount = 64              // examples of a test-time denoising
	maxLatentAbs    = 1e6             // largest magnitude of a latent value sent to decode
	maxSnapshotBody = 1 << 20         // bytes of a request body (1024 codes of ~50 units)
)

// modelRunner is the HTTP face of lab.Runner: the session named in the
// URL, and views admitted for the client's address.
type modelRunner struct{ *lab.Runner }

func newModelRunner(m *session.Manager) *modelRunner { return &modelRunner{lab.NewRunner(m)} }

// load finds the session named in the URL and its latest snapshot.
func (mr *modelRunner) load(r *http.Request) (lab.Model, error) {
	return mr.Load(r.Context(), chi.URLParam(r, "id"))
}

// view runs f on md as a view admitted by the door for r's client.
func (mr *modelRunner) view(r *http.Request, md lab.Model, f func() error) error {
	return mr.View(r.Context(), clientAddr(r), md, f)
}

// serve is the skeleton of every snapshot handler: load the model, run it
// as a view admitted by the door, answer with what run returns (run may
// read the query of r).
func (mr *modelRunner) serve(log *slog.Logger, run func(*http.Request, lab.Model) (any, error)) http.Handler {
	return mr.handler(log, false, run)
}

// serveAt is serve for the views that can run on a past step of the run
// (the latent explorer's, following the replay): with ?step= they run on
// the kept weights nearest that step (lab.Runner.ViewAt).
func (mr *modelRunner) serveAt(log *slog.Logger, run func(*http.Request, lab.Model) (any, error)) http.Handler {
	return mr.handler(log, true, run)
}

func (mr *modelRunner) handler(log *slog.Logger, atStep bool, run func(*http.Request, lab.Model) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		step := -1
		q, err := queryParams(r) // every view's parameters: none given twice
		if err == nil && atStep && q.Has("step") {
			step, err = queryInt(q, "step", -1, 0, math.MaxInt32)
		}
		var md lab.Model
		if err == nil {
			md, err = mr.load(r)
		}
		var body any
		used := md
		if err == nil && step < 0 {
			err = mr.view(r, md, func() error {
				var err error
				body, err = run(r, md)
				return err
			})
		} else if err == nil {
			err = mr.ViewAt(r.Context(), clientAddr(r), md, step, func(at lab.Model) error {
				var err error
				used = at
				body, err = run(r, at)
				return err
			})
		}
		if err != nil {
			setRetryAfter(w, err)
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, markWeights(w, used, body))
	})
}

// serveJSON is serve for a POST whose JSON body decodes into a fresh T,
// read and checked before the model is loaded; fields lists the body's
// fields for the unknown-field message.
func serveJSON[T any](mr *modelRunner, log *slog.Logger, fields string, run func(lab.Model, *T) (any, error)) http.Handler {
	return serveBody(log, fields, mr.serve, run)
}

// serveJSONAt is serveJSON for the views that can run on a past step
// (serveAt).
func serveJSONAt[T any](mr *modelRunner, log *slog.Logger, fields string, run func(lab.Model, *T) (any, error)) http.Handler {
	return serveBody(log, fields, mr.serveAt, run)
}

func serveBody[T any](log *slog.Logger, fields string, serve func(*slog.Logger, func(*http.Request, lab.Model) (any, error)) http.Handler,
	run func(lab.Model, *T) (any, error)) http.Handler {
	inner := func(req *T) http.Handler {
		return serve(log, func(_ *http.Request, md lab.Model) (any, error) { return run(md, req) })
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
