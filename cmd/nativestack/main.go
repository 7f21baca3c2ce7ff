// Command nativestack runs deploy/compose.yaml's topology without Docker:
// a throwaway PostgreSQL (initdb in a temporary directory), nats-server
// with JetStream, the three aelab replicas and Caddy with deploy/Caddyfile
// (and Prometheus with deploy/prometheus.yml, if it is installed), each as a
// process on loopback with the command, environment and health check the
// compose file gives it; only the addresses change (the compose network's
// names become 127.0.0.1 ports). Then it checks the stack from outside,
// through the proxy as a browser would, and prints what it measured:
//
//   - every service's compose health check passes, and how long it took;
//   - each replica's /readyz (store and bus ok), /readyz through Caddy, and
//     /metrics refused (404) through Caddy;
//   - three runs started through Caddy and watched over WebSockets through
//     Caddy, where each trains, each replica's /metrics scraped (and
//     Prometheus's targets up, with it);
//   - the replica training one run killed with SIGKILL during its second
//     epoch: when the viewer saw it interrupted and running again, where it
//     resumed, what Caddy answered meanwhile, and every run completed;
//   - the other replicas stopped with SIGTERM, and how long that took.
//
// It exits non-zero if a check fails.
//
//	deploy/local/run.sh          # builds aelab, finds or builds the tools, runs this
//	go run ./cmd/nativestack -help
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	var t tools
	root := flag.String("root", ".", "the aelab checkout (its deploy/ folder is read)")
	flag.StringVar(&t.aelab, "aelab", "", "the aelab binary (default: go build into the temporary directory)")
	flag.StringVar(&t.natsServer, "nats-server", "nats-server", "nats-server 2.10 or later")
	flag.StringVar(&t.caddy, "caddy", "caddy", "caddy 2.7 or later (deploy/Caddyfile uses stream_close_delay)")
	flag.StringVar(&t.prometheus, "prometheus", "", "prometheus, to scrape the replicas as the metrics profile does (default: none)")
	flag.StringVar(&t.pgBin, "pg-bin", "", "PostgreSQL's bin directory (default: the newest /usr/lib/postgresql/*/bin)")
	keep := flag.Bool("keep", false, "leave the temporary directory (logs, data) in place")
	flag.Parse()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := run(ctx, *root, t, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "nativestack:", err)
		os.Exit(1)
	}
}

func logf(format string, a ...any) {
	fmt.Printf("%s  %s\n", time.Now().UTC().Format("15:04:05.0"), fmt.Sprintf(format, a...))
}

func run(ctx context.Context, root string, t tools, keep bool) (err error) {
	root, err = filepath.Abs(root)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "aelab-stack-")
	if err != nil {
		return err
	}
	// PostgreSQL runs as the postgres user under root: it must reach its
	// directory inside this one.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	defer func() {
		if keep || err != nil {
			logf("logs and data kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	}()
	if t.aelab == "" {
		t.aelab = filepath.Join(dir, "aelab")
		t0 := time.Now()
		c := exec.CommandContext(ctx, "go", "build", "-o", t.aelab, ".")
		c.Dir = root
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
		logf("built aelab in %.1f s", time.Since(t0).Seconds())
	}
	for _, p := range []*string{&t.aelab, &t.natsServer, &t.caddy, &t.prometheus} {
		if *p == "" {
			continue
		}
		abs, err := exec.LookPath(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	t0 := time.Now()
	s, err := up(ctx, root, dir, t, logf)
	if s != nil {
		defer s.down(logf)
	}
	if err != nil {
		return err
	}
	logf("stack up in %.1f s", time.Since(t0).Seconds())
	var failed []string
	check := func(ok bool, format string, a ...any) {
		mark := "ok  "
		if !ok {
			mark = "FAIL"
			failed = append(failed, fmt.Sprintf(format, a...))
		}
		logf("%s %s", mark, fmt.Sprintf(format, a...))
	}
	if err := checkStack(ctx, s, check); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d checks failed:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	logf("every check passed in %.1f s", time.Since(t0).Seconds())
	return nil
}
