package handlers

import (
	"context"
	"encoding/json"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// TestVAELabStartsThreeBetas: one start of the VAE lab, under a limit of
// one start per address, trains three MNIST VAEs with a 2-D code at
// β = 0.1, 1 and 4 that are the same in everything else; the page hands
// each one's β to its script; a second start is over the limit, and a bad
// training size is refused naming the field, starting nothing.
func TestVAELabStartsThreeBetas(t *testing.T) {
	limited := session.NewManager(session.Options{Datasets: registry, StartLimit: session.RateLimit{Burst: 1, PerMinute: 0.5}})
	ts := newTestServerWith(t, func(d *Deps) { d.Sessions = limited })
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = limited.Shutdown(ctx)
	})
	ts.m = limited
	for _, tc := range []struct {
		form        url.Values
		field, says string
	}{
		{url.Values{"train_size": {"999"}}, "train_size", "use between 1000 and 60000 training examples"},
		{url.Values{"train_size": {"60001"}}, "train_size", "use between 1000 and 60000 training examples"},
		{url.Values{"train_size": {"many"}}, "train_size", "use between 1000 and 60000 training examples"},
		{url.Values{"train_size": {"0"}}, "train_size", "use between 1000 and 60000 training examples"},
		{url.Values{"betas": {"1"}}, "betas", "1 values: write 2 or 3 different values of β"},
		{url.Values{"betas": {"0, 1"}}, "betas", "β = 0 is out of range"},
		{url.Values{"betas": {"1, 2, 3, 4"}}, "betas", "4 values"},
		{url.Values{"betas": {"1, lots"}}, "betas", `"lots" is not a number`},
	} {
		res, b := ts.do(t, "POST", "/labs/vae/start", tc.form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		page := html.UnescapeString(string(b))
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `data-testid="error-`+tc.field+`"`) || !strings.Contains(page, tc.says) {
			t.Errorf("%v: %d; want 400 naming %s and saying %q", tc.form, res.StatusCode, tc.field, tc.says)
		}
	}
	if n := len(ts.m.List()); n != 0 {
		t.Fatalf("refused forms started %d sessions", n)
	}

	ss := ts.startLab(t, "vae", url.Values{"train_size": {"1500"}})
	if len(ss) != 3 {
		t.Fatalf("%d sessions; want one per β", len(ss))
	}
	first := ss[0].Config()
	for i, want := range []float64{0.1, 1, 4} {
		c := ss[i].Config()
		if !c.IsVAE() || c.BetaValue() != want || c.Bottleneck != 2 || c.Dataset != "mnist" || c.TrainSize != 1500 || c.Loss != "bce" {
			t.Fatalf("session %d: kind %q, β %g, bottleneck %d, %s, %d examples, loss %s; want a 2-D MNIST VAE at β = %g on 1500",
				i, c.Kind, c.BetaValue(), c.Bottleneck, c.Dataset, c.TrainSize, c.Loss, want)
		}
		// Everything but β is the same, the seed included.
		c.Beta, first.Beta = nil, nil
		if !reflect.DeepEqual(c, first) {
			t.Fatalf("session %d differs from the first in more than β:\n%+v\n%+v", i, c, first)
		}
	}
	def := ss[0].Config()
	if def.Epochs != 10 || def.Seed == 0 {
		t.Fatalf("epochs %d, seed %d", def.Epochs, def.Seed)
	}

	// The lab page gives the script each session's β.
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.ID()
	}
	_, page := ts.do(t, "GET", "/labs/vae?s="+strings.Join(ids, ","), "", nil)
	m := regexp.MustCompile(`(?s)<script id="lab-boot" type="application/json">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no lab-boot data on the lab page")
	}
	var boot struct {
		Sessions []struct {
			ID   string  `json:"id"`
			Beta float64 `json:"beta"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(m[1], &boot); err != nil {
		t.Fatal(err)
	}
	if len(boot.Sessions) != 3 || boot.Sessions[0].Beta != 0.1 || boot.Sessions[1].Beta != 1 || boot.Sessions[2].Beta != 4 {
		t.Fatalf("boot sessions %+v", boot.Sessions)
	}

	// The three were one start: the next one is over the limit of one.
	res, _ := ts.do(t, "POST", "/labs/vae/start", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a second start: %d; want 429 (the first took the one token)", res.StatusCode)
	}

	// The index and the home page link the lab; its script is embedded.
	static, _ := fs.Sub(web.Static, "static")
	if _, err := fs.Stat(static, "js/lab-vae.js"); err != nil {
		t.Errorf("lab-vae.js is not embedded: %v", err)
	}
	_, home := ts.do(t, "GET", "/", "", nil)
	_, index := ts.do(t, "GET", "/labs", "", nil)
	if !strings.Contains(string(home), `data-testid="home-lab-vae"`) || !strings.Contains(string(index), `data-testid="lab-vae"`) {
		t.Error("the home page or /labs does not link the VAE lab")
	}
}

// TestVAELabOtherBetas: the lab compares the β values it is given, two or
// three, in increasing order.
func TestVAELabOtherBetas(t *testing.T) {
	ts := newTestServer(t)
	ss := ts.startLab(t, "vae", url.Values{"betas": {"2, 0.5"}, "train_size": {"1000"}})
	if len(ss) != 2 || ss[0].Config().BetaValue() != 0.5 || ss[1].Config().BetaValue() != 2 {
		t.Fatalf("%d sessions; want β = 0.5 and 2", len(ss))
	}
}
