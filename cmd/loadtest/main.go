// Command loadtest builds the aelab server, starts it on a loopback port and
// puts it under the load of a class (docs: issue 5): thirty concurrent
// trainings each watched by a viewer, a class of sixty students with thirty
// trainings and the teacher's dashboard open, one training watched by two hundred
// viewers, and a shutdown with trainings running and sockets open. It prints
// a Markdown table of what it measured and exits non-zero when a bar is
// missed.
//
//	go run ./cmd/loadtest            # from the module root, a few minutes
//	go run ./cmd/loadtest -help      # sizes, rates and limits
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	root       string
	bin        string
	timeout    time.Duration
	scenarios  []string
	maxMemory  string
	startBurst int
	keep       bool
	gapsCSV    string

	classSessions, classTrain, classEpochs int
	sampleRate                             float64
	classMaxRSS                            float64 // MB (10⁶ bytes)

	lessonStudents, lessonRunning, lessonTrain, lessonEpochs, lessonPairs int
	lessonMaxMessage                                                      int // bytes
	lessonMinRatio                                                        float64

	audienceViewers, audienceTrain, audienceEpochs, audienceRounds int
	minThroughput                                                  float64

	shutdownSessions, shutdownSockets, shutdownTrain, shutdownEpochs int
	shutdownWithin                                                   time.Duration

	clusterRuns, clusterTrain, clusterEpochs int
}

var allScenarios = []string{"class", "lesson", "audience", "shutdown"}

// extraScenarios run only when -scenarios names them.
var extraScenarios = []string{"cluster"}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fl := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o options
	fl.StringVar(&o.root, "root", "", "module root of aelab (default: found with `go env GOMOD`)")
	fl.StringVar(&o.bin, "bin", "", "use this server binary instead of building one (e.g. a build with profiling)")
	fl.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long in all")
	only := fl.String("scenarios", strings.Join(allScenarios, ","), "scenarios to run, comma-separated: "+strings.Join(allScenarios, ", ")+" (the default), "+strings.Join(extraScenarios, ", "))
	fl.IntVar(&o.startBurst, "start-burst", -1, "pass -start-burst to the server (-1: keep its default, which a class must not hit)")
	fl.StringVar(&o.maxMemory, "max-memory", "", "pass -max-memory to the server, like 400MB (default: keep its default)")
	fl.BoolVar(&o.keep, "keep", false, "keep the temporary directory (server binary and logs)")
	fl.StringVar(&o.gapsCSV, "gaps-csv", "", "class: write every wait between two progress messages to this CSV file (for diagnosis)")
	fl.IntVar(&o.classSessions, "class-sessions", 30, "class: concurrent trainings, each with one viewer")
	fl.IntVar(&o.classTrain, "class-train", 10000, "class: training examples per session")
	fl.IntVar(&o.classEpochs, "class-epochs", 4, "class: epochs per session")
	fl.Float64Var(&o.sampleRate, "sample-rate", 20, "class: requests per second to each of GET / and GET /api/sessions/{id}")
	fl.Float64Var(&o.classMaxRSS, "class-max-rss", 400, "class: bar for the server's peak resident memory, in MB (10⁶ bytes)")
	fl.IntVar(&o.lessonStudents, "lesson-students", 60, "lesson: students who join the class by its code")
	fl.IntVar(&o.lessonRunning, "lesson-running", 30, "lesson: students who each start a training at once and watch it")
	fl.IntVar(&o.lessonTrain, "lesson-train", 10000, "lesson: training examples per run")
	fl.IntVar(&o.lessonEpochs, "lesson-epochs", 4, "lesson: epochs per run")
	fl.IntVar(&o.lessonPairs, "lesson-pairs", 2, "lesson: pairs of lessons without and with the dashboard (each on a fresh server; order without, with, with, without, …)")
	fl.IntVar(&o.lessonMaxMessage, "lesson-max-message", 64<<10, "lesson: bar for the size of every dashboard message, in bytes (below it)")
	fl.Float64Var(&o.lessonMinRatio, "lesson-min-ratio", 0.95, "lesson: bar for training throughput with the dashboard ÷ without")
	fl.IntVar(&o.audienceViewers, "audience-viewers", 200, "audience: viewers of the one training")
	fl.IntVar(&o.audienceTrain, "audience-train", 10000, "audience: training examples")
	fl.IntVar(&o.audienceEpochs, "audience-epochs", 100, "audience: epochs")
	fl.IntVar(&o.audienceRounds, "audience-rounds", 3, "audience: trainings with viewers, each between two without (noise on a shared machine averages out)")
	fl.Float64Var(&o.minThroughput, "audience-min-ratio", 0.90, "audience: bar for throughput with viewers ÷ without")
	fl.IntVar(&o.shutdownSessions, "shutdown-sessions", 30, "shutdown: trainings running at SIGTERM")
	fl.IntVar(&o.shutdownSockets, "shutdown-sockets", 100, "shutdown: WebSockets open at SIGTERM")
	fl.IntVar(&o.shutdownTrain, "shutdown-train", 20000, "shutdown: training examples per session (enough not to finish)")
	fl.IntVar(&o.shutdownEpochs, "shutdown-epochs", 50, "shutdown: epochs per session")
	fl.DurationVar(&o.shutdownWithin, "shutdown-within", 5*time.Second, "shutdown: bar for SIGTERM → exit")
	fl.IntVar(&o.clusterRuns, "cluster-runs", 6, "cluster: runs started through replica 1 of three, each watched from every replica")
	fl.IntVar(&o.clusterTrain, "cluster-train", 10000, "cluster: training examples per run")
	fl.IntVar(&o.clusterEpochs, "cluster-epochs", 3, "cluster: epochs per run")
	if err := fl.Parse(args[1:]); err != nil {
		return o, err
	}
	if fl.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	for s := range strings.SplitSeq(*only, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(allScenarios, s) && !slices.Contains(extraScenarios, s) {
			return o, fmt.Errorf("-scenarios: unknown scenario %q (choose from %s)", s, strings.Join(append(slices.Clone(allScenarios), extraScenarios...), ", "))
		}
		o.scenarios = append(o.scenarios, s)
	}
	if o.classSessions < 1 || o.audienceViewers < 1 || o.shutdownSessions < 1 || o.shutdownSockets < o.shutdownSessions ||
		o.lessonRunning < 1 || o.lessonStudents < o.lessonRunning || o.lessonTrain < 1 || o.lessonEpochs < 1 || o.lessonPairs < 1 || o.lessonMaxMessage < 1 ||
		!(o.lessonMinRatio > 0) ||
		o.clusterRuns < 1 || o.clusterTrain < 1 || o.clusterEpochs < 1 ||
		o.classTrain < 1 || o.classEpochs < 1 || !(o.classMaxRSS > 0) || o.audienceTrain < 1 || o.audienceEpochs < 1 || o.audienceRounds < 1 || o.shutdownTrain < 1 || o.shutdownEpochs < 1 {
		return o, errors.New("sizes must be at least 1, -class-max-rss and -lesson-min-ratio above 0, -lesson-students at least -lesson-running, and -shutdown-sockets at least -shutdown-sessions")
	}
	return o, nil
}

// env is what every scenario shares: the server binary and where logs go.
type env struct {
	bin, dir string
	extra    []string // flags for every server
	logs     []string
}

// start runs a fresh server whose log is named after the scenario, with a
// store of its own in the temporary directory: runs of earlier load tests
// (or of the user's own server) are neither restored into it nor touched.
func (e *env) start(ctx context.Context, name string) (*server, error) {
	p := filepath.Join(e.dir, name+".log")
	e.logs = append(e.logs, p)
	return startServer(ctx, e.bin, p, append([]string{"-data", filepath.Join(e.dir, name+"-data")}, e.extra...))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	root, err := moduleRoot(ctx, o.root)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "aelab-loadtest-")
	if err != nil {
		return err
	}
	keep := o.keep
	defer func() {
		if keep {
			fmt.Fprintln(stderr, "loadtest: binary and server logs kept in", dir)
			return
		}
		os.RemoveAll(dir)
	}()
	bin := o.bin
	if bin == "" {
		fmt.Fprintln(stderr, "loadtest: building the server in", root)
		if bin, err = buildServer(ctx, root, dir); err != nil {
			return err
		}
	}
	e := &env{bin: bin, dir: dir}
	if o.startBurst >= 0 {
		e.extra = append(e.extra, "-start-burst", fmt.Sprint(o.startBurst))
	}
	if o.maxMemory != "" {
		e.extra = append(e.extra, "-max-memory", o.maxMemory)
	}
	rep := &report{header: []string{fmt.Sprintf("Load test (`go run ./cmd/loadtest`) of %s on %d CPUs (%s/%s, %s), %s.",
		revision(ctx, root), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 MST"))}}
	scenarios := map[string]func(context.Context, *env, options, *report) error{
		"class": classScenario, "lesson": lessonScenario, "audience": audienceScenario, "shutdown": shutdownScenario, "cluster": clusterScenario,
	}
	var errs []error
	for _, name := range o.scenarios {
		fmt.Fprintf(stderr, "loadtest: scenario %s…\n", name)
		start := time.Now()
		if err := scenarios[name](ctx, e, o, rep); err != nil {
			errs = append(errs, fmt.Errorf("scenario %s: %w", name, err))
			rep.note("scenario %s could not finish: %v", name, err)
		}
		fmt.Fprintf(stderr, "loadtest: scenario %s took %.1f s\n", name, time.Since(start).Seconds())
		if ctx.Err() != nil {
			break
		}
	}
	rep.markdown(stdout)
	if m := rep.missed(); len(m) > 0 {
		names := make([]string, len(m))
		for i, x := range m {
			names[i] = x.scenario + ": " + x.metric
		}
		errs = append(errs, fmt.Errorf("%d bar(s) missed: %s", len(m), strings.Join(names, "; ")))
	}
	if len(errs) > 0 {
		keep = true
	}
	return errors.Join(errs...)
}

// revision names the checkout under test ("commit abc1234" or "commit
// abc1234 with local changes"); "" when git cannot tell.
func revision(ctx context.Context, root string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "aelab"
	}
	s := "aelab at commit " + strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		s += " (with local changes)"
	}
	return s
}
