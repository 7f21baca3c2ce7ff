package composefile

import (
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	env := map[string]string{"A": "x", "E": ""}
	for in, want := range map[string]string{
		"${A}":          "x",
		"$A/$$A":        "x/$A",
		"${B:-d}":       "d",
		"${E:-d}":       "d",
		"${E-d}":        "",
		"${B-d}":        "d",
		"${A:?need A}":  "x",
		"p${A:-:80}q":   "pxq",
		"${B:-:80}":     ":80",
		"no vars here":  "no vars here",
		"${A?set A}":    "x",
		"${E?set E}end": "end",
	} {
		got, err := Interpolate(in, env)
		if err != nil || got != want {
			t.Errorf("Interpolate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"${B:?set B in .env}", "${E:?set E}", "${B?set B}"} {
		if _, err := Interpolate(in, env); err == nil || !strings.Contains(err.Error(), "set") {
			t.Errorf("Interpolate(%q): error %v, want one naming the variable with its message", in, err)
		}
	}
}

func TestParse(t *testing.T) {
	f, err := Parse([]byte(`
x-app: &app
  build: {context: ..}
  command: ["-addr", ":8080", "-bus=nats://nats:4222"]
  environment:
    STORE: postgres://u:${PW:?set PW}@db/x
services:
  a: {<<: *app, hostname: a}
  b: {<<: *app}
  db: {image: postgres}
`), map[string]string{"PW": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Built(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("Built() = %q, want [a b]", got)
	}
	a := f.Services["a"]
	if v, ok := a.Flag("-addr"); !ok || v != ":8080" {
		t.Errorf("Flag(-addr) = %q, %v", v, ok)
	}
	if v, ok := a.Flag("-bus"); !ok || v != "nats://nats:4222" {
		t.Errorf("Flag(-bus) = %q, %v", v, ok)
	}
	if _, ok := a.Flag("-store"); ok {
		t.Error("Flag(-store) found in a command without it")
	}
	if a.Environment["STORE"] != "postgres://u:pw@db/x" || a.Hostname != "a" {
		t.Errorf("service a = %+v", a)
	}
	if _, err := Parse([]byte("services:\n  a: {environment: {P: '${PW:?set PW}'}}\n"), nil); err == nil {
		t.Error("a missing required variable was accepted")
	}
}
