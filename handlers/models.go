package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"time"

	"github.com/aelab/aelab/session"
)

// importTimeout bounds the upload of one model file.
const importTimeout = 2 * time.Minute

// A model upload is paced: after uploadGrace it must have arrived at
// uploadFloor bytes a second on average, or it is cut. While it arrives
// the door holds the memory it declares (the largest file, about 21 MB,
// when the body is chunked), so a body that stalls must not hold it for
// the whole importTimeout.
var uploadGrace = 10 * time.Second

const uploadFloor = 32 << 10

// pacedBody is a request body whose read deadline follows what has
// arrived: start + uploadGrace + received / uploadFloor, at most end.
type pacedBody struct {
	io.ReadCloser
	rc         *http.ResponseController
	start, end time.Time
	n          int64
	stalled    bool
}

func newPacedBody(w http.ResponseWriter, r *http.Request) *pacedBody {
	now := time.Now()
	p := &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: now, end: now.Add(importTimeout)}
	p.extend()
	return p
}

func (p *pacedBody) extend() {
	d := p.start.Add(uploadGrace + time.Duration(p.n)*time.Second/uploadFloor)
	if d.After(p.end) {
		d = p.end
	}
	_ = p.rc.SetReadDeadline(d)
}

func (p *pacedBody) Read(b []byte) (int, error) {
	k, err := p.ReadCloser.Read(b)
	p.n += int64(k)
	if k > 0 {
		p.extend()
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		p.stalled = true
	}
	return k, err
}

// err is the error of a paced upload that stalled.
func (p *pacedBody) err() error {
	return &session.Error{Code: session.EInvalid, Field: "file",
		Message: fmt.Sprintf("the upload stalled: %d bytes arrived in %.0f s; send the file at %d KiB/s or faster (after the first %.0f s), and within %v",
			p.n, time.Since(p.start).Seconds(), uploadFloor>>10, uploadGrace.Seconds(), importTimeout)}
}

// maxModelBytes is the largest model file accepted: the largest model the
// limits allow, as float32, plus room for the header.
func maxModelBytes(lim session.Limits) int64 { return 4*int64(lim.MaxParams) + 1<<20 }

// handleImportModel answers POST /api/models: a safetensors file, sent as
// the raw body or as the part "file" of a multipart form, becomes a
// completed session. The door admits it (session.Manager.ImportModel): a
// start token before the body is read, the memory of the file, of its
// decoding and of the model it builds.
func handleImportModel(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := maxModelBytes(m.Limits())
		declared := limit // the most the body may hold, when it does not say
		if r.ContentLength > 0 && r.ContentLength < limit {
			declared = r.ContentLength
		}
		s, token, err := m.ImportModel(r.Context(), clientAddr(r), declared, func(context.Context) ([]byte, error) {
			return readModelUpload(w, r, limit)
		})
		if err != nil {
			setRetryAfter(w, err)
			writeError(w, r, log, err)
			return
		}
		if o := browserOwner(r); !o.IsZero() { // the page's form: its browser owns it too
			s.SetOwner(o)
		}
		w.Header().Set("Location", "/api/sessions/"+s.ID())
		writeJSON(w, http.StatusCreated, createdBody{ID: s.ID(), OwnerToken: token, URL: "/sessions/" + s.ID()})
	})
}

// readModelUpload reads at most limit bytes of a model file from the body,
// raw or in the multipart part "file".
func readModelUpload(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	tooLarge := &session.Error{Code: codeTooLarge, Field: "file",
		Message: fmt.Sprintf("the model file is larger than %d MiB, the most this server accepts", limit>>20)}
	if r.ContentLength > limit+64<<10 {
		return nil, tooLarge
	}
	paced := newPacedBody(w, r)
	r.Body = http.MaxBytesReader(w, paced, limit+64<<10)
	var src io.Reader = r.Body
	var mr *multipart.Reader // a form's parts
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		var err error
		if mr, err = r.MultipartReader(); err != nil {
			return nil, &session.Error{Code: session.EInvalid, Field: "file", Message: "could not read the multipart form: send the safetensors file in a part named \"file\""}
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				if isTooLarge(err) {
					return nil, tooLarge
				}
				if paced.stalled {
					return nil, paced.err()
				}
				return nil, &session.Error{Code: session.EInvalid, Field: "file", Message: "the form has no part named \"file\": send the safetensors file in it"}
			}
			if p.FormName() != "file" {
				return nil, &session.Error{Code: session.EInvalid, Field: cmp.Or(truncated(p.FormName(), 40), "file"),
					Message: fmt.Sprintf("unknown field %q: the form takes one part, \"file\", with the safetensors file", truncated(p.FormName(), 40))}
			}
			src = p
			break
		}
	case "", "application/octet-stream":
	default:
		return nil, &session.Error{Code: session.EInvalid, Field: "file",
			Message: fmt.Sprintf("send the safetensors file as the body (Content-Type: application/octet-stream) or in the part \"file\" of a multipart/form-data form, not %q", mt)}
	}
	data, err := io.ReadAll(io.LimitReader(src, limit+1))
	if isTooLarge(err) || int64(len(data)) > limit {
		return nil, tooLarge
	}
	if paced.stalled {
		return nil, paced.err()
	}
	if err != nil {
		return nil, &session.Error{Code: session.EInvalid, Field: "file", Message: unreadableUpload(err)}
	}
	if len(data) == 0 {
		return nil, &session.Error{Code: session.EInvalid, Field: "file", Message: "the upload is empty: send a safetensors file"}
	}
	// After the file, nothing: a second file part would otherwise be
	// dropped unseen.
	if mr != nil {
		p, err := mr.NextPart()
		switch {
		case err == io.EOF:
		case isTooLarge(err):
			return nil, tooLarge
		case paced.stalled:
			return nil, paced.err()
		default:
			field := "file"
			if err == nil {
				field = cmp.Or(truncated(p.FormName(), 40), "file")
			}
			return nil, &session.Error{Code: session.EInvalid, Field: field,
				Message: "the form must hold one part, \"file\", once: send one model file and nothing else"}
		}
	}
	return data, nil
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
