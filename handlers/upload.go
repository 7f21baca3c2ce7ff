package handlers

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

const (
	// uploadMemory is how much of an upload is held in memory; the rest of
	// the file waits in a temporary file (removed before the handler
	// returns, whatever happened) until the CSV reader streams it.
	uploadMemory = 256 << 10
	// maxTestFraction is the largest test fraction datasets.ParseCSV takes.
	maxTestFraction = 0.9
	maxTitle        = 100 // runes
)

// uploadFieldNames are the fields of an upload besides "file".
var uploadFieldNames = []string{"name", "title", "header", "label_column", "normalize", "drop_bad", "test_fraction", "image_width"}

// uploadTooLarge is the error for a body or file over the limit.
var uploadTooLarge = &session.Error{Code: codeTooLarge, Field: "file",
	Message: fmt.Sprintf("the file is larger than %d MiB, the most this server accepts", datasets.MaxCSVBytes>>20)}

// uploadedBody is the answer to a successful POST /api/datasets.
type uploadedBody struct {
	Name        string      `json:"name"`
	Dataset     datasetBody `json:"dataset"`
	DroppedRows int         `json:"dropped_rows"`
}

func handleUploadDataset(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A script's upload is owned by the browser key it sends, if any.
		info, _, err := uploadCSV(w, r, m, browserOwner(r))
		if err != nil {
			setRetryAfter(w, err)
			writeUploadError(w, r, log, err)
			return
		}
		w.Header().Set("Location", "/api/datasets/"+info.Name)
		writeJSON(w, http.StatusCreated, uploadedBody{Name: info.Name, Dataset: newDatasetBody(info), DroppedRows: info.DroppedRows})
	})
}

// uploadCSV reads a multipart upload and adds its CSV file to m's
// registry, owned by owner (the zero Owner: nobody's). It returns the new
// dataset, the text fields as sent (to show them again) and an error whose
// code says what went wrong. An upload is work admitted by the door: the
// address's rate token before the body is read, then the parse's memory
// estimate and a CPU turn. No temporary file outlives the call.
func uploadCSV(w http.ResponseWriter, r *http.Request, m *session.Manager, owner session.Owner) (datasets.Info, templates.UploadValues, error) {
	var vals templates.UploadValues
	if r.ContentLength > maxUploadBody {
		return datasets.Info{}, vals, uploadTooLarge
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return datasets.Info{}, vals, &session.Error{Code: session.EInvalid, Field: "file",
			Message: `send the upload as multipart/form-data with the CSV file in a part named "file" (see docs/api.md)`}
	}
	var (
		form *multipart.Form
		fh   *multipart.FileHeader
		opt  datasets.CSVOptions
		info datasets.Info
	)
	defer func() {
		if form != nil {
			_ = form.RemoveAll() // accepted, refused or failed: the file leaves the disk
		}
	}()
	reg := m.Datasets()
	receive := func(context.Context) (int64, error) {
		var err error
		form, fh, err = readUpload(w, r)
		if form != nil {
			vals = uploadValues(form.Value)
		}
		if err != nil {
			return 0, err
		}
		if opt, err = csvOptions(vals); err != nil {
			return 0, err
		}
		return uploadParseMemory(fh.Size), nil
	}
	err := m.Do(r.Context(), session.Work{Kind: session.WorkUpload, Addr: clientAddr(r), Wait: uploadWaitMax, Input: receive},
		func(context.Context) error {
			name := vals.Name
			if name == "" {
				name = freeName(reg, slug(fh.Filename))
			}
			f, err := fh.Open()
			if err != nil {
				return &session.Error{Code: session.EInternal, Message: "internal error", Err: err}
			}
			defer f.Close()
			if info, err = reg.AddOwnedCSV(ownerKey(owner), name, f, opt); err != nil {
				return datasetError(err)
			}
			return nil
		})
	return info, vals, err
}

// readUpload reads the body of an upload within a deadline in proportion
// to its size, and returns its form (nil if it could not be read; the
// caller removes its files) and its one CSV file, or the error that names
// the field at fault.
func readUpload(w http.ResponseWriter, r *http.Request) (*multipart.Form, *multipart.FileHeader, error) {
	// The body gets time in proportion to its size, the answer a little
	// more for the parse (not every ResponseWriter supports deadlines).
	rc := http.NewResponseController(w)
	d := uploadDeadline(r.ContentLength)
	_ = rc.SetReadDeadline(time.Now().Add(d))
	_ = rc.SetWriteDeadline(time.Now().Add(d + uploadWaitMax + time.Minute))
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
	if err := r.ParseMultipartForm(uploadMemory); err != nil { // on failure it removes its own files
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return nil, nil, uploadTooLarge
		}
		return nil, nil, &session.Error{Code: session.EInvalid, Field: "file", Message: unreadableUpload(err)}
	}
	form := r.MultipartForm
	for _, k := range slices.Sorted(maps.Keys(form.Value)) {
		if !slices.Contains(uploadFieldNames, k) {
			return form, nil, &session.Error{Code: session.EInvalid, Field: k,
				Message: fmt.Sprintf("unknown field %q: the fields are file, %s", k, strings.Join(uploadFieldNames, ", "))}
		}
		// As a query parameter or a JSON key: one value, not the first of several.
		if n := len(form.Value[k]); n > 1 {
			return form, nil, &session.Error{Code: session.EInvalid, Field: k,
				Message: fmt.Sprintf("field %q is given twice (%d times): send it once", k, n)}
		}
	}
	files := form.File["file"]
	if len(files) == 0 {
		return form, nil, &session.Error{Code: session.EInvalid, Field: "file", Message: "choose a CSV file to upload"}
	}
	if len(files) > 1 {
		return form, nil, &session.Error{Code: session.EInvalid, Field: "file",
			Message: fmt.Sprintf("%d files were sent (the field \"file\" given twice): upload one file at a time", len(files))}
	}
	for k := range form.File {
		if k != "file" {
			return form, nil, &session.Error{Code: session.EInvalid, Field: k,
				Message: fmt.Sprintf(`unexpected file in field %q: send the CSV file in the field "file"`, k)}
		}
	}
	if files[0].Size > datasets.MaxCSVBytes {
		return form, nil, uploadTooLarge
	}
	return form, files[0], nil
}

// ownerKey is how the datasets registry names an owner: "" for nobody.
func ownerKey(o session.Owner) string {
	if o.IsZero() {
		return ""
	}
	return hex.EncodeToString(o[:])
}

// uploadValues reads the text fields of an upload as sent.
func uploadValues(v map[string][]string) templates.UploadValues {
	g := func(k string) string {
		if len(v[k]) == 0 {
			return ""
		}
		return strings.TrimSpace(v[k][0])
	}
	return templates.UploadValues{Name: g("name"), Title: g("title"), Header: g("header"), LabelColumn: g("label_column"),
		Normalize: g("normalize"), DropBad: g("drop_bad"), TestFraction: g("test_fraction"), ImageWidth: g("image_width")}
}

// csvOptions turns the upload's fields into options for the CSV reader,
// naming the field at fault when one cannot be read.
func csvOptions(v templates.UploadValues) (datasets.CSVOptions, error) {
	bad := func(field, format string, args ...any) error {
		return &session.Error{Code: session.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	opt := datasets.CSVOptions{Title: v.Title, LabelColumn: v.LabelColumn, Normalize: strings.ToLower(v.Normalize)}
	if n := len([]rune(v.Title)); n > maxTitle {
		return opt, bad("title", "the title has %d characters; at most %d are allowed", n, maxTitle)
	}
	switch strings.ToLower(v.Header) {
	case "", "auto":
		opt.Header = datasets.HeaderAuto
	case "yes", "true", "1":
		opt.Header = datasets.HeaderPresent
	case "no", "false", "0":
		opt.Header = datasets.HeaderAbsent
	default:
		return opt, bad("header", "header must be auto, yes or no, not %q", v.Header)
	}
	switch opt.Normalize {
	case "", datasets.NormalizeMinMax, datasets.NormalizeGlobal, datasets.NormalizeZScore, datasets.NormalizeNone:
	default:
		return opt, bad("normalize", "normalize must be minmax, global, zscore or none, not %q", v.Normalize)
	}
	switch strings.ToLower(v.DropBad) {
	case "", "false", "no", "off", "0":
	case "true", "yes", "on", "1":
		opt.DropBad = true
	default:
		return opt, bad("drop_bad", "drop_bad must be true or false, not %q", v.DropBad)
	}
	if v.TestFraction != "" {
		f, err := strconv.ParseFloat(v.TestFraction, 64)
		if err != nil || !(f > 0 && f <= maxTestFraction) {
			return opt, bad("test_fraction", "the test fraction must be a number above 0 and at most %g, like 0.2 for 20%% of the rows", maxTestFraction)
		}
		opt.TestFraction = f
	}
	if v.ImageWidth != "" {
		n, err := strconv.Atoi(v.ImageWidth)
		if err != nil || n < 1 || n > datasets.MaxCSVColumns {
			return opt, bad("image_width", "the image width must be a whole number of pixels from 1 to %d (or blank for no image)", datasets.MaxCSVColumns)
		}
		opt.ImageWidth = n
	}
	return opt, nil
}

// slug makes a dataset name from a file name: "My data (2).csv" → "my-data-2".
func slug(filename string) string {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(base) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
		default:
			dash = true
		}
		if b.Len() >= 32 {
			break
		}
	}
	s := strings.Trim(b.String(), "_-")
	if s == "" {
		return "upload"
	}
	return s
}

// freeName returns base, or base-2, base-3, … whichever is not a dataset
// yet. (A name taken between this check and AddCSV gives a conflict.)
func freeName(reg *datasets.Registry, base string) string {
	for i := 1; i <= datasets.MaxUploads+16; i++ {
		name := base
		if i > 1 {
			name = base + "-" + strconv.Itoa(i)
		}
		if _, err := reg.Info(name); err != nil {
			return name
		}
	}
	return base
}

// unreadableUpload says, in the words of the API rather than those of
// mime/multipart, why an upload's body could not be read.
func unreadableUpload(err error) string {
	switch {
	case errors.Is(err, http.ErrNotMultipart):
		return "send the file in a multipart/form-data body (a form with enctype=\"multipart/form-data\", or curl -F file=@data.csv)"
	case errors.Is(err, http.ErrMissingBoundary):
		return "the Content-Type multipart/form-data has no boundary: let the client write it (curl -F, a browser's form)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the upload ended before its multipart body did (cut short, or not a multipart body): send it again"
	}
	return "the upload is not a well-formed multipart/form-data body: send it again from a form or with curl -F"
}
