package handlers

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/aelab/aelab/session"
)

// The CSV exports of a comparison: the table of the compare page (one row per
// session) and every loss point of every session (long format: one row per
// point), for spreadsheets and notebooks.

// tableCSVHeader is the first row of GET /api/comparisons/{id}/table.csv.
var tableCSVHeader = []string{"session_id", "label", "dataset", "bottleneck", "compression_ratio", "params",
	"loss_function", "state", "epoch", "step", "total_steps", "test_loss", "pca_test_mse_at_k", "pca_components",
	"samples_per_sec"}

// curvesCSVHeader is the first row of GET /api/comparisons/{id}/curves.csv.
var curvesCSVHeader = []string{"session_id", "label", "bottleneck", "split", "step", "epoch", "loss"}

func handleComparisonTableCSV(cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return comparisonCSV(cs, log, "table", func(c *session.Comparison) ([][]string, error) {
		rows := [][]string{tableCSVHeader}
		in := c.Info()
		for i, s := range c.Sessions() {
			mb := in.Members[i]
			h, err := s.History()
			if err != nil {
				return nil, err
			}
			sps := ""
			if h.Progress != nil {
				sps = num(h.Progress.SamplesPerSec)
			}
			pca, comps := "", ""
			if mb.PCA.MSE != nil {
				pca, comps = num(*mb.PCA.MSE), strconv.Itoa(mb.PCA.Components)
			}
			sess := mb.Session
			rows = append(rows, []string{sess.ID, csvText(mb.Label), csvText(sess.Config.Dataset),
				strconv.Itoa(sess.Summary.Bottleneck), num(sess.Summary.Ratio), strconv.Itoa(sess.Summary.Params),
				sess.Config.Loss, string(sess.State), strconv.Itoa(sess.Epoch), strconv.Itoa(sess.Step),
				strconv.Itoa(sess.TotalSteps), optNum(sess.TestLoss), pca, comps, sps})
		}
		return rows, nil
	})
}

func handleComparisonCurvesCSV(cs *session.ComparisonStore, log *slog.Logger) http.Handler {
	return comparisonCSV(cs, log, "curves", func(c *session.Comparison) ([][]string, error) {
		rows := [][]string{curvesCSVHeader}
		labels := c.Labels()
		for i, s := range c.Sessions() {
			h, err := s.History()
			if err != nil {
				return nil, err
			}
			m := strconv.Itoa(s.Config().Bottleneck)
			for _, part := range []struct {
				split string
				pts   []session.LossPoint
			}{{"train", h.Train}, {"test", h.Test}} {
				for _, p := range part.pts {
					rows = append(rows, []string{s.ID(), csvText(labels[i]), m, part.split, strconv.Itoa(p.Step), num(p.Epoch), num(p.Loss)})
				}
			}
		}
		return rows, nil
	})
}

// comparisonCSV answers with the rows that build makes, as an attachment
// named comparison-<id>-<what>.csv.
func comparisonCSV(cs *session.ComparisonStore, log *slog.Logger, what string, build func(*session.Comparison) ([][]string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := cs.Get(chi.URLParam(r, "id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		rows, err := build(c)
		if err != nil {
			writeError(w, r, log, &session.Error{Code: session.EInternal, Message: "could not read the sessions' history", Err: err})
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="comparison-`+c.ID()+`-`+what+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		cw := csv.NewWriter(w)
		_ = cw.WriteAll(rows)
	})
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func optNum(v *float64) string {
	if v == nil {
		return ""
	}
	return num(*v)
}

// csvText keeps a spreadsheet from reading a text cell as a formula (a
// dataset name is chosen by whoever uploaded it).
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
