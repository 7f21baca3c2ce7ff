package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// datasetBody is the JSON form of a dataset in GET /api/datasets and in the
// answer to POST /api/datasets.
type datasetBody struct {
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Features    int        `json:"features"`
	Shape       shapeBody  `json:"shape"`
	ClassNames  []string   `json:"class_names"`
	ValueRange  [2]float32 `json:"value_range"`
	TrainSize   int        `json:"train_size"`
	TestSize    int        `json:"test_size"`
	Available   bool       `json:"available"`
	Reason      string     `json:"reason,omitempty"`
}

type shapeBody struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

func newDatasetBody(d datasets.Info) datasetBody {
	b := datasetBody{Name: d.Name, Title: d.Title, Description: d.Description, Features: d.Features,
		Shape: shapeBody{Width: d.Shape.Width, Height: d.Shape.Height}, ClassNames: d.ClassNames,
		ValueRange: d.ValueRange, TrainSize: d.TrainSize, TestSize: d.TestSize, Available: d.Available, Reason: d.Reason}
	if b.ClassNames == nil {
		b.ClassNames = []string{}
	}
	return b
}

func handleListDatasets(m *session.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The built-in sets and the caller's own uploads (its browser key);
		// others' uploads are reached by name.
		list := m.Datasets().ListFor(ownerKey(browserOwner(r)))
		out := make([]datasetBody, len(list))
		for i, d := range list {
			out[i] = newDatasetBody(d)
		}
		writeJSON(w, http.StatusOK, map[string]any{"datasets": out})
	})
}

// handleGetDataset describes one dataset, as GET /api/datasets lists it.
func handleGetDataset(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, err := m.Datasets().Info(chi.URLParam(r, "name"))
		if err != nil {
			writeError(w, r, log, datasetError(err))
			return
		}
		writeJSON(w, http.StatusOK, newDatasetBody(info))
	})
}

// handleDatasetSamples answers GET /api/datasets/{name}/samples with a few
// examples of a dataset for the picker's thumbnails (see samples.go).
func handleDatasetSamples(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := queryParams(r)
		var n, seed int
		if err == nil {
			n, err = queryInt(q, "n", lab.DefaultSamples, 1, lab.MaxSamples)
		}
		if err == nil {
			seed, err = queryInt(q, "seed", 0, 0, 1<<53)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		ds, err := m.Datasets().Load(chi.URLParam(r, "name"), uint64(seed))
		if err != nil {
			writeError(w, r, log, datasetError(err))
			return
		}
		writeJSON(w, http.StatusOK, lab.NewSamples(ds, n))
	})
}

// csvErrorBody is the JSON error of a refused upload: the usual fields plus,
// for a bad cell or row, the line and the column at fault.
type csvErrorBody struct {
	errorBody
	Line   int    `json:"line,omitempty"`
	Column string `json:"column,omitempty"`
}

// uploadError is a refused upload: the error to show and, for a bad cell or
// row of the file, where it is. It unwraps to its *session.Error.
type uploadError struct {
	err    *session.Error
	Line   int
	Column string
}

func (e *uploadError) Error() string { return e.err.Error() }
func (e *uploadError) Unwrap() error { return e.err }

// datasetError turns an error of the datasets package into a *session.Error
// whose code says what went wrong (the status comes from status()); a bad
// CSV cell becomes an *uploadError naming the line and the column.
func datasetError(err error) error {
	var ce *datasets.CSVError
	switch {
	case errors.As(err, &ce):
		return &uploadError{err: &session.Error{Code: session.EInvalid, Field: "file", Message: ce.Error()},
			Line: ce.Line, Column: columnName(ce.Column)}
	case errors.Is(err, datasets.ErrNotFound):
		return &session.Error{Code: session.ENotFound, Message: trimSentinel(err, datasets.ErrNotFound)}
	case errors.Is(err, datasets.ErrExists):
		return &session.Error{Code: session.EConflict, Field: "name",
			Message: trimSentinel(err, datasets.ErrExists) + ": choose another name, or leave the name blank for one made from the file name"}
	case errors.Is(err, datasets.ErrUnavailable):
		// Listed, but not loadable here: retrying does not help, installing does.
		return &session.Error{Code: session.EConflict, Message: trimSentinel(err, datasets.ErrUnavailable)}
	case errors.Is(err, datasets.ErrFull):
		return &session.Error{Code: session.EFull, Field: "file", Message: trimSentinel(err, datasets.ErrFull)}
	case errors.Is(err, datasets.ErrInvalid):
		return &session.Error{Code: session.EInvalid, Field: invalidField(err.Error()), Message: err.Error()}
	}
	return &session.Error{Code: session.EInternal, Message: "internal error", Err: err}
}

// trimSentinel returns the message of err without the sentinel's own text in
// front ("dataset not found: no dataset is called …" → "no dataset is called …").
func trimSentinel(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
}

// invalidField names the upload field that an ErrInvalid message is about:
// the label column or the image width when it says so, else the file.
func invalidField(msg string) string {
	switch {
	case strings.HasPrefix(msg, "label column "):
		return "label_column"
	case strings.Contains(msg, "cannot form images"):
		return "image_width"
	case strings.HasPrefix(msg, "dataset name "):
		return "name"
	}
	return "file"
}

// columnName turns a CSVError column (`column "petal_width"` or `column 3`)
// into the name the label_column option uses: `petal_width` or `column 3`.
func columnName(c string) string {
	if rest, ok := strings.CutPrefix(c, "column "); ok && strings.HasPrefix(rest, `"`) {
		if s, err := strconv.Unquote(rest); err == nil {
			return s
		}
	}
	return c
}

// writeUploadError answers a refused upload: line and column when the file
// is at fault, else the usual JSON error.
func writeUploadError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ue *uploadError
	if !errors.As(err, &ue) {
		writeError(w, r, log, err)
		return
	}
	writeJSON(w, status(ue.err.Code), csvErrorBody{errorBody: errorBody{Error: ue.err.Message, Code: ue.err.Code, Field: ue.err.Field},
		Line: ue.Line, Column: ue.Column})
}
