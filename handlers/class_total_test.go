package handlers

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// The server's bound on classes (200) counts the open ones: once 200 had
// ever been created no one could create another, for good. A teacher who
// closes a class frees its place (the class and its results stay
// readable); opening it again takes a place, refused while none is free.
func TestClassTotalCountsOpenClasses(t *testing.T) {
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Datasets: registry})
	cb := session.NewClassBook(m, session.ClassOptions{})
	// Behind a proxy on the loopback, so that each school has its address.
	netw := Network{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static, Sockets: NewSockets(), Classes: cb, Net: netw}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		_ = cb.Close(ctx)
		srv.Close()
	})
	ts := &testServer{Server: srv, m: m}
	max := cb.Limits().MaxClasses
	create := func(i int) (*http.Response, classCreatedBody) {
		res, b := ts.do(t, "POST", "/api/classes", fmt.Sprintf(`{"name":"Class %d"}`, i),
			map[string]string{"X-Forwarded-For": fmt.Sprintf("10.0.%d.1", i/10)})
		var c classCreatedBody
		if res.StatusCode == http.StatusCreated {
			decodeInto(t, b, &c)
		}
		return res, c
	}
	teach := func(c classCreatedBody, what string) (*http.Response, []byte) {
		return ts.do(t, "POST", "/api/classes/"+c.ID+"/"+what, "", map[string]string{"Authorization": "Bearer " + c.TeacherToken})
	}
	var classes []classCreatedBody
	for i := range max {
		res, c := create(i)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("class %d of %d: %d", i+1, max, res.StatusCode)
		}
		classes = append(classes, c)
	}
	if res, _ := create(max); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("class %d with %d open: %d, want 503", max+1, max, res.StatusCode)
	}
	if res, b := teach(classes[0], "close"); res.StatusCode != 200 {
		t.Fatalf("close: %d %s", res.StatusCode, b)
	}
	if res, _ := create(max); res.StatusCode != http.StatusCreated {
		t.Fatalf("class %d after one of %d closed: %d, want 201", max+1, max, res.StatusCode)
	}
	res, b := ts.do(t, "GET", "/api/classes/"+classes[0].ID, "", map[string]string{"Authorization": "Bearer " + classes[0].TeacherToken})
	if res.StatusCode != 200 || !strings.Contains(strings.ReplaceAll(string(b), " ", ""), `"open":false`) {
		t.Fatalf("the closed class: %d %.200s, want it readable, closed", res.StatusCode, b)
	}
	if res, b := teach(classes[0], "open"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "open classes") {
		t.Fatalf("opening a closed class again with %d open: %d %s, want 503", max, res.StatusCode, b)
	}
	if res, b := teach(classes[1], "close"); res.StatusCode != 200 {
		t.Fatalf("close: %d %s", res.StatusCode, b)
	}
	if res, b := teach(classes[0], "open"); res.StatusCode != 200 || !strings.Contains(strings.ReplaceAll(string(b), " ", ""), `"open":true`) {
		t.Fatalf("opening a closed class again after another closed: %d %s", res.StatusCode, b)
	}
}
