package main

import (
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/aelab/aelab/internal/composefile"
	"github.com/aelab/aelab/session"
)

// composeEnv is the environment the compose file is read with: what
// deploy/.env must give, and nothing else (the defaults apply).
var composeEnv = map[string]string{"POSTGRES_PASSWORD": "s3cret"}

// readCompose reads deploy/compose.yaml as docker compose would with
// composeEnv.
func readCompose(t *testing.T) *composefile.File {
	t.Helper()
	c, err := composefile.Read(filepath.Join("deploy", "compose.yaml"), composeEnv)
	if err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	return c
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
	if r := c.Built(); len(r) != 3 {
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
	for _, name := range c.Built() {
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
	for _, r := range c.Built() {
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
	for _, r := range c.Built() {
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

// runtimeEnv are variables the Go runtime reads itself: a replica's
// environment may set them too.
var runtimeEnv = []string{"GOMAXPROCS", "GOMEMLIMIT", "GOGC", "GODEBUG", "GOTRACEBACK"}

// TestComposeMatchesTheProgram keeps compose.yaml, the Caddyfile and
// prometheus.yml consistent with the binary: every environment variable a
// replica is given is one the program reads; the port each replica listens
// on (-addr) is the one its health check, Caddy's upstreams and
// Prometheus's targets use; the bus and store URLs name the ports the nats
// and postgres services listen on; and the health check paths (the
// replica's own, Caddy's health_uri, Prometheus's metrics path) answer 200
// on the real program, whose /metrics has every aelab metric and reason the
// alerts use. The replica's health check command itself is run (bash
// speaking HTTP/1.0) against that program.
func TestComposeMatchesTheProgram(t *testing.T) {
	c := readCompose(t)
	caddy, err := os.ReadFile(filepath.Join("deploy", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	prom, err := os.ReadFile(filepath.Join("deploy", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	replicas := c.Built()
	if len(replicas) == 0 {
		t.Fatal("no replicas")
	}
	var port, health string
	for _, name := range replicas {
		s := c.Services[name]
		read := map[string]bool{}
		getenv := func(k string) string { read[k] = true; return s.Environment[k] }
		if _, err := parseFlags(append([]string{"aelab"}, s.Command...), getenv, io.Discard); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tuneGC(getenv)
		for k := range s.Environment {
			if !read[k] && !slices.Contains(runtimeEnv, k) {
				t.Errorf("%s: environment %s is read by neither aelab nor the Go runtime (a misspelling?)", name, k)
			}
		}
		addr, ok := s.Flag("-addr")
		if !ok {
			addr = ":8080" // the default without PORT
			if p := s.Environment["PORT"]; p != "" {
				addr = ":" + p
			}
		}
		_, p, _ := strings.Cut(addr, ":")
		if port != "" && p != port {
			t.Errorf("%s listens on %s, another replica on %s", name, p, port)
		}
		port = p
		test := strings.Join(s.Healthcheck.Test, " ")
		if !strings.Contains(test, "/dev/tcp/127.0.0.1/"+port+" ") {
			t.Errorf("%s: health check %q does not reach port %s", name, test, port)
		}
		m := regexp.MustCompile(`GET (/\S*) HTTP`).FindStringSubmatch(test)
		if m == nil {
			t.Fatalf("%s: no GET path in the health check %q", name, test)
		}
		health = m[1]
		if !strings.Contains(string(caddy), " "+name+":"+port) {
			t.Errorf("Caddyfile has no upstream %s:%s", name, port)
		}
		if !strings.Contains(string(prom), "'"+name+":"+port+"'") {
			t.Errorf("prometheus.yml does not scrape %s:%s", name, port)
		}
		bus, _ := s.Flag("-bus")
		natsPort := "4222"
		if v, ok := c.Services["nats"].Flag("--port"); ok {
			natsPort = v
		}
		if bus != "nats://nats:"+natsPort {
			t.Errorf("%s: -bus %q, want nats://nats:%s (the nats service's client port)", name, bus, natsPort)
		}
		if st := s.Environment["AELAB_STORE"]; !strings.Contains(st, "@postgres:5432/"+c.Services["postgres"].Environment["POSTGRES_DB"]+"?") {
			t.Errorf("%s: store %q does not name the postgres service's port 5432 and database", name, st)
		}
	}
	natsHTTP, _ := c.Services["nats"].Flag("--http_port")
	if test := strings.Join(c.Services["nats"].Healthcheck.Test, " "); natsHTTP == "" || !strings.Contains(test, "127.0.0.1:"+natsHTTP+"/healthz") {
		t.Errorf("nats: health check %q does not ask the monitoring port --http_port %q", test, natsHTTP)
	}

	base, _ := startServer(t, "-data", t.TempDir())
	_, serverPort, _ := strings.Cut(strings.TrimPrefix(base, "http://"), ":")
	caddyHealth := regexp.MustCompile(`health_uri (\S+)`).FindStringSubmatch(string(caddy))
	if caddyHealth == nil {
		t.Fatal("Caddyfile: no health_uri")
	}
	promPath := "/metrics" // Prometheus's default metrics_path
	if m := regexp.MustCompile(`metrics_path:\s*['"]?([^'"\s]+)`).FindStringSubmatch(string(prom)); m != nil {
		promPath = m[1]
	}
	var metricsText string
	for _, p := range []string{health, caddyHealth[1], promPath} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s = %d, want 200 (a health check or scrape path)", p, res.StatusCode)
		}
		if p == promPath {
			metricsText = string(b)
		}
	}
	// The replica's health check, as the container runs it, on this port.
	s := c.Services[replicas[0]]
	if len(s.Healthcheck.Test) > 1 && s.Healthcheck.Test[0] == "CMD" {
		args := slices.Clone(s.Healthcheck.Test[1:])
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "/dev/tcp/127.0.0.1/"+port+" ", "/dev/tcp/127.0.0.1/"+serverPort+" ")
		}
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Errorf("the replica's health check %q fails against a running aelab: %v %s", args, err, out)
		}
	}
	b, err := os.ReadFile(filepath.Join("deploy", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile(`\baelab_[a-z_]+`).FindAllString(string(b), -1) {
		if !regexp.MustCompile(`(?m)^` + name + `[ {]`).MatchString(metricsText) {
			t.Errorf("alerts.yml uses %s, which /metrics lacks", name)
		}
	}
	if m := regexp.MustCompile(`reason=~"([^"]+)"`).FindStringSubmatch(string(b)); m != nil {
		for _, r := range strings.Split(m[1], "|") {
			if !strings.Contains(metricsText, `aelab_refusals_total{reason="`+r+`"}`) {
				t.Errorf("alerts.yml counts refusals for reason %q, which /metrics does not have", r)
			}
		}
	}
}

// TestPageKnowsTheShutdownReason: the pages reconnect after a run "stopped"
// with the shutdown's reason (it resumes on another replica, or after a
// restart) by comparing the state's error with SHUTDOWN_REASON in ws.js:
// it must be the reason the server sends.
func TestPageKnowsTheShutdownReason(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("web", "static", "js", "ws.js"))
	if err != nil {
		t.Fatal(err)
	}
	want := "export const SHUTDOWN_REASON = '" + session.ShutdownReason + "';"
	if !strings.Contains(string(b), want) {
		t.Errorf("web/static/js/ws.js lacks %q: the pages would take a shutdown's stop as final", want)
	}
}
