package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// handleFormUpload takes the home page's upload form: on success it
// redirects home with the new dataset selected; otherwise it shows the home
// page again with the message above the upload form.
func handleFormUpload(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, vals, err := uploadCSV(w, r, m, ensureOwner(w, r))
		if err == nil {
			http.Redirect(w, r, "/?dataset="+url.QueryEscape(info.Name), http.StatusSeeOther)
			return
		}
		code := session.ErrorCode(err)
		if code == session.EInternal {
			renderError(w, r, log, err)
			return
		}
		v := homeView(m, r, defaultForm(), nil)
		v.Upload.Values = vals
		v.Upload.Error = session.ErrorMessage(err)
		v.Upload.ErrorField = session.ErrorField(err)
		setRetryAfter(w, err)
		render(w, r, log, status(code), templates.Home(v))
	})
}

// uploadView is the upload section of the home page before anything is sent.
func uploadView() templates.UploadView {
	return templates.UploadView{
		MaxMiB: datasets.MaxCSVBytes >> 20, MaxRows: datasets.MaxCSVRows, MaxColumns: datasets.MaxCSVColumns,
		MaxClasses: datasets.MaxCSVClasses,
		Headers: []templates.Choice{{Value: "auto", Label: "detect"}, {Value: "yes", Label: "yes: the first row names the columns"},
			{Value: "no", Label: "no: every row is data"}},
		Normalizations: []templates.Choice{
			{Value: datasets.NormalizeMinMax, Label: "min–max, per column"},
			{Value: datasets.NormalizeGlobal, Label: "min–max, all columns together"},
			{Value: datasets.NormalizeZScore, Label: "z-score, per column"},
			{Value: datasets.NormalizeNone, Label: "none"},
		},
	}
}

// preselect makes the home page start with dataset name chosen (GET
// /?dataset=name, where an upload redirects), when it exists and can be
// used: defaults that do not fit it (a bottleneck as wide as the data, a
// sigmoid output for data outside [0, 1]) are adjusted, and an uploaded set
// gets a notice saying it is ready.
func preselect(m *session.Manager, v *templates.HomeView, name string) {
	if name == "" {
		return
	}
	info, err := m.Datasets().Info(name)
	if err != nil || !info.Available {
		return
	}
	v.Form.Dataset = name
	if !slices.ContainsFunc(v.Datasets, func(d templates.DatasetOption) bool { return d.Name == name }) {
		v.Datasets = append(v.Datasets, datasetOption(info)) // someone else's upload, reached by its link
	}
	if b, err := strconv.Atoi(v.Form.Bottleneck); err == nil && b >= info.Features && info.Features > 1 {
		v.Form.Bottleneck = strconv.Itoa(min(2, info.Features-1))
	}
	if info.ValueRange[0] < 0 || info.ValueRange[1] > 1 {
		v.Form.OutputActivation = "linear"
	}
	if info.Source == datasets.SourceUpload {
		v.Upload.Notice = uploadNotice(info)
	}
}

// uploadNotice confirms an upload: "“iris” is ready and selected: 120
// training rows, 30 test rows, 4 features, 3 classes; 2 rows were dropped."
func uploadNotice(info datasets.Info) string {
	s := fmt.Sprintf("“%s” is ready and selected above: %s, %s, %s", info.Title,
		count(info.TrainSize, "training row"), count(info.TestSize, "test row"), count(info.Features, "feature"))
	if n := len(info.ClassNames); n > 0 {
		s += ", " + count(n, "class")
	}
	switch info.DroppedRows {
	case 0:
		s += "."
	case 1:
		s += "; 1 row with a missing or non-numeric value was dropped."
	default:
		s += fmt.Sprintf("; %s rows with missing or non-numeric values were dropped.", groupDigits(info.DroppedRows))
	}
	return s
}

// count writes "1 feature", "4 features", "1 class", "3 classes".
func count(n int, noun string) string {
	if n != 1 {
		if strings.HasSuffix(noun, "s") {
			noun += "es"
		} else {
			noun += "s"
		}
	}
	return groupDigits(n) + " " + noun
}

// groupDigits writes n with commas between groups of three digits.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
