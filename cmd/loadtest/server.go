package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// moduleRoot returns dir if set, else the directory of the go.mod that
// `go env GOMOD` finds from the working directory.
func moduleRoot(ctx context.Context, dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			return "", fmt.Errorf("-root %s: %w", dir, err)
		}
		return filepath.Abs(dir)
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the aelab module: run from its checkout or pass -root")
	}
	return filepath.Dir(mod), nil
}

// buildServer compiles the server at root into dir and returns the binary.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "aelab")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out.String())
	}
	return bin, nil
}

// server is one running aelab process listening on loopback.
type server struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	logPath string
	exited  chan struct{} // closed when the process has exited
	waitErr error         // valid once exited is closed
	exitAt  time.Time     // valid once exited is closed
	once    sync.Once
}

var urlRE = regexp.MustCompile(`\burl=(http://[^\s"]+)`)

// parseServeURL finds the address the server logs when it starts
// ("… url=http://127.0.0.1:1234") and checks that it is a loopback one.
func parseServeURL(line string) (string, bool, error) {
	m := urlRE.FindStringSubmatch(line)
	if m == nil {
		return "", false, nil
	}
	u, err := url.Parse(m[1])
	if err != nil {
		return "", true, err
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() || u.Port() == "" {
		return "", true, fmt.Errorf("server listens on %q, not a loopback address", u.Host)
	}
	return "http://" + u.Host, true, nil
}

// startServer runs bin on a free loopback port with the extra flags, waits
// for its address and for /healthz, and returns it. Its output goes to
// logPath. The process is killed if this program dies (Pdeathsig).
func startServer(ctx context.Context, bin, logPath string, extra []string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"-addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "PORT=")
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	urlc := make(chan string, 1)
	errc := make(chan error, 1)
	// Copy the log to the file, looking for the address on the way.
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		found := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if !found {
				if u, ok, err := parseServeURL(line); ok {
					found = true
					if err != nil {
						errc <- err
					} else {
						urlc <- u
					}
				}
			}
		}
		_, _ = io.Copy(logf, stdout)
	}()
	go func() {
		<-copied // Wait must follow the last read of the pipe
		s.waitErr = cmd.Wait()
		s.exitAt = time.Now()
		logf.Close()
		close(s.exited)
	}()
	fail := func(err error) (*server, error) {
		s.kill()
		return nil, fmt.Errorf("%w (server log: %s)", err, logPath)
	}
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case s.base = <-urlc:
	case err := <-errc:
		return fail(err)
	case <-s.exited:
		return fail(fmt.Errorf("the server exited at once: %v", s.waitErr))
	case <-timer.C:
		return fail(errors.New("the server did not log its address within 30 s"))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	if err := s.waitHealthy(ctx, 30*time.Second); err != nil {
		return fail(err)
	}
	return s, nil
}

// waitHealthy polls /healthz until it answers 200.
func (s *server) waitHealthy(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	c := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/healthz", nil)
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/healthz answered %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("server not healthy: %v", last)
		case <-s.exited:
			return fmt.Errorf("the server exited: %v", s.waitErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// signal sends sig to the process unless it has exited.
func (s *server) signal(sig os.Signal) error {
	select {
	case <-s.exited:
		return errors.New("the server has already exited")
	default:
	}
	return s.cmd.Process.Signal(sig)
}

// kill ends the process (if still running) and waits for it; it is safe to
// call more than once and on every exit path.
func (s *server) kill() {
	s.once.Do(func() {
		select {
		case <-s.exited:
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(6 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// procStatusKB reads a "Key:  123 kB" field of /proc/<pid>/status.
func procStatusKB(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", key, pid)
}

// peakRSS is the server's high-water mark of resident memory (VmHWM).
func (s *server) peakRSS() (int64, error) {
	kb, err := procStatusKB(s.pid(), "VmHWM")
	return kb << 10, err
}

// cpuTime is the CPU time (user + system) that process pid has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from after ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks, nil
}

// runDelay is how long the threads of process pid have waited, runnable,
// for a CPU (the second field of /proc/<pid>/task/*/schedstat): the time
// the machine's other load took from it.
func runDelay(pid int) (time.Duration, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread has exited
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			continue
		}
		ns, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return 0, err
		}
		sum += ns
	}
	return time.Duration(sum), nil
}
