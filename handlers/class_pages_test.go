package handlers

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// browser is an HTTP client with its own cookies: one person's browser.
func classBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func postPage(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = io.Copy(b, res.Body)
	return res, b.String()
}

func getPage(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = io.Copy(b, res.Body)
	return res, b.String()
}

// TestClassPages walks the pages: a teacher creates a class with a lesson,
// a student joins by code and sees the class's form (locked field shown
// disabled, hidden field absent), a change to a locked field is refused,
// a run starts, and only the teacher's browser gets the teacher's actions.
func TestClassPages(t *testing.T) {
	ts, cb := newClassServer(t)
	teacher, student, other := classBrowser(t), classBrowser(t), classBrowser(t)
	if res, body := getPage(t, teacher, ts.URL+"/classes/new"); res.StatusCode != 200 || !strings.Contains(body, `data-testid="class-form"`) {
		t.Fatalf("new class page: %d", res.StatusCode)
	}
	form := url.Values{"name": {"Period 3"}, "use_preset": {"1"}, "preset.dataset": {"mnist"}, "preset.encoder": {"32"},
		"preset.bottleneck": {"2"}, "preset.activation": {"relu"}, "preset.bottleneck_activation": {"linear"},
		"preset.output_activation": {"sigmoid"}, "preset.loss": {"mse"}, "preset.optimizer": {"adam"},
		"preset.learning_rate": {"0.001"}, "preset.batch_size": {"32"}, "preset.epochs": {"1"}, "preset.train_size": {"500"},
		"preset.seed": {"4"}, "lock": {"bottleneck"}, "hide": {"seed"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("preset.bottleneck", "two")
	if res, body := postPage(t, teacher, ts.URL+"/classes", bad); res.StatusCode != 422 || !strings.Contains(body, "whole number") {
		t.Errorf("bad preset: %d", res.StatusCode)
	}
	res, _ := postPage(t, teacher, ts.URL+"/classes", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(loc, "/classes/") {
		t.Fatalf("create: %d %s", res.StatusCode, loc)
	}
	c, err := cb.Get(strings.TrimPrefix(loc, "/classes/"))
	if err != nil {
		t.Fatal(err)
	}
	_, body := getPage(t, teacher, ts.URL+loc)
	if !strings.Contains(body, c.Code()) || !strings.Contains(body, `data-testid="teacher-actions"`) || !strings.Contains(body, "/join/"+c.Code()) {
		t.Error("the teacher's dashboard shows the code, the join link and the actions")
	}
	if _, body := getPage(t, other, ts.URL+loc); strings.Contains(body, `data-testid="teacher-actions"`) {
		t.Error("another browser must not get the teacher's actions")
	}
	if _, body := getPage(t, other, ts.URL+loc+"?present"); !strings.Contains(body, "class-page present") {
		t.Error("?present marks the dashboard for the wall")
	}

	// Joining: the link names the class; a wrong code is refused on the form.
	if _, body := getPage(t, student, ts.URL+"/join/"+strings.ToLower(c.Code())); !strings.Contains(body, "Join Period 3") || !strings.Contains(body, `value="`+c.Code()+`"`) {
		t.Error("the join link names the class and fills the code")
	}
	if res, body := postPage(t, student, ts.URL+"/join", url.Values{"code": {"AAA-AAA"}, "name": {"Ana"}}); res.StatusCode != 404 || !strings.Contains(body, "no class has the code") {
		t.Errorf("unknown code: %d", res.StatusCode)
	}
	res, _ = postPage(t, student, ts.URL+"/join", url.Values{"code": {c.Code()}, "name": {"Ana"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/classes/"+c.ID()+"/train" {
		t.Fatalf("join: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := postPage(t, other, ts.URL+"/join", url.Values{"code": {c.Code()}, "name": {"ana"}}); res.StatusCode != 409 || !strings.Contains(body, "ana 2") {
		t.Errorf("taken name: %d", res.StatusCode)
	}
	_, body = getPage(t, student, ts.URL+"/classes/"+c.ID()+"/train")
	for _, want := range []string{`data-testid="lesson-banner"`, "Period 3", "Ana", `data-testid="locked-bottleneck"`, `action="/classes/` + c.ID() + `/runs"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the class form lacks %s", want)
		}
	}
	if strings.Contains(body, `id="f-seed"`) || !strings.Contains(body, `type="hidden" name="seed" value="4"`) {
		t.Error("a hidden field is not shown, and keeps its value")
	}
	if res, _ := getPage(t, other, ts.URL+"/classes/"+c.ID()+"/train"); res.StatusCode != 303 {
		t.Errorf("a browser that has not joined goes to the join page: %d", res.StatusCode)
	}

	// Training: a locked field changed by hand is refused; the lesson's runs start.
	run := url.Values{"dataset": {"mnist"}, "encoder": {"32"}, "bottleneck": {"8"}, "activation": {"tanh"}, "bottleneck_activation": {"linear"},
		"output_activation": {"sigmoid"}, "loss": {"mse"}, "optimizer": {"adam"}, "learning_rate": {"0.001"}, "batch_size": {"32"},
		"epochs": {"1"}, "train_size": {"500"}, "seed": {"4"}}
	if res, body := postPage(t, student, ts.URL+"/classes/"+c.ID()+"/runs", run); res.StatusCode != 422 || !strings.Contains(body, "locked by the lesson") {
		t.Errorf("a locked field changed: %d", res.StatusCode)
	}
	run.Set("bottleneck", "2")
	res, _ = postPage(t, student, ts.URL+"/classes/"+c.ID()+"/runs", run)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/sessions/") {
		t.Fatalf("run: %d", res.StatusCode)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/sessions/")
	if n, ok := c.RunStudent(id); !ok || n != "Ana" {
		t.Error("the run belongs to Ana")
	}
	s, _ := ts.m.Get(id)
	waitEnded(t, s)
	if s.Config().Activation != "tanh" || s.Config().Bottleneck != 2 || s.State() != session.Completed {
		t.Errorf("run %+v %s", s.Config(), s.State())
	}

	// A preset link without a class locks and hides fields of the home form.
	_, body = getPage(t, other, ts.URL+"/?preset=two-d&epochs=2&lock=bottleneck,dataset&hide=seed")
	if !strings.Contains(body, `data-testid="locked-bottleneck"`) || strings.Contains(body, `id="f-seed"`) || !strings.Contains(body, `name="bottleneck" value="2"`) {
		t.Error("a preset link locks and hides fields")
	}
}
