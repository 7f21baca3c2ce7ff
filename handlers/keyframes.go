package handlers

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aelab/aelab/session"
	"github.com/go-chi/chi/v5"
	lru "github.com/hashicorp/golang-lru/v2"
)

// A run's replay (session/keyframe.go): GET /api/sessions/{id}/keyframes is
// its index, GET /api/sessions/{id}/keyframes/{step} one frame, shaped like
// the stream's latent and reconstructions messages (docs/api.md). The frames
// of ended runs never change: they are answered from a bounded cache of
// their JSON, with a cache lifetime for the browser.

// keyframeCacheSize bounds the cached frames (a few tens of kB each).
const keyframeCacheSize = 128

// keyframeIndex is the body of GET /api/sessions/{id}/keyframes.
type keyframeIndex struct {
	Keyframes []session.KeyframeInfo `json:"keyframes"`
	// Max is the most keyframes a run keeps.
	Max int `json:"max"`
}

// keyframeBody is the body of GET /api/sessions/{id}/keyframes/{step}.
type keyframeBody struct {
	Step            int                      `json:"step"`
	Epoch           float64                  `json:"epoch"`
	TrainLoss       *float64                 `json:"train_loss"`
	TestLoss        *float64                 `json:"test_loss"`
	Latent          *session.Latent          `json:"latent"`
	Reconstructions *session.Reconstructions `json:"reconstructions"`
}

type keyframeKey struct {
	id   string
	step int
}

// keyframes answers the replay's two routes.
type keyframes struct {
	m     *session.Manager
	log   *slog.Logger
	cache *lru.Cache[keyframeKey, []byte]
}

func newKeyframes(m *session.Manager, log *slog.Logger) *keyframes {
	c, err := lru.New[keyframeKey, []byte](keyframeCacheSize)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &keyframes{m: m, log: log, cache: c}
}

// settled reports whether nothing will change the keyframes of s: it ended
// and cannot be resumed.
func settled(s *session.Session) bool {
	st := s.State()
	return st.Terminal() && st != session.Interrupted
}

func (k *keyframes) index() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := k.m.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, k.log, err)
			return
		}
		idx, err := s.Keyframes(r.Context())
		if err != nil {
			writeError(w, r, k.log, &session.Error{Code: session.EInternal, Message: "could not read the run's keyframes", Err: err})
			return
		}
		writeJSON(w, http.StatusOK, keyframeIndex{Keyframes: idx, Max: session.MaxKeyframes})
	})
}

func (k *keyframes) frame() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := k.m.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, k.log, err)
			return
		}
		step, err := strconv.Atoi(chi.URLParam(r, "step"))
		if err != nil || step < 0 {
			writeError(w, r, k.log, &session.Error{Code: session.EInvalid, Field: "step",
				Message: "step must be a whole number of steps, 0 or more: one of those GET /api/sessions/" + s.ID() + "/keyframes lists"})
			return
		}
		key := keyframeKey{s.ID(), step}
		fixed := settled(s)
		body, ok := k.cache.Get(key)
		if !ok {
			kf, err := s.Keyframe(r.Context(), step)
			if err != nil {
				if session.ErrorCode(err) != session.ENotFound {
					err = &session.Error{Code: session.EInternal, Message: "could not read the run's keyframe", Err: err}
				}
				writeError(w, r, k.log, err)
				return
			}
			b := keyframeBody{Step: kf.Step, Epoch: kf.Epoch, TrainLoss: kf.TrainLoss, TestLoss: kf.TestLoss}
			if kf.Latent != nil {
				l := *kf.Latent
				l.Type = session.TypeLatent
				b.Latent = &l
			}
			if kf.Reconstructions != nil {
				rc := *kf.Reconstructions
				rc.Type = session.TypeReconstructions
				b.Reconstructions = &rc
			}
			var buf bytes.Buffer
			if err := json.NewEncoder(&buf).Encode(b); err != nil {
				writeError(w, r, k.log, &session.Error{Code: session.EInternal, Message: "could not encode the keyframe", Err: err})
				return
			}
			body = buf.Bytes()
			if fixed {
				k.cache.Add(key, body)
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if fixed {
			w.Header().Set("Cache-Control", "private, max-age=86400")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}
