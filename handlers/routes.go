// Package handlers is the HTTP face of the app: pages rendered from the templ
// views in web/templates, the JSON API and the WebSocket stream of each
// session. Handlers stay thin: they decode, call the session package, and
// encode. Every route of the app is listed in addRoutes.
package handlers

import (
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/aelab/aelab/internal/metrics"
	"github.com/aelab/aelab/session"
)

// Deps is what the handlers need from the rest of the program.
type Deps struct {
	Sessions *session.Manager
	Static   fs.FS // the contents of web/static
	Logger   *slog.Logger
	Sockets  *Sockets // tracks open WebSockets so that shutdown can wait for their close frames
	// Comparisons holds the side-by-side comparisons of sessions; nil means
	// a new store for Sessions.
	Comparisons *session.ComparisonStore
	// Net says where the server is reached from: its public URL and the
	// reverse proxies whose forwarding headers are believed.
	Net Network
	// Classes holds the classes; nil means a new, empty book (in memory)
	// that nothing closes, for tests that use no classes.
	Classes *session.ClassBook
	// Ready lists the dependencies GET /readyz probes (the store, the bus);
	// none: it reports ready while the server is not shutting down.
	Ready []ReadyCheck
	// BusLag, with -bus, reads the shared training queue for /metrics
	// (internal/metrics.Probes.BusLag); nil without a bus.
	BusLag func() (waiting, held, redelivered int, ok bool)
}

// NewServer returns the app's root handler.
func NewServer(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Sockets == nil {
		d.Sockets = NewSockets()
	}
	if d.Comparisons == nil {
		d.Comparisons = session.NewComparisonStore(d.Sessions)
	}
	if d.Classes == nil {
		d.Classes = session.NewClassBook(d.Sessions, session.ClassOptions{PCA: d.Comparisons.Baseline, Logger: d.Logger})
	}
	r := chi.NewRouter()
	// Pages, JSON and CSV go out gzipped when the browser takes it (static
	// files are compressed once, in handleStatic).
	// HEAD is answered wherever GET is, as GET without the body (RFC 9110).
	r.Use(recoverer(d.Logger), middleware.GetHead, middleware.Compress(5, "text/html", "application/json", "text/csv"))
	addRoutes(r, d)
	// State-changing requests from other sites are refused (Sec-Fetch-Site /
	// Origin checks), in JSON on the API; WebSockets check their Origin in
	// their handler.
	cop := http.NewCrossOriginProtection()
	if o := d.Net.publicOrigin(); o != "" {
		_ = cop.AddTrustedOrigin(o) // validated by ParsePublicURL
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := session.Errorf(session.EForbidden, "a page of another site may not send this request: use this site's own pages, or a script without a browser's Origin and Sec-Fetch-Site headers")
		if isAPI(r) {
			writeError(w, r, d.Logger, err)
		} else {
			renderError(w, r, d.Logger, err)
		}
	}))
	return securityHeaders(withNetwork(d.Net)(cop.Handler(r)))
}

// addRoutes is the whole surface of the app in one place.
func addRoutes(r chi.Router, d Deps) {
	m, log, cs, cb := d.Sessions, d.Logger, d.Comparisons, d.Classes
	r.Method(http.MethodGet, "/healthz", handleHealth(m))
	r.Method(http.MethodGet, "/readyz", handleReady(m, d.Ready, log))
	r.Method(http.MethodGet, "/metrics", metrics.Handler(m, metrics.Probes{Viewers: d.Sockets.Open, Uploads: m.Datasets().UploadUsage, BusLag: d.BusLag}))

	// Pages. A query parameter given twice is refused (onceEach), except
	// lists; /runs refuses it beside its filters (parseRunsQuery).
	r.Method(http.MethodGet, "/", onceEach(log, handleHome(m, log), "lock", "hide"))
	// The form counts a start once it is valid (in the door), and shows itself again over the limit.
	r.Method(http.MethodPost, "/sessions", handleFormCreate(m, log))
	r.Method(http.MethodGet, "/sessions/{id}", onceEach(log, handleSessionPage(m, cb, log)))
	r.Method(http.MethodGet, "/runs", handleRunsPage(m, cb, log))
	// A sweep is one start, whatever its widths (taken by the door once they are valid).
	r.Method(http.MethodPost, "/comparisons", handleFormCompare(m, cs, log))
	r.Method(http.MethodGet, "/compare/{id}", onceEach(log, handleComparePage(m, cs, log)))
	r.Method(http.MethodPost, "/datasets", handleFormUpload(m, log))
	r.Handle("/static/*", handleStatic(d.Static, log))
	r.Method(http.MethodGet, "/labs", onceEach(log, handleLabsIndex(log)))
	r.Method(http.MethodGet, "/labs/{slug}", onceEach(log, handleLabPage(m, log)))
	// A lab start is one start against the rate limit, however many runs it starts.
	r.Method(http.MethodPost, "/labs/{slug}/start", handleLabStart(m, cs, log))
	addClassPages(r, d)

	// JSON API (docs/api.md).
	kf := newKeyframes(m, log)
	r.Route("/api", func(r chi.Router) {
		r.Method(http.MethodGet, "/datasets", handleListDatasets(m))
		r.Method(http.MethodPost, "/datasets", handleUploadDataset(m, log))
		r.Method(http.MethodGet, "/datasets/{name}", handleGetDataset(m, log))
		r.Method(http.MethodGet, "/datasets/{name}/samples", handleDatasetSamples(m, log))
		r.Method(http.MethodGet, "/sessions", handleListSessions(m, cb, log))
		r.Method(http.MethodPost, "/sessions", classAware(m, cb, log, handleCreateSession(m, log)))
		r.Method(http.MethodPost, "/sessions/check", handleCheckConfig(m, log))
		r.Method(http.MethodGet, "/sessions/{id}", handleGetSession(m, log))
		r.Method(http.MethodPost, "/sessions/{id}/stop", handleStop(m, cb, log))
		r.Method(http.MethodPost, "/sessions/{id}/pause", handleControl(m, log, (*session.Session).Pause))
		r.Method(http.MethodPost, "/sessions/{id}/resume", handleResume(m, log))
		r.Method(http.MethodPost, "/sessions/{id}/set", handleSet(m, log))
		r.Method(http.MethodPost, "/sessions/{id}/step", handleStep(m, log))
		r.Method(http.MethodGet, "/sessions/{id}/ws", handleSessionWS(m, log, d.Sockets))
		r.Method(http.MethodDelete, "/sessions/{id}", handleDelete(m, log))
		r.Method(http.MethodGet, "/sessions/{id}/history.csv", handleHistoryCSV(m, log))
		r.Method(http.MethodGet, "/sessions/{id}/reconstructions.png", handleReconstructionsPNG(m, log))
		r.Method(http.MethodGet, "/sessions/{id}/keyframes", kf.index())
		r.Method(http.MethodGet, "/sessions/{id}/keyframes/{step}", kf.frame())
		// An import evaluates the model once: it counts as a start (in the door).
		r.Method(http.MethodPost, "/models", handleImportModel(m, log))
		r.Method(http.MethodPost, "/classes", handleCreateClass(cb, log))
		r.Method(http.MethodGet, "/classes/{id}", handleGetClass(m, cb, log))
		r.Method(http.MethodGet, "/classes/{id}/ws", handleClassWS(cb, log, d.Sockets))
		r.Method(http.MethodGet, "/classes/{id}/results.csv", handleClassCSV(m, cb, log))
		r.Method(http.MethodGet, "/classes/{id}/qr.png", handleClassQR(cb, log))
		r.Method(http.MethodPost, "/classes/{id}/close", handleClassOpen(cb, log, false))
		r.Method(http.MethodPost, "/classes/{id}/open", handleClassOpen(cb, log, true))
		r.Method(http.MethodPost, "/join", handleJoin(m, cb, log))
		r.Method(http.MethodPost, "/comparisons", handleCreateComparison(cs, log))
		r.Method(http.MethodGet, "/comparisons/{id}", handleGetComparison(cs, log))
		r.Method(http.MethodGet, "/comparisons/{id}/table.csv", handleComparisonTableCSV(cs, log))
		r.Method(http.MethodGet, "/comparisons/{id}/curves.csv", handleComparisonCurvesCSV(cs, log))
		// Running the model on its latest snapshot (latent explorer, denoising).
		runner := newModelRunner(m)
		r.Method(http.MethodPost, "/sessions/{id}/decode", handleDecode(log, runner))
		r.Method(http.MethodPost, "/sessions/{id}/generate", handleGenerate(log, runner))
		r.Method(http.MethodPost, "/sessions/{id}/encode", handleEncode(log, runner))
		r.Method(http.MethodPost, "/sessions/{id}/reconstruct", handleReconstruct(log, runner))
		r.Method(http.MethodPost, "/sessions/{id}/interpolate", handleInterpolate(log, runner))
		r.Method(http.MethodGet, "/sessions/{id}/manifold", handleManifold(log, runner))
		r.Method(http.MethodGet, "/sessions/{id}/latent-stats", handleLatentStats(log, runner))
		r.Method(http.MethodPost, "/sessions/{id}/denoise", handleDenoise(log, runner))
		r.Method(http.MethodGet, "/sessions/{id}/compression", handleCompression(log, runner))
		r.Method(http.MethodGet, "/sessions/{id}/model.safetensors", handleModelDownload(m, log, runner))
		r.Method(http.MethodGet, "/sessions/{id}/latent.csv", handleLatentCSV(m, log, runner))
		// Analyses on the latest snapshot: seconds of CPU each, admitted by the door.
		r.Method(http.MethodPost, "/sessions/{id}/features", handleFeatures(m, log, runner))
		r.Method(http.MethodPost, "/sessions/{id}/pretrain", handlePretrain(m, log, runner))
		r.Method(http.MethodGet, "/sessions/{id}/pca-projection", handlePCAProjection(m, log, runner))
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, log, session.Errorf(session.ENotFound, "no API endpoint %s %s: see docs/api.md", r.Method, r.URL.Path))
		})
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, log, &session.Error{Code: codeMethod, Message: "method " + r.Method + " is not allowed on " + r.URL.Path})
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		renderError(w, r, log, session.Errorf(session.ENotFound, "there is no page at %s", r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		renderError(w, r, log, &session.Error{Code: codeMethod, Message: "method " + r.Method + " is not allowed on " + r.URL.Path})
	})
}
