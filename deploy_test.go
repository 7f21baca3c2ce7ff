package main

import (
	"io"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeEnv is the environment the compose file is read with: what
// deploy/.env must give, and nothing else (the defaults apply).
var composeEnv = map[string]string{"POSTGRES_PASSWORD": "s3cret"}

// interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// $VAR and $$ the way docker compose does, from env.
func interpolate(t *testing.T, s string, env map[string]string) string {
	t.Helper()
	re := regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := re.FindStringSubmatch(m)
		name, op, arg := g[1], g[2], g[3]
		if name == "" {
			name = g[4]
		}
		v, set := env[name]
		switch op {
		case ":-":
			if v == "" {
				return arg
			}
		case "-":
			if !set {
				return arg
			}
		case ":?", "?":
			if v == "" {
				t.Errorf("compose.yaml needs %s: %s", name, arg)
			}
		}
		return v
	})
}

// compose is the part of deploy/compose.yaml the test reads.
type compose struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Profiles []string `yaml:"profiles"`
		Volumes  []string `yaml:"volumes"`
		Networks any      `yaml:"networks"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal([]byte(interpolate(t, string(b), composeEnv)), &c); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	return c
}

// replicas are the services that run aelab (built from this repository).
func (c compose) replicas() []string {
	var r []string
	for name, s := range c.Services {
		if s.Build != nil {
			r = append(r, name)
		}
	}
	slices.Sort(r)
	return r
}

// TestComposeServices: every service of deploy/compose.yaml has a health
// check; PostgreSQL, NATS (JetStream on a volume), Caddy and three aelab
// replicas are there; Prometheus only in the "metrics" profile, with its
// files present.
func TestComposeServices(t *testing.T) {
	c := readCompose(t)
	for name, s := range c.Services {
		if len(s.Healthcheck.Test) < 2 || (s.Healthcheck.Test[0] != "CMD" && s.Healthcheck.Test[0] != "CMD-SHELL") {
			t.Errorf("service %s has no health check (healthcheck.test = %q)", name, s.Healthcheck.Test)
		}
		// wget --spider sends HEAD, which Caddy's admin API answers 405.
		if slices.Contains(s.Healthcheck.Test, "--spider") {
			t.Errorf("service %s checks its health with wget --spider (HEAD): use -O /dev/null (GET)", name)
		}
		for _, v := range s.Volumes {
			if src, _, _ := strings.Cut(v, ":"); strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join("deploy", src)); err != nil {
					t.Errorf("service %s mounts %s, which deploy/ lacks: %v", name, src, err)
				}
			}
		}
	}
	if r := c.replicas(); len(r) != 3 {
		t.Errorf("aelab replicas = %q, want three", r)
	}
	for _, want := range []string{"postgres", "nats", "caddy", "prometheus"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
	nats := c.Services["nats"]
	cmd := strings.Join(nats.Command, " ")
	if !strings.Contains(cmd, "--jetstream") || !strings.Contains(cmd, "--store_dir /data") || !slices.ContainsFunc(nats.Volumes, func(v string) bool {
		src, dst, _ := strings.Cut(v, ":")
		return dst == "/data" && !strings.HasPrefix(src, ".")
	}) {
		t.Errorf("nats: JetStream with its store on a named volume at /data wanted, got command %q, volumes %q", nats.Command, nats.Volumes)
	}
	if p := c.Services["prometheus"].Profiles; !slices.Equal(p, []string{"metrics"}) {
		t.Errorf("prometheus profiles = %q, want [metrics] (optional)", p)
	}
	for name, s := range c.Services {
		if name != "prometheus" && len(s.Profiles) > 0 {
			t.Errorf("service %s is in profiles %q: a plain `docker compose up` would leave it out", name, s.Profiles)
		}
	}
}

// TestComposeReplicaFlags: each replica's command is accepted by this
// program's own flag parsing, with its environment (so every flag the file
// uses exists and every value is valid), keeps its runs in PostgreSQL,
// joins the bus, and believes forwarding headers from Caddy's address.
func TestComposeReplicaFlags(t *testing.T) {
	c := readCompose(t)
	caddyIP := netip.MustParseAddr("172.30.0.10")
	b, _ := os.ReadFile(filepath.Join("deploy", "compose.yaml"))
	if !strings.Contains(string(b), "ipv4_address: "+caddyIP.String()) {
		t.Fatalf("compose.yaml no longer gives caddy the address %s the test expects", caddyIP)
	}
	for _, name := range c.replicas() {
		s := c.Services[name]
		getenv := func(k string) string { return s.Environment[k] }
		cfg, err := parseFlags(append([]string{"aelab"}, s.Command...), getenv, io.Discard)
		if err != nil {
			t.Errorf("%s: aelab %q is refused: %v", name, s.Command, err)
			continue
		}
		if !strings.HasPrefix(cfg.storeURL, "postgres://") || !strings.Contains(cfg.storeURL, "@postgres:5432/") {
			t.Errorf("%s: store %q, want the postgres service's database", name, cfg.storeURL)
		}
		if cfg.busURL != "nats://nats:4222" {
			t.Errorf("%s: bus %q, want the nats service's nats://nats:4222", name, cfg.busURL)
		}
		if !cfg.net.Trusts(caddyIP) {
			t.Errorf("%s: -trusted-proxy does not cover Caddy's %s: limits would count Caddy as every client", name, caddyIP)
		}
		if cfg.net.Public == nil {
			t.Errorf("%s: no -public-url: browsers' streams through Caddy need the public origin", name)
		}
	}
}

// TestCaddyfile: Caddy proxies every WebSocket route of the app (as read
// from handlers/routes.go) and every other path to all three replicas,
// checks their /readyz, and keeps no sticky sessions.
func TestCaddyfile(t *testing.T) {
	c := readCompose(t)
	b, err := os.ReadFile(filepath.Join("deploy", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	caddy := string(b)
	routes, err := os.ReadFile(filepath.Join("handlers", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	wsRoutes := regexp.MustCompile(`"(/[^"]*/ws)"`).FindAllStringSubmatch(string(routes), -1)
	if len(wsRoutes) < 2 {
		t.Fatalf("found %d WebSocket routes in handlers/routes.go, want the session's and the class's", len(wsRoutes))
	}
	m := regexp.MustCompile(`(?m)^\s*@ws path (.+)$`).FindStringSubmatch(caddy)
	if m == nil || !strings.Contains(caddy, "handle @ws {") {
		t.Fatal("Caddyfile: no @ws path matcher handled on its own")
	}
	globs := strings.Fields(m[1])
	for _, r := range wsRoutes {
		// Every route with a WebSocket is under /api (the Route block).
		p := "/api" + regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(r[1], "x1y2z3")
		if !slices.ContainsFunc(globs, func(g string) bool { ok, _ := path.Match(g, p); return ok }) {
			t.Errorf("Caddyfile's @ws matcher %q misses the WebSocket route %s (%s)", globs, r[1], p)
		}
	}
	var upstreams []string
	for _, r := range c.replicas() {
		upstreams = append(upstreams, r+":8080")
	}
	want := "reverse_proxy " + strings.Join(upstreams, " ") + " {"
	if n := strings.Count(caddy, want); n != 2 {
		t.Errorf("Caddyfile has %d of %q, want 2 (the streams and the rest)", n, want)
	}
	// /metrics is refused in a handle of its own: a bare respond would come
	// after the proxying handles in Caddy's directive order.
	for _, need := range []string{"health_uri /readyz", "lb_policy least_conn", "import upstreams", "handle /metrics {\n\t\trespond 404"} {
		if !strings.Contains(caddy, need) {
			t.Errorf("Caddyfile lacks %q", need)
		}
	}
	for _, sticky := range []string{"lb_policy cookie", "lb_policy ip_hash", "lb_policy client_ip_hash", "lb_policy header", "lb_policy uri_hash"} {
		if strings.Contains(caddy, sticky) {
			t.Errorf("Caddyfile pins clients to replicas (%s): no sticky sessions are needed", sticky)
		}
	}
}

// TestPrometheusConfig: the metrics profile scrapes every replica.
func TestPrometheusConfig(t *testing.T) {
	c := readCompose(t)
	b, err := os.ReadFile(filepath.Join("deploy", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, sc := range p.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	for _, r := range c.replicas() {
		if !slices.Contains(targets, r+":8080") {
			t.Errorf("prometheus.yml does not scrape %s:8080 (targets %q)", r, targets)
		}
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	b, err = os.ReadFile(filepath.Join("deploy", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &rules); err != nil || len(rules.Groups) == 0 || len(rules.Groups[0].Rules) == 0 {
		t.Fatalf("alerts.yml: %v, %+v", err, rules)
	}
}
