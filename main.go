// Command aelab serves the autoencoder lab: a web app in which students
// configure autoencoders, train them live on the server and watch what they
// learn. Run it with `go run .` and open http://localhost:8080.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/handlers"
	"github.com/aelab/aelab/internal/connlimit"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tuneGC(os.Getenv)
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "aelab:", err)
		os.Exit(1)
	}
}

// config is what the command line sets.
type config struct {
	addr        string
	dataDir     string
	storeDir    string // -data: where runs are kept
	storeURL    string // -store: a PostgreSQL database instead
	ephemeral   bool
	maxStore    int64
	maxRunning  int
	maxQueued   int
	maxFinished int
	limits      session.Limits
	startLimit  session.RateLimit
	uploadLimit session.RateLimit
	perAddress  int
	maxMemory   int64
	coreGFLOPS  float64
	coreMinutes int
	logLevel    slog.Level
	net         handlers.Network
	// connsPerAddr and maxConns cap open connections per client address
	// (IPv6: per /64) and in all.
	connsPerAddr, maxConns int
	shutdownWait           time.Duration // -shutdown-timeout
	busURL                 string        // -bus: NATS server of a cluster of replicas
	replica                string        // -replica: this replica's name on the bus
	uploadMiB              int           // memory for uploaded datasets, in all
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fl := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	var c config
	defAddr := ":8080"
	if p := getenv("PORT"); p != "" {
		defAddr = ":" + p
	}
	fl.StringVar(&c.addr, "addr", defAddr, "host:port to listen on (env PORT sets the port)")
	fl.StringVar(&c.dataDir, "data-dir", getenv("AELAB_DATA_DIR"), "directory with optional datasets such as Fashion-MNIST (default: where Debian's packages put them)")
	fl.StringVar(&c.storeDir, "data", defaultStoreDir(getenv), "directory where runs are kept (an SQLite file; created if needed)")
	fl.StringVar(&c.storeURL, "store", getenv("AELAB_STORE"), "keep runs in PostgreSQL instead of -data: postgres://user:password@host:5432/database (env AELAB_STORE, which keeps the password off the command line)")
	fl.BoolVar(&c.ephemeral, "ephemeral", false, "keep runs in memory only: they are lost when the server stops (tests, demos)")
	fl.Int64Var(&c.maxStore, "max-store", defaultMaxStore, "bytes the kept runs may take; when full, the oldest ended runs lose their weights, then their pictures, never their curves (default with -ephemeral: 256 MiB, since that store is in memory)")
	fl.IntVar(&c.maxRunning, "max-running", 32, "trainings that run at once; more wait in a queue")
	fl.IntVar(&c.maxQueued, "max-queued", 64, "trainings that may wait for a slot; more are refused with 503")
	fl.IntVar(&c.maxFinished, "max-finished", 500, "ended sessions kept for viewing (the oldest beyond it are forgotten)")
	c.limits = session.DefaultLimits()
	fl.IntVar(&c.limits.MaxParams, "max-params", c.limits.MaxParams, "largest model, in weights and biases")
	fl.IntVar(&c.limits.MaxWork, "max-work", c.limits.MaxWork, "largest training, in epochs × training examples")
	fl.IntVar(&c.limits.MaxEpochs, "max-epochs", c.limits.MaxEpochs, "most epochs of one training")
	c.startLimit = session.DefaultStartLimit
	c.uploadLimit = session.DefaultUploadLimit
	fl.IntVar(&c.startLimit.Burst, "start-burst", c.startLimit.Burst, "starts one address may make at once; a sweep or a lab is one start (0: no limit)")
	fl.Float64Var(&c.startLimit.PerMinute, "starts-per-minute", c.startLimit.PerMinute, "starts one address may make per minute after the burst")
	fl.IntVar(&c.uploadLimit.Burst, "upload-burst", c.uploadLimit.Burst, "uploads one address may make at once (0: no limit)")
	fl.Float64Var(&c.uploadLimit.PerMinute, "uploads-per-minute", c.uploadLimit.PerMinute, "uploads one address may make per minute after the burst")
	fl.IntVar(&c.perAddress, "max-per-address", 0, "trainings one address may have queued, running or paused at once (default: half of -max-running + -max-queued)")
	mem := fl.String("max-memory", "", "memory budget of everything admitted at once, like 4GB or 900MB (default: 60% of the machine's or container's memory)")
	fl.Float64Var(&c.coreGFLOPS, "core-gflops", session.AssumedCoreGFLOPS(), "speed of one core assumed by the cost checks, in GFLOP/s (lower it on a slow or shared machine)")
	fl.IntVar(&c.coreMinutes, "max-core-minutes", session.DefaultMaxCoreMinutes, "most arithmetic of one training, in minutes of one core at -core-gflops")
	level := fl.String("log-level", "info", "log level: debug, info, warn or error")
	publicURL := fl.String("public-url", getenv("AELAB_PUBLIC_URL"), "the address people open, when a reverse proxy stands in front, e.g. https://lab.example.org (its origin may open streams; https makes the cookies Secure)")
	proxies := fl.String("trusted-proxy", getenv("AELAB_TRUSTED_PROXY"), "comma-separated CIDR prefixes of reverse proxies whose Forwarded / X-Forwarded-* headers are believed, e.g. 127.0.0.1/32,10.0.0.0/8")
	fl.IntVar(&c.connsPerAddr, "max-conns-per-addr", 256, "open connections one client address (IPv6: one /64) may hold; a classroom behind one router shares it")
	fl.IntVar(&c.maxConns, "max-conns", 4096, "open connections in all")
	fl.DurationVar(&c.shutdownWait, "shutdown-timeout", 5*time.Second, "how long a stop (SIGTERM, Ctrl-C) waits for trainings to save their state and viewers to be told, before it cuts them")
	fl.StringVar(&c.busURL, "bus", getenv("AELAB_BUS"), "share trainings with other replicas through this NATS server with JetStream, nats://host:4222 (env AELAB_BUS); the replicas must share one store (-store, or one -data directory on one machine). Without it everything stays in this process")
	fl.StringVar(&c.replica, "replica", getenv("AELAB_REPLICA"), "this replica's name on the bus (default: the host name and process id)")
	fl.IntVar(&c.uploadMiB, "max-upload-memory", datasets.DefaultUploadBudget>>20, "MiB of memory for uploaded datasets, in all (the least recently used are evicted to make room)")
	err := fl.Parse(args[1:])
	if err != nil {
		return c, err
	}
	if err := c.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("-log-level: %w", err)
	}
	if c.net, err = handlers.ParseNetwork(*publicURL, *proxies); err != nil {
		return c, err
	}
	if c.connsPerAddr < 1 || c.maxConns < 1 || c.uploadMiB < 1 {
		return c, errors.New("-max-conns-per-addr, -max-conns and -max-upload-memory must be at least 1")
	}
	if c.shutdownWait <= 0 || c.shutdownWait > 10*time.Minute {
		return c, fmt.Errorf("-shutdown-timeout %s: give a duration above 0 and at most 10m, such as 5s", c.shutdownWait)
	}
	if c.startLimit.Burst == 0 {
		c.startLimit.Burst = -1 // no limit
	}
	if c.uploadLimit.Burst == 0 {
		c.uploadLimit.Burst = -1
	}
	if *mem != "" {
		n, err := parseBytes(*mem)
		if err != nil {
			return c, fmt.Errorf("-max-memory: %w", err)
		}
		c.maxMemory = n
	} else {
		c.maxMemory = session.DefaultMaxMemory()
	}
	if c.coreGFLOPS <= 0 || c.coreMinutes < 1 || c.perAddress < 0 {
		return c, errors.New("-core-gflops and -max-core-minutes must be positive, -max-per-address at least 0")
	}
	if c.limits.MaxParams < 1 || c.limits.MaxWork < 1 || c.limits.MaxEpochs < 1 || c.maxRunning < 1 || c.maxQueued < 1 || c.maxFinished < 1 {
		return c, errors.New("-max-params, -max-work, -max-epochs, -max-running, -max-queued and -max-finished must be at least 1")
	}
	if c.ephemeral {
		given := false
		fl.Visit(func(f *flag.Flag) { given = given || f.Name == "max-store" })
		if !given {
			c.maxStore = defaultEphemeralStore
		}
	}
	if c.maxStore < 1<<20 {
		return c, fmt.Errorf("-max-store must be at least %d bytes (1 MiB), got %d", 1<<20, c.maxStore)
	}
	if err := checkStoreFlags(fl, c); err != nil {
		return c, err
	}
	if err := checkBusFlags(c); err != nil {
		return c, err
	}
	if fl.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q: every setting is a flag (see -help)", fl.Args())
	}
	return c, nil
}

// run starts the server and blocks until ctx ends, then shuts down
// gracefully: trainings stop and publish their final state, WebSockets get a
// close frame, and open requests finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseFlags(args, getenv, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: cfg.logLevel}))
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := datasets.NewRegistry(cfg.dataDir)
	reg.SetUploadBudget(int64(cfg.uploadMiB) << 20)
	if getenv("GOMEMLIMIT") == "" {
		// The garbage collector works harder as the heap nears the budget
		// (plus room for the datasets and the runtime) instead of letting
		// the process be killed.
		debug.SetMemoryLimit(memoryLimit(cfg.maxMemory))
	}
	bus, err := connectBus(ctx, cfg, log)
	if err != nil {
		return err
	}
	if bus != nil {
		defer bus.Close() // after the trainings have handed their jobs back
	}
	startLimiter, err := startLimiterOf(ctx, bus, cfg.startLimit, log)
	if err != nil {
		return err
	}
	cluster, err := clusterOf(ctx, bus, log)
	if err != nil {
		return err
	}
	mgr := session.NewManager(session.Options{
		Cluster:  cluster,
		Datasets: reg,
		Limits:   cfg.limits, MaxRunning: cfg.maxRunning, MaxQueued: cfg.maxQueued, MaxFinished: cfg.maxFinished, Logger: log,
		Store: st, MaxStoreBytes: cfg.maxStore,
		MaxPerAddress: cfg.perAddress, MaxMemory: cfg.maxMemory, CoreGFLOPS: cfg.coreGFLOPS, MaxCoreMinutes: cfg.coreMinutes,
		StartLimit: cfg.startLimit, UploadLimit: cfg.uploadLimit, StartLimiter: startLimiter,
	})
	log.Info("limits", "memory_budget", session.Bytes(cfg.maxMemory), "max_running", cfg.maxRunning, "max_queued", cfg.maxQueued,
		"core_gflops", cfg.coreGFLOPS, "max_core_minutes", cfg.coreMinutes)
	if err := mgr.Restore(ctx); err != nil {
		_ = mgr.Shutdown(context.Background())
		return err
	}
	mgr.ServeJobs()
	socks := handlers.NewSockets()
	comparisons := session.NewComparisonStore(mgr)
	if err := comparisons.Restore(ctx); err != nil {
		_ = mgr.Shutdown(context.Background())
		return err
	}
	classes := session.NewClassBook(mgr, session.ClassOptions{Store: st, PCA: comparisons.Baseline, Events: classEventsOf(bus), Logger: log})
	if err := classes.Restore(ctx); err != nil {
		return fmt.Errorf("restore the classes: %w", err)
	}
	srv := &http.Server{
		Addr: cfg.addr,
		Handler: handlers.NewServer(handlers.Deps{Sessions: mgr, Static: static, Logger: log, Sockets: socks, Net: cfg.net,
			Comparisons: comparisons, Classes: classes, Ready: readyChecks(st, bus), BusLag: busLag(bus)}),
		// Slow or idle clients give their connection back: headers within
		// 5 s, a body within 30 s (uploads extend it in proportion to their
		// size), and an idle keep-alive connection is closed after 30 s.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	tcp, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (choose another with -addr host:port)", cfg.addr, err)
	}
	ln := connlimit.New(tcp, cfg.connsPerAddr, cfg.maxConns)
	if len(cfg.net.TrustedProxies) > 0 {
		ln.Exempt = cfg.net.Trusts
	}
	log.Info("serving the autoencoder lab", "url", "http://"+displayAddr(ln.Addr()))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownWait)
	defer cancel()
	// Trainings first, so that their final state reaches the open sockets;
	// then the sockets say goodbye; then the plain HTTP requests finish.
	errs := []error{mgr.Shutdown(sctx), socks.Close(sctx), srv.Shutdown(sctx), classes.Close(sctx), comparisons.Close(sctx)}
	log.Info("stopped")
	return errors.Join(errs...)
}

// memoryLimit is the Go runtime's soft memory limit for a budget: the
// budget and a quarter more (at least 256 MB) for the datasets, which are
// shared and not budgeted, and the runtime itself.
func memoryLimit(budget int64) int64 { return budget + max(budget/4, 256<<20) }

// parseBytes reads a size like 4GB, 900MB, 512MiB or a plain byte count.
func parseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("%q is not a size: write it like 4GB or 900MB", s)
	}
	if n := int64(v * float64(mult)); n >= 64<<20 {
		return n, nil
	}
	return 0, fmt.Errorf("%q is too small: the budget must be at least 64MB", s)
}

func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", ta.Port)
	}
	return a.String()
}
