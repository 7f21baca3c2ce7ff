package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aelab/aelab/internal/composefile"
)

// ports are the loopback ports the native stack uses in place of the
// compose network's host names and the containers' fixed ports.
type ports struct {
	postgres, nats, natsHTTP int
	replicas                 []int // aelab-1, aelab-2, … in order
	proxy, caddyAdmin        int
	prometheus               int
}

// rewriter maps the compose network's addresses to loopback ones: the
// services' names and ports in URLs, upstreams and scrape targets.
type rewriter struct {
	names []string // the replicas' service names, in order
	p     ports
	pairs []string // for strings.NewReplacer
}

func newRewriter(replicas []string, p ports) *rewriter {
	r := &rewriter{names: replicas, p: p}
	r.pairs = []string{
		"@postgres:5432/", fmt.Sprintf("@127.0.0.1:%d/", p.postgres),
		"nats://nats:4222", fmt.Sprintf("nats://127.0.0.1:%d", p.nats),
	}
	for i, n := range replicas {
		r.pairs = append(r.pairs, n+":8080", fmt.Sprintf("127.0.0.1:%d", p.replicas[i]))
	}
	return r
}

// text rewrites the addresses in s (a URL, the Caddyfile, prometheus.yml).
func (r *rewriter) text(s string) string { return strings.NewReplacer(r.pairs...).Replace(s) }

// replicaArgs is the command of replica i, as compose gives it, with its
// addresses on loopback: -addr on the replica's own port, the bus and store
// on the native NATS and PostgreSQL, and -trusted-proxy naming Caddy's
// address here (127.0.0.1; on the compose network it is 172.30.0.0/24).
func (r *rewriter) replicaArgs(s composefile.Service, i int) ([]string, error) {
	args := make([]string, len(s.Command))
	for j, a := range s.Command {
		args[j] = r.text(a)
	}
	for _, f := range []struct{ flag, value string }{
		{"-addr", fmt.Sprintf("127.0.0.1:%d", r.p.replicas[i])},
		{"-trusted-proxy", "127.0.0.1/32"},
	} {
		k := indexFlag(args, f.flag)
		if k < 0 {
			return nil, fmt.Errorf("%s: the compose command has no %s %q", r.names[i], f.flag, s.Command)
		}
		args[k+1] = f.value
	}
	return args, nil
}

func indexFlag(args []string, flag string) int {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return i
		}
	}
	return -1
}

// replicaEnv is replica i's environment from compose, addresses rewritten.
func (r *rewriter) replicaEnv(s composefile.Service) []string {
	var env []string
	for k, v := range s.Environment {
		env = append(env, k+"="+r.text(v))
	}
	return env
}

// natsArgs is the nats service's command with its store in dir, its
// monitoring on the native port, and its clients on loopback.
func (r *rewriter) natsArgs(s composefile.Service, dir string) ([]string, error) {
	args := append([]string{}, s.Command...)
	for i, a := range args {
		switch {
		case a == "/data":
			args[i] = dir
		case i > 0 && args[i-1] == "--http_port":
			args[i] = fmt.Sprint(r.p.natsHTTP)
		}
	}
	if indexFlag(args, "--http_port") < 0 || indexFlag(args, "--store_dir") < 0 {
		return nil, fmt.Errorf("nats: the compose command %q lacks --http_port or --store_dir", s.Command)
	}
	return append(args, "-a", "127.0.0.1", "-p", fmt.Sprint(r.p.nats)), nil
}

// caddyfile is deploy/Caddyfile with the upstreams and the admin API on
// loopback ports.
func (r *rewriter) caddyfile(text string) string {
	text = r.text(text)
	return regexp.MustCompile(`(?m)^(\s*admin )\S+`).ReplaceAllString(text, fmt.Sprintf("${1}127.0.0.1:%d", r.p.caddyAdmin))
}

// healthcheck is a service's compose health check as a command to run
// here: its container-local port swapped for the native one.
func (r *rewriter) healthcheck(s composefile.Service, from, to int) ([]string, error) {
	t := s.Healthcheck.Test
	if len(t) < 2 || t[0] != "CMD" {
		return nil, fmt.Errorf("health check %q is not [CMD, …]", t)
	}
	out := make([]string, len(t)-1)
	for i, a := range t[1:] {
		a = strings.ReplaceAll(a, fmt.Sprintf("127.0.0.1:%d", from), fmt.Sprintf("127.0.0.1:%d", to))
		out[i] = strings.ReplaceAll(a, fmt.Sprintf("/dev/tcp/127.0.0.1/%d ", from), fmt.Sprintf("/dev/tcp/127.0.0.1/%d ", to))
	}
	return out, nil
}
