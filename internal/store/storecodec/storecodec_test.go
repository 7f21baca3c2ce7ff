package storecodec

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

func TestParamsRoundTrip(t *testing.T) {
	p := []float32{float32(math.Copysign(0, -1)), 1.5, -3.25, math.SmallestNonzeroFloat32, math.MaxFloat32, float32(math.NaN())}
	b := EncodeParams(p)
	if len(b) != 4*len(p) || b[4] != 0 || b[7] != 0x3f { // 1.5 = 0x3fc00000, little-endian
		t.Fatalf("EncodeParams = % x; want little-endian float32s", b)
	}
	got, err := DecodeParams(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p {
		if math.Float32bits(got[i]) != math.Float32bits(p[i]) {
			t.Errorf("param %d = %v, want %v bit for bit", i, got[i], p[i])
		}
	}
	if _, err := DecodeParams(b[:5]); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("DecodeParams of 5 bytes: %v; want an error saying so", err)
	}
}

func TestUnixNano(t *testing.T) {
	if UnixNano(time.Time{}) != 0 || !FromUnixNano(0).IsZero() {
		t.Error("the zero time is not kept as 0")
	}
	now := time.Date(2026, 12, 5, 9, 0, 0, 123456789, time.UTC)
	if got := FromUnixNano(UnixNano(now)); !got.Equal(now) {
		t.Errorf("round trip of %v = %v", now, got)
	}
}

func TestFrames(t *testing.T) {
	in := session.Frames{Progress: &session.Progress{Step: 3}, Latent: &session.Latent{Step: 4, X: []float32{1}}}
	frames, err := EncodeFrames("s", in)
	if err != nil || len(frames) != 2 || frames[0].Kind != FrameProgress || frames[1].Kind != FrameLatent {
		t.Fatalf("EncodeFrames = %v, %v; want progress then latent", frames, err)
	}
	var out session.Frames
	for _, fr := range append(frames, Frame{"from-the-future", []byte("{")}) {
		if err := DecodeFrame("s", fr.Kind, fr.Data, &out); err != nil {
			t.Fatal(err)
		}
	}
	if out.Progress.Step != 3 || out.Latent.Step != 4 || out.Reconstructions != nil {
		t.Fatalf("decoded %+v", out)
	}
	err = DecodeFrame("s", FrameRecon, []byte("{"), &out)
	if err == nil || !strings.Contains(err.Error(), "reconstructions frame of session s is damaged") {
		t.Errorf("DecodeFrame of bad JSON: %v; want it called damaged", err)
	}
}
