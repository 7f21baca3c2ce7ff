package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// proc is one process of the stack, its output in a log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// start runs name's argv with env added to a minimal environment, logging
// to dir/name.log. The kernel kills it if this program dies (Pdeathsig).
func start(dir, name string, env []string, argv ...string) (*proc, error) {
	f, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig and waits up to within for the process to end (then
// kills it); it returns how long the stop took.
func (p *proc) stop(sig syscall.Signal, within time.Duration) time.Duration {
	t0 := time.Now()
	if p.exited() {
		return 0
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(within):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return time.Since(t0)
}

// waitHealthy runs check (a compose health check, as a command here)
// every 100 ms until it succeeds, p exits, or within passes; it returns
// when it first succeeded.
func waitHealthy(ctx context.Context, p *proc, check []string, within time.Duration) (time.Duration, error) {
	t0 := time.Now()
	for {
		c := exec.CommandContext(ctx, check[0], check[1:]...)
		if c.Run() == nil {
			return time.Since(t0), nil
		}
		if p != nil && p.exited() {
			return 0, fmt.Errorf("%s exited before its health check passed: %v (see %s.log)", p.name, p.err, p.name)
		}
		if time.Since(t0) > within {
			return 0, fmt.Errorf("health check %q did not pass within %s", check, within)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ps []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ps = append(ps, l.Addr().(*net.TCPAddr).Port)
	}
	return ps, nil
}

// asPostgres runs argv as the postgres user when this program runs as root
// (PostgreSQL refuses root), as .ci/postgres.sh does.
func asPostgres(argv ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		argv = append([]string{"runuser", "-u", "postgres", "--"}, argv...)
	}
	return exec.Command(argv[0], argv[1:]...)
}

// chownPostgres gives path to the postgres user when running as root.
func chownPostgres(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("no postgres user (install Debian's postgresql): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(path, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	})
}
