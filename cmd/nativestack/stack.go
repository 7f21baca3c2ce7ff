package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aelab/aelab/internal/composefile"
)

// tools are the programs the stack runs, found in PATH unless given.
type tools struct {
	aelab, natsServer, caddy, prometheus, pgBin string
}

// stack is the compose topology running as processes on loopback.
type stack struct {
	dir      string
	c        *composefile.File
	names    []string // replica services
	p        ports
	rw       *rewriter
	password string
	pg       *proc // nil: pg_ctl runs PostgreSQL as a daemon
	pgData   string
	pgBin    string
	nats     *proc
	aelab    string // the aelab binary
	replicas []*proc
	caddy    *proc
	prom     *proc
	// startup: how long each service took from its start to a passing
	// compose health check.
	startup map[string]time.Duration
}

// up reads the compose file at root/deploy and starts its services in the
// order compose would (PostgreSQL and NATS healthy before the replicas,
// then Caddy, then Prometheus), each with the command, environment and
// health check the file gives it, addresses on loopback.
func up(ctx context.Context, root, dir string, t tools, log func(string, ...any)) (*stack, error) {
	pp, err := freePorts(9)
	if err != nil {
		return nil, err
	}
	p := ports{postgres: pp[0], nats: pp[1], natsHTTP: pp[2], replicas: pp[3:6], proxy: pp[6], caddyAdmin: pp[7], prometheus: pp[8]}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	s := &stack{dir: dir, p: p, password: hex.EncodeToString(b), startup: map[string]time.Duration{}}
	// What deploy/.env would hold for this site.
	env := map[string]string{
		"POSTGRES_PASSWORD": s.password,
		"AELAB_PUBLIC_URL":  s.proxyURL(),
		"AELAB_SITE":        s.proxyURL(),
	}
	if s.c, err = composefile.Read(filepath.Join(root, "deploy", "compose.yaml"), env); err != nil {
		return nil, fmt.Errorf("deploy/compose.yaml: %w", err)
	}
	s.names = s.c.Built()
	if len(s.names) != 3 {
		return nil, fmt.Errorf("compose.yaml builds %q, want three replicas", s.names)
	}
	s.rw = newRewriter(s.names, p)

	if err := s.startPostgres(ctx, t.pgBin, log); err != nil {
		return s, err
	}
	if err := s.startNATS(ctx, t.natsServer, log); err != nil {
		return s, err
	}
	if err := s.startReplicas(ctx, t.aelab, log); err != nil {
		return s, err
	}
	if err := s.startCaddy(ctx, root, t.caddy, log); err != nil {
		return s, err
	}
	if t.prometheus != "" {
		if err := s.startPrometheus(ctx, root, t.prometheus, log); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s *stack) proxyURL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.p.proxy) }

func (s *stack) replicaURL(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", s.p.replicas[i]) }

// startPostgres makes a throwaway cluster (initdb in the temporary
// directory) with the compose service's user, password (SCRAM over TCP,
// as the postgres image sets up) and database, on a loopback port.
func (s *stack) startPostgres(ctx context.Context, bin string, log func(string, ...any)) error {
	if bin == "" {
		m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
		sort.Strings(m)
		if len(m) == 0 {
			return errors.New("postgres: no /usr/lib/postgresql/*/bin/initdb; install Debian's postgresql or give -pg-bin")
		}
		bin = filepath.Dir(m[len(m)-1])
	}
	s.pgBin = bin
	svc := s.c.Services["postgres"]
	user, db := svc.Environment["POSTGRES_USER"], svc.Environment["POSTGRES_DB"]
	if user == "" || db == "" || svc.Environment["POSTGRES_PASSWORD"] != s.password {
		return fmt.Errorf("postgres: compose gives user %q, db %q and a password other than .env's", user, db)
	}
	pgdir := filepath.Join(s.dir, "postgres")
	if err := os.Mkdir(pgdir, 0o700); err != nil {
		return err
	}
	pw := filepath.Join(pgdir, "pw")
	if err := os.WriteFile(pw, []byte(s.password+"\n"), 0o600); err != nil {
		return err
	}
	if err := chownPostgres(pgdir); err != nil {
		return err
	}
	s.pgData = filepath.Join(pgdir, "data")
	t0 := time.Now()
	run := func(c *exec.Cmd) error {
		out, err := c.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(c.Args, " "), err, out)
		}
		return nil
	}
	if err := run(asPostgres(bin+"/initdb", "-D", s.pgData, "-U", user, "--pwfile", pw, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8")); err != nil {
		return err
	}
	if err := run(asPostgres(bin+"/pg_ctl", "-D", s.pgData, "-l", filepath.Join(pgdir, "log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-k %s -c listen_addresses=127.0.0.1 -p %d", pgdir, s.p.postgres), "start")); err != nil {
		return err
	}
	c := exec.Command(bin+"/createdb", "-h", "127.0.0.1", "-p", fmt.Sprint(s.p.postgres), "-U", user, db)
	c.Env = append(os.Environ(), "PGPASSWORD="+s.password)
	if err := run(c); err != nil {
		return err
	}
	// The compose health check (pg_isready -U … -d …), over TCP here.
	hc := append(slicesClone(svc.Healthcheck.Test[1:]), "-h", "127.0.0.1", "-p", fmt.Sprint(s.p.postgres))
	d, err := waitHealthy(ctx, nil, hc, 30*time.Second)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	s.startup["postgres"] = time.Since(t0)
	log("postgres: %s healthy after %.1f s (initdb, start, createdb; health check %.2f s)", bin, time.Since(t0).Seconds(), d.Seconds())
	return nil
}

func slicesClone(a []string) []string { return append([]string(nil), a...) }

// startNATS runs nats-server with the compose service's command.
func (s *stack) startNATS(ctx context.Context, bin string, log func(string, ...any)) error {
	svc := s.c.Services["nats"]
	dir := filepath.Join(s.dir, "nats")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	args, err := s.rw.natsArgs(svc, dir)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if s.nats, err = start(s.dir, "nats", nil, append([]string{bin}, args...)...); err != nil {
		return err
	}
	hc, err := s.rw.healthcheck(svc, 8222, s.p.natsHTTP)
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	if _, err := waitHealthy(ctx, s.nats, hc, 30*time.Second); err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	s.startup["nats"] = time.Since(t0)
	v, _ := exec.Command(bin, "--version").Output()
	log("nats: %s healthy after %.2f s: %s %s", strings.TrimSpace(string(v)), time.Since(t0).Seconds(), bin, strings.Join(args, " "))
	return nil
}

// startReplicas runs the three replicas at once, as compose does once
// PostgreSQL and NATS are healthy, and waits for each one's health check.
func (s *stack) startReplicas(ctx context.Context, bin string, log func(string, ...any)) error {
	s.aelab = bin
	t0 := time.Now()
	s.replicas = make([]*proc, len(s.names))
	for i := range s.names {
		if err := s.startReplica(i, log); err != nil {
			return err
		}
	}
	for i, n := range s.names {
		if err := s.waitReplica(ctx, i); err != nil {
			return err
		}
		s.startup[n] = time.Since(t0)
		log("%s: health check (bash, GET /healthz) passed %.2f s after the start", n, time.Since(t0).Seconds())
	}
	return nil
}

// startReplica starts replica i with its compose command and environment
// (again, after it died: what compose's restart policy does).
func (s *stack) startReplica(i int, log func(string, ...any)) error {
	n := s.names[i]
	svc := s.c.Services[n]
	args, err := s.rw.replicaArgs(svc, i)
	if err != nil {
		return err
	}
	p, err := start(s.dir, fmt.Sprintf("%s.%d", n, time.Now().UnixMilli()), s.rw.replicaEnv(svc), append([]string{s.aelab}, args...)...)
	if err != nil {
		return err
	}
	s.replicas[i] = p
	log("%s: pid %d: aelab %s (environment: %s)", n, p.pid(), strings.Join(args, " "), strings.Join(keys(svc.Environment), ", "))
	return nil
}

// waitReplica waits for replica i's compose health check.
func (s *stack) waitReplica(ctx context.Context, i int) error {
	hc, err := s.rw.healthcheck(s.c.Services[s.names[i]], 8080, s.p.replicas[i])
	if err != nil {
		return fmt.Errorf("%s: %w", s.names[i], err)
	}
	if _, err := waitHealthy(ctx, s.replicas[i], hc, 60*time.Second); err != nil {
		return fmt.Errorf("%s: %w", s.names[i], err)
	}
	return nil
}

func keys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// startCaddy runs Caddy on deploy/Caddyfile, its upstreams and admin API
// on the native ports, its site address from AELAB_SITE as compose passes it.
func (s *stack) startCaddy(ctx context.Context, root, bin string, log func(string, ...any)) error {
	b, err := os.ReadFile(filepath.Join(root, "deploy", "Caddyfile"))
	if err != nil {
		return err
	}
	cf := filepath.Join(s.dir, "Caddyfile")
	if err := os.WriteFile(cf, []byte(s.rw.caddyfile(string(b))), 0o600); err != nil {
		return err
	}
	svc := s.c.Services["caddy"]
	env := []string{"XDG_DATA_HOME=" + filepath.Join(s.dir, "caddy-data"), "XDG_CONFIG_HOME=" + filepath.Join(s.dir, "caddy-config")}
	for k, v := range svc.Environment {
		env = append(env, k+"="+v)
	}
	t0 := time.Now()
	if s.caddy, err = start(s.dir, "caddy", env, bin, "run", "--config", cf, "--adapter", "caddyfile"); err != nil {
		return err
	}
	hc, err := s.rw.healthcheck(svc, 2019, s.p.caddyAdmin)
	if err != nil {
		return fmt.Errorf("caddy: %w", err)
	}
	if _, err := waitHealthy(ctx, s.caddy, hc, 30*time.Second); err != nil {
		return fmt.Errorf("caddy: %w", err)
	}
	s.startup["caddy"] = time.Since(t0)
	log("caddy %s: healthy after %.2f s, serving %s (AELAB_SITE=%s)", caddyVersion(bin), time.Since(t0).Seconds(), s.proxyURL(), svc.Environment["AELAB_SITE"])
	return nil
}

// startPrometheus runs Prometheus on deploy/prometheus.yml and alerts.yml,
// the targets on the native ports.
func (s *stack) startPrometheus(ctx context.Context, root, bin string, log func(string, ...any)) error {
	dir := filepath.Join(s.dir, "prometheus")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus.yml"))
	if err != nil {
		return err
	}
	conf := strings.ReplaceAll(s.rw.text(string(b)), "/etc/prometheus/alerts.yml", filepath.Join(dir, "alerts.yml"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o600); err != nil {
		return err
	}
	if b, err = os.ReadFile(filepath.Join(root, "deploy", "alerts.yml")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts.yml"), b, 0o600); err != nil {
		return err
	}
	svc := s.c.Services["prometheus"]
	var args []string
	for _, a := range svc.Command {
		a = strings.Replace(a, "/etc/prometheus/prometheus.yml", filepath.Join(dir, "prometheus.yml"), 1)
		a = regexp.MustCompile(`^--storage.tsdb.path=.*`).ReplaceAllString(a, "--storage.tsdb.path="+filepath.Join(dir, "data"))
		args = append(args, a)
	}
	args = append(args, fmt.Sprintf("--web.listen-address=127.0.0.1:%d", s.p.prometheus))
	t0 := time.Now()
	if s.prom, err = start(s.dir, "prometheus", nil, append([]string{bin}, args...)...); err != nil {
		return err
	}
	hc, err := s.rw.healthcheck(svc, 9090, s.p.prometheus)
	if err != nil {
		return fmt.Errorf("prometheus: %w", err)
	}
	if _, err := waitHealthy(ctx, s.prom, hc, 60*time.Second); err != nil {
		return fmt.Errorf("prometheus: %w", err)
	}
	s.startup["prometheus"] = time.Since(t0)
	v, _ := exec.Command(bin, "--version").CombinedOutput()
	log("prometheus: %s healthy after %.2f s", strings.SplitN(string(v), "\n", 2)[0], time.Since(t0).Seconds())
	return nil
}

// down stops everything: the replicas gracefully (SIGTERM, within compose's
// stop_grace_period of 30 s), then Caddy, Prometheus, NATS and PostgreSQL.
// It returns how long each replica's stop took.
func (s *stack) down(log func(string, ...any)) {
	for i, p := range s.replicas {
		if p != nil && !p.exited() {
			d := p.stop(syscall.SIGTERM, 30*time.Second)
			log("%s: stopped (SIGTERM) in %.2f s", s.names[i], d.Seconds())
		}
	}
	for _, p := range []*proc{s.caddy, s.prom, s.nats} {
		if p != nil {
			p.stop(syscall.SIGTERM, 10*time.Second)
		}
	}
	if s.pgData != "" {
		_ = asPostgres(s.pgBin+"/pg_ctl", "-D", s.pgData, "-m", "fast", "-w", "stop").Run()
	}
}

// caddyVersion is what `caddy version` says, or for a build from the Go
// module (which says "unknown") the module's version from its build info.
func caddyVersion(bin string) string {
	v, _ := exec.Command(bin, "version").Output()
	if f := strings.Fields(string(v)); len(f) > 0 && f[0] != "unknown" {
		return f[0]
	}
	b, _ := exec.Command(bin, "build-info").Output()
	if m := regexp.MustCompile(`(?m)^mod\tgithub.com/caddyserver/caddy/v2\t(\S+)`).FindSubmatch(b); m != nil {
		return string(m[1]) + " (built from its Go module)"
	}
	return "(version unknown)"
}

// checkpoints lists the steps of a run's epoch checkpoints in the stack's
// PostgreSQL (not its final weights), read as the replicas' store URL
// gives it.
func (s *stack) checkpoints(ctx context.Context, id string) ([]int, error) {
	u := s.rw.text(s.c.Services[s.names[0]].Environment["AELAB_STORE"])
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT step FROM checkpoints WHERE session_id = $1 AND NOT final ORDER BY step`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int])
}
