package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDenseVersusConvComparePage puts a dense and a convolutional
// autoencoder with the same code width (32) side by side through the compare
// page: the page says what differs (the layers) and gives each run's
// parameter count, 111,521 for the convolutional one and 784·256 + … for the
// dense one. It uses MNIST, which the other tests have loaded already
// (Fashion-MNIST has the same 28×28 shape, so the same counts; decoding it
// takes over a minute under the race detector).
func TestDenseVersusConvComparePage(t *testing.T) {
	ts := newTestServer(t)
	common := `"dataset":"mnist","bottleneck":32,"train_size":256,"test_size":100,"epochs":1,"seed":1`
	dense := ts.create(t, `{"encoder":[256],`+common+`}`)
	conv := ts.create(t, `{"encoder":[],"conv":[{"filters":16,"kernel":3,"stride":2},{"filters":32,"kernel":3,"stride":2}],`+common+`}`)
	var c comparisonCreatedBody
	res, b := ts.do(t, "POST", "/api/comparisons", fmt.Sprintf(`{"sessions":[%q,%q]}`, dense.ID, conv.ID), nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("compare: %d %s", res.StatusCode, b)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	res, page := ts.do(t, "GET", c.URL, "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", c.URL, res.StatusCode)
	}
	p := string(page)
	for _, id := range []string{dense.ID, conv.ID} { // they end before the server does
		s, err := ts.m.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.Done():
		case <-time.After(2 * time.Minute):
			t.Fatalf("session %s did not end", id)
		}
	}
	differs := regexp.MustCompile(`(?s)data-testid="compare-differs".*?</p>`).FindString(p)
	if !strings.Contains(differs, "16/3/2, 32/3/2") || !strings.Contains(differs, "encoder") {
		t.Errorf("what differs %q; want the convolutions and the encoder named", differs)
	}
	denseParams := (784+1)*256 + (256+1)*32 + (32+1)*256 + (256+1)*784
	for id, want := range map[string]int{dense.ID: denseParams, conv.ID: 111521} {
		row := regexp.MustCompile(`(?s)<tr data-run="` + id + `">.*?</tr>`).FindString(p)
		if !strings.Contains(row, ">"+groupDigits(want)+"<") {
			t.Errorf("run %s's row lacks its %d parameters: %s", id, want, row)
		}
	}
}
