package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The compression lab: a sweep of MNIST autoencoders that differ only in the
// width M of their (linear) code, started as a comparison (so /compare/{id}
// shows it too). The page (lab-compression.js) asks each one
// GET /api/sessions/{id}/compression: bits per example as 8-bit pixels,
// float32 code and 8-bit code, and the reconstruction quality of both codes.
func init() {
	registerLab(lab{
		Slug:    "compression",
		Title:   "Compression",
		Summary: "Count the bits: 784 pixels of 8 bits against a code of M numbers, as float32 or squeezed to 8 bits.",
		Intro: []string{
			"An MNIST digit is K = 784 pixels of 8 bits each: 6,272 bits. The encoder turns it into a code of M numbers; stored as float32 (32 bits each) that is M × 32 bits, and rounded to 8 bits each only M × 8. Only the code has to be stored or sent: the decoder, shared by every image, draws the digit back.",
			"Fewer bits cost quality. The lab trains one autoencoder per code width M and measures how close the decoded digits are to the originals, as the mean squared error and as PSNR in decibels (higher is better), with float32 codes and with 8-bit codes.",
		},
		Options: []templates.LabOption{
			{Name: "widths", Label: "Code widths M to compare", Value: "4, 8, 16, 32, 64",
				Help: "2 to 6 widths, each from 1 to 256"},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "per network, 5 epochs; fewer train faster"},
		},
		// The start form goes to handleCompressionStart (routes.go), which
		// also records the comparison; Start serves the generic route.
		Start: func(m *session.Manager, form url.Values) ([]*session.Session, []string, error) {
			base, widths, err := compressionSweep(form)
			if err != nil {
				return nil, nil, err
			}
			cfgs := make([]session.Config, len(widths))
			for i, w := range widths {
				cfgs[i] = base
				cfgs[i].Bottleneck = w
			}
			return startAll(m, cfgs...)
		},
	})
}

// compressionSweep reads the lab's options: the configuration every width
// shares and the widths.
func compressionSweep(form url.Values) (session.Config, []int, error) {
	n, err := labInt(form, "train_size", 10000, 200, 60000, "use between 200 and 60000 training examples")
	if err != nil {
		return session.Config{}, nil, err
	}
	raw := strings.TrimSpace(form.Get("widths"))
	if raw == "" {
		raw = "4, 8, 16, 32, 64"
	}
	widths, ok := parseWidths(raw)
	bad := &session.Error{Code: session.EInvalid, Field: "widths",
		Message: fmt.Sprintf("write 2 to 6 different widths from 1 to 256, separated by commas, like 4, 8, 16, 32, 64 (got %q)", raw)}
	if !ok || len(widths) < 2 || len(widths) > 6 {
		return session.Config{}, nil, bad
	}
	seen := map[int]bool{}
	for _, w := range widths {
		if w < 1 || w > 256 || seen[w] {
			return session.Config{}, nil, bad
		}
		seen[w] = true
	}
	base := session.Config{Dataset: "mnist", Encoder: []int{256}, Activation: "relu", BottleneckActivation: "linear",
		OutputActivation: "sigmoid", Loss: "mse", TrainSize: n, TestSize: 1000, Epochs: 5, BatchSize: 64, Seed: 5}
	return base, widths, nil
}

// handleCompressionStart starts the compression lab as a sweep comparison
// (each width counts as one start against the address's rate limit, as a
// sweep does) and shows it on the lab page, ?s=<sessions>&c=<comparison>.
func handleCompressionStart(m *session.Manager, cs *session.ComparisonStore, starts *limiter, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, _ := findLab("compression")
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := r.ParseForm(); err != nil {
			renderError(w, r, log, session.Errorf(session.EInvalid, "could not read the form: %v", err))
			return
		}
		again := func(st int, field, msg string) {
			errs := map[string]string{"": msg}
			if field == "bottlenecks" || field == "bottleneck" {
				field = "widths"
			}
			if field != "" {
				errs[field] = msg
			}
			render(w, r, log, st, templates.Lab(labView(l, m, r, errs)))
		}
		base, widths, err := compressionSweep(r.PostForm)
		if err != nil {
			e := err.(*session.Error)
			again(http.StatusBadRequest, e.Field, e.Message)
			return
		}
		c, started, fe, err := startComparison(cs, starts, clientAddr(r), comparisonRequest{Config: base, Bottlenecks: widths})
		switch {
		case len(fe) > 0:
			again(http.StatusBadRequest, fe[0].Field, fe[0].Message)
			return
		case err != nil:
			field := ""
			if e, ok := err.(*session.Error); ok {
				field = e.Field
			}
			if session.ErrorCode(err) == session.EInternal {
				log.Error("lab start failed", "lab", l.Slug, "err", err)
			}
			setRetryAfter(w, err)
			again(status(session.ErrorCode(err)), field, session.ErrorMessage(err))
			return
		}
		ids := make([]string, len(started))
		for i, s := range started {
			ids[i] = s.Session.ID()
			http.SetCookie(w, &http.Cookie{Name: ownerCookie(s.Session.ID()), Value: s.Token, Path: "/",
				MaxAge: 30 * 24 * 3600, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		}
		http.Redirect(w, r, fmt.Sprintf("/labs/compression?s=%s&c=%s", strings.Join(ids, ","), c.ID()), http.StatusSeeOther)
	})
}
