package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// classCreatedBody is the answer to POST /api/classes.
type classCreatedBody struct {
	ID           string `json:"id"`
	Code         string `json:"code"`
	TeacherToken string `json:"teacher_token"`
	URL          string `json:"url"`
	JoinURL      string `json:"join_url"`
}

func classPath(id string) string      { return "/classes/" + id }
func classTrainPath(id string) string { return "/classes/" + id + "/train" }
func joinPath(code string) string     { return "/join/" + code }

// absURL makes path absolute on the host the request came to, for links
// that leave the browser (the QR code, the join link to read out).
func absURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func handleCreateClass(cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req session.NewClass
		if err := decodeJSON(w, r, &req); err != nil {
			writeError(w, r, log, err)
			return
		}
		c, token, err := cb.Create(clientAddr(r), req, session.Owner{})
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Location", "/api/classes/"+c.ID())
		writeJSON(w, http.StatusCreated, classCreatedBody{ID: c.ID(), Code: c.Code(), TeacherToken: token,
			URL: classPath(c.ID()), JoinURL: absURL(r, joinPath(c.Code()))})
	})
}

// joinRequest is the body of POST /api/join.
type joinRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// joinedBody is the answer to POST /api/join.
type joinedBody struct {
	Class        session.ClassInfo `json:"class"`
	Student      string            `json:"student"`
	StudentToken string            `json:"student_token,omitempty"` // absent when the request's own key (Bearer or browser) is the student's
	URL          string            `json:"url"`
}

// nameTakenBody is the 409 answer to a join with a name already taken.
type nameTakenBody struct {
	errorBody
	Suggestion string `json:"suggestion"`
}

func handleJoin(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkJoinLimit(m, r); err != nil {
			setRetryAfter(w, err)
			writeError(w, r, log, err)
			return
		}
		var req joinRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeError(w, r, log, err)
			return
		}
		if strings.TrimSpace(req.Code) == "" {
			writeError(w, r, log, &session.Error{Code: session.EInvalid, Field: "code",
				Message: `"code" is missing: give the class code on the wall (six letters and digits, like K7Q-4XP)`})
			return
		}
		c, err := cb.ByCode(req.Code)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		name, key, existing, err := c.Join(req.Name, requestOwner(r))
		var taken *session.NameTaken
		if errors.As(err, &taken) {
			writeJSON(w, http.StatusConflict, nameTakenBody{errorBody: errorBody{Error: taken.Err.Message,
				Code: session.EConflict, Field: "name"}, Suggestion: taken.Suggestion})
			return
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		st := http.StatusCreated
		if existing {
			st = http.StatusOK
		}
		writeJSON(w, st, joinedBody{Class: c.Info(), Student: name, StudentToken: key, URL: classTrainPath(c.ID())})
	})
}

// classBody is the answer to GET /api/classes/{id}: no keys.
type classBody struct {
	Class    session.ClassInfo `json:"class"`
	Students []session.Student `json:"students"`
	Runs     []classRunBody    `json:"runs"`
}

type classRunBody struct {
	ID        string        `json:"id"`
	Student   string        `json:"student"`
	State     session.State `json:"state"`
	Dataset   string        `json:"dataset"`
	Sizes     []int         `json:"sizes"`
	TestLoss  *float64      `json:"test_loss"`
	PCA       *float64      `json:"pca"`
	Seconds   float64       `json:"seconds"`
	URL       string        `json:"url"`
	Available bool          `json:"available"` // the session can still be opened
}

// classRuns lists the runs of c with their latest figures: those of the
// live session where it is still known, else those the class kept.
func classRuns(m *session.Manager, c *session.Class) []classRunBody {
	runs := c.Runs()
	out := make([]classRunBody, 0, len(runs))
	for _, x := range runs {
		b := classRunBody{ID: x.SessionID, Student: x.Student, State: x.State, Dataset: x.Config.Dataset,
			TestLoss: x.TestLoss, PCA: x.PCA, Seconds: x.Seconds, URL: sessionPagePath(x.SessionID)}
		if s, err := m.Get(x.SessionID); err == nil {
			in := s.Info()
			b.State, b.TestLoss, b.Sizes, b.Available = in.State, in.TestLoss, in.Summary.Sizes, true
			if in.StartedAt != nil && in.FinishedAt != nil {
				b.Seconds = in.FinishedAt.Sub(*in.StartedAt).Seconds()
			}
		} else if in, err := m.Datasets().Info(x.Config.Dataset); err == nil {
			b.Sizes = x.Config.Sizes(in.Features)
		}
		out = append(out, b)
	}
	return out
}

func handleGetClass(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, classBody{Class: c.Info(), Students: c.Students(), Runs: classRuns(m, c)})
	})
}

// handleClassOpen opens (open true) or closes a class: the teacher only.
func handleClassOpen(cb *session.ClassBook, log *slog.Logger, open bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err == nil {
			err = c.AuthorizeTeacher(requestOwner(r))
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if err := c.SetOpen(open); err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, c.Info())
	})
}

// classRunRequest is the body of POST /api/sessions for a run in a class.
type classRunRequest struct {
	session.Config
	Class string `json:"class"`
}

// classRunBody is the answer to a run started in a class.
type classRunCreatedBody struct {
	createdBody
	Class   string `json:"class"`
	Student string `json:"student"`
}

// classAware sends POST /api/sessions bodies that name a "class" to the
// class's door (the lesson applied, the student checked) and the others to
// next, unchanged.
func classAware(m *session.Manager, cb *session.ClassBook, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		var keys map[string]json.RawMessage
		if err != nil || json.Unmarshal(body, &keys) != nil || keys["class"] == nil {
			if err != nil {
				// Let next report the size the usual way.
				r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), bytes.NewReader(make([]byte, 1))))
			}
			next.ServeHTTP(w, r)
			return
		}
		var req classRunRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeError(w, r, log, err)
			return
		}
		c, err := cb.Get(req.Class)
		if err != nil {
			err = &session.Error{Code: session.ENotFound, Field: "class", Message: session.ErrorMessage(err)}
			writeError(w, r, log, err)
			return
		}
		present := make(map[string]bool, len(keys))
		for k := range keys {
			present[k] = true
		}
		s, token, err := c.StartRunFrom(clientAddr(r), requestOwner(r), req.Config, present)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		student, _ := c.RunStudent(s.ID())
		w.Header().Set("Location", "/api/sessions/"+s.ID())
		writeJSON(w, http.StatusCreated, classRunCreatedBody{createdBody: createdBody{ID: s.ID(), OwnerToken: token,
			URL: sessionPagePath(s.ID())}, Class: c.ID(), Student: student})
	})
}

// handleStop stops a session: for its owner, and for a run of a class
// also for its teacher and for the student who started it.
func handleStop(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Get(chi.URLParam(r, "id"))
		if err == nil {
			if err = authorize(s, r); err != nil {
				if c := cb.OfRun(s.ID()); c != nil && c.AuthorizeRun(s.ID(), requestOwner(r)) == nil {
					err = nil
				}
			}
		}
		if err == nil {
			err = s.Stop()
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
