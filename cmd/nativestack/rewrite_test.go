package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aelab/aelab/internal/composefile"
)

// The real deploy files, rewritten for loopback, keep no compose host name.
func TestRewriteDeployFiles(t *testing.T) {
	root := filepath.Join("..", "..", "deploy")
	c, err := composefile.Read(filepath.Join(root, "compose.yaml"), map[string]string{"POSTGRES_PASSWORD": "pw", "AELAB_PUBLIC_URL": "http://127.0.0.1:7000"})
	if err != nil {
		t.Fatal(err)
	}
	names := c.Built()
	p := ports{postgres: 7001, nats: 7002, natsHTTP: 7003, replicas: []int{7011, 7012, 7013}, proxy: 7000, caddyAdmin: 7004}
	r := newRewriter(names, p)
	for i, n := range names {
		args, err := r.replicaArgs(c.Services[n], i)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(args, " ")
		for _, want := range []string{fmt.Sprintf("-addr 127.0.0.1:%d", 7011+i), "-bus nats://127.0.0.1:7002", "-trusted-proxy 127.0.0.1/32", "-public-url http://127.0.0.1:7000"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", n, got, want)
			}
		}
		env := strings.Join(r.replicaEnv(c.Services[n]), " ")
		if !strings.Contains(env, "AELAB_STORE=postgres://aelab:pw@127.0.0.1:7001/aelab?") {
			t.Errorf("%s: environment %q", n, env)
		}
		hc, err := r.healthcheck(c.Services[n], 8080, p.replicas[i])
		if err != nil || !strings.Contains(strings.Join(hc, " "), "/dev/tcp/127.0.0.1/701") {
			t.Errorf("%s: health check %q, %v", n, hc, err)
		}
	}
	na, err := r.natsArgs(c.Services["nats"], "/tmp/x")
	if err != nil || !slices.Contains(na, "/tmp/x") || !slices.Contains(na, "7003") || !slices.Contains(na, "--jetstream") {
		t.Errorf("nats args %q, %v", na, err)
	}
	b, err := os.ReadFile(filepath.Join(root, "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	cf := r.caddyfile(string(b))
	for _, n := range names {
		if strings.Contains(cf, n+":") {
			t.Errorf("the rewritten Caddyfile still names %s", n)
		}
	}
	if !strings.Contains(cf, "admin 127.0.0.1:7004") || !strings.Contains(cf, "127.0.0.1:7011 127.0.0.1:7012 127.0.0.1:7013") {
		t.Errorf("rewritten Caddyfile:\n%s", cf)
	}
}
