package handlers

import (
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/aelab/aelab/session"
)

// checkJoinLimit takes a join attempt from the address of r, from the
// door's rate limit (session.DefaultJoinLimit): a class of thirty behind
// one school router joins at once easily; guessing codes does not get far.
func checkJoinLimit(m *session.Manager, r *http.Request) error {
	return m.Allow(clientAddr(r), session.WorkJoin)
}

// handleClassCSV writes the class's results, one row per run: student,
// configuration, test loss, PCA at the same width, duration.
func handleClassCSV(m *session.Manager, cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		runs := c.Runs()
		byID := map[string]session.ClassRun{}
		for _, x := range runs {
			byID[x.SessionID] = x
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="class-%s-results.csv"`, c.ID()))
		w.Header().Set("Cache-Control", "no-store")
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"student", "session", "dataset", "layers", "bottleneck", "configuration", "loss",
			"state", "test_loss", "pca_mse_same_width", "seconds"})
		for _, b := range classRuns(m, c) {
			x := byID[b.ID]
			_ = cw.Write([]string{csvSafe(b.Student), b.ID, x.Config.Dataset, session.Arrow(b.Sizes),
				strconv.Itoa(x.Config.Bottleneck), configText(x.Config), x.Config.Loss, string(b.State),
				optFloat(b.TestLoss), optFloat(b.PCA), strconv.FormatFloat(b.Seconds, 'f', 1, 64)})
		}
		cw.Flush()
	})
}

// configText is a configuration in one cell: every field as the API
// names it.
func configText(c session.Config) string {
	parts := []string{"dataset=" + c.Dataset, "encoder=" + widthsCSV(c.Encoder), "bottleneck=" + strconv.Itoa(c.Bottleneck),
		"decoder=" + widthsCSV(c.Decoder), "activation=" + c.Activation}
	if c.BottleneckActivation != "" {
		parts = append(parts, "bottleneck_activation="+c.BottleneckActivation)
	}
	parts = append(parts, "output_activation="+c.OutputActivation, "loss="+c.Loss, "optimizer="+c.Optimizer,
		"learning_rate="+strconv.FormatFloat(c.LearningRate, 'g', -1, 64), "batch_size="+strconv.Itoa(c.BatchSize),
		"epochs="+strconv.Itoa(c.Epochs), "train_size="+strconv.Itoa(c.TrainSize), "seed="+strconv.FormatUint(c.Seed, 10))
	return strings.Join(parts, " ")
}

func widthsCSV(ws []int) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = strconv.Itoa(w)
	}
	return strings.Join(s, "/")
}

func optFloat(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', 6, 64)
}

// csvSafe keeps a spreadsheet from reading a student's name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// handleClassQR answers a PNG QR code of the class's join link.
func handleClassQR(cb *session.ClassBook, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cb.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		png, err := qrcode.Encode(absURL(r, joinPath(c.Code())), qrcode.Medium, 512)
		if err != nil {
			writeError(w, r, log, &session.Error{Code: session.EInternal, Message: "could not draw the QR code", Err: err})
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "private, max-age=300")
		_, _ = w.Write(png)
	})
}
