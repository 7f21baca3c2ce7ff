package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
)

// The downloads of one session (docs/api.md, "Exports"): its weights as
// safetensors, its loss history and latent codes as CSV, and its
// reconstructions as a PNG.

// historyCSVHeader is the first row of GET /api/sessions/{id}/history.csv.
var historyCSVHeader = []string{"epoch", "step", "train_loss", "test_loss", "learning_rate"}

func handleModelDownload(m *session.Manager, log *slog.Logger, runner *modelRunner) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, err := runner.load(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var b bytes.Buffer
		err = runner.view(r, md, func() error { return session.WriteModel(&b, md.S.Config(), md.Snap) })
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		markWeights(w, md, nil)
		attachment(w, "application/octet-stream", "aelab-"+md.S.ID()+".safetensors")
		_, _ = w.Write(b.Bytes())
	})
}

func handleHistoryCSV(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, h, err := sessionHistory(m, r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		lr := num(s.Config().LearningRate)
		type row struct {
			step        int
			epoch       float64
			train, test *float64
		}
		byStep := map[int]*row{}
		at := func(p session.LossPoint) *row {
			if byStep[p.Step] == nil {
				byStep[p.Step] = &row{step: p.Step, epoch: p.Epoch}
			}
			return byStep[p.Step]
		}
		for _, p := range h.Train {
			at(p).train = &p.Loss
		}
		for _, p := range h.Test {
			at(p).test = &p.Loss
		}
		steps := make([]int, 0, len(byStep))
		for st := range byStep {
			steps = append(steps, st)
		}
		slices.Sort(steps)
		rows := [][]string{historyCSVHeader}
		for _, st := range steps {
			p := byStep[st]
			rows = append(rows, []string{num(p.epoch), strconv.Itoa(p.step), optNum(p.train), optNum(p.test), lr})
		}
		writeCSV(w, "aelab-"+s.ID()+"-history.csv", rows)
	})
}

func handleLatentCSV(m *session.Manager, log *slog.Logger, runner *modelRunner) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, err := runner.load(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var lc *session.LatentCodes
		err = runner.view(r, md, func() error {
			ctx, cancel := context.WithTimeout(r.Context(), lab.SnapshotWait)
			defer cancel()
			var err error
			lc, err = md.S.LatentCodes(ctx)
			return err
		})
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		head := []string{"example", "label", "class"}
		for j := 1; j <= lc.Dim; j++ {
			head = append(head, "z"+strconv.Itoa(j))
		}
		rows := [][]string{head}
		for i, l := range lc.Labels {
			class := ""
			if l >= 0 && l < len(lc.ClassNames) {
				class = csvText(lc.ClassNames[l])
			}
			row := []string{strconv.Itoa(i), strconv.Itoa(l), class}
			for _, v := range lc.Codes[i*lc.Dim : (i+1)*lc.Dim] {
				row = append(row, strconv.FormatFloat(float64(v), 'g', -1, 32))
			}
			rows = append(rows, row)
		}
		writeCSV(w, "aelab-"+md.S.ID()+"-latent.csv", rows)
	})
}

func handleReconstructionsPNG(m *session.Manager, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, h, err := sessionHistory(m, r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if h.Reconstructions == nil {
			writeError(w, r, log, session.Errorf(session.EConflict, "session %s has no reconstructions yet: they appear once its training starts", s.ID()))
			return
		}
		var b bytes.Buffer
		if err := lab.ReconstructionsPNG(&b, h.Reconstructions); err != nil {
			writeError(w, r, log, &session.Error{Code: session.EInternal, Message: "could not draw the reconstructions", Err: err})
			return
		}
		attachment(w, "image/png", "aelab-"+s.ID()+"-reconstructions.png")
		_, _ = w.Write(b.Bytes())
	})
}

// attachment sets the headers of a download.
func attachment(w http.ResponseWriter, contentType, filename string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// writeCSV answers with rows as a CSV attachment.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) {
	attachment(w, "text/csv; charset=utf-8", filename)
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(rows)
}

// sessionHistory returns the session the URL names and its history (what
// the exports are made of).
func sessionHistory(m *session.Manager, r *http.Request) (*session.Session, session.History, error) {
	s, err := m.Get(chi.URLParam(r, "id"))
	if err != nil {
		return nil, session.History{}, err
	}
	h, err := s.History()
	if err != nil {
		return nil, session.History{}, &session.Error{Code: session.EInternal, Message: "could not read the session's history", Err: err}
	}
	return s, h, nil
}
