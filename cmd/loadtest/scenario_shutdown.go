package main

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// shutdownScenario: SIGTERM while a class is training and watching. The
// server must exit within the bar, every socket must get a close frame and
// every training must end stopped.
func shutdownScenario(ctx context.Context, e *env, o options, rep *report) error {
	const sc = "shutdown"
	srv, err := e.start(ctx, sc)
	if err != nil {
		return err
	}
	defer srv.kill()
	a := newAPI(srv.base)
	defer a.close()

	n := o.shutdownSessions
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := a.create(ctx, aeS(o.shutdownTrain, o.shutdownEpochs, i+1))
			ids[i], errs[i] = c.ID, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("starting training %d of %d: %w", i+1, n, err)
		}
	}
	socketIDs := make([]string, o.shutdownSockets)
	for i := range socketIDs {
		socketIDs[i] = ids[i%n]
	}
	vctx, cancel := context.WithCancel(ctx)
	defer cancel()
	viewers, done := runViewers(vctx, srv.base, socketIDs)
	defer func() { cancel(); <-done }()

	// Every socket live (it has seen its training run and make progress)
	// and every training running.
	lctx, lcancel := context.WithTimeout(ctx, 60*time.Second)
	defer lcancel()
	if err := waitAll(lctx, viewers, func(v *viewer) <-chan struct{} { return v.live }); err != nil {
		return fmt.Errorf("waiting for every socket to see progress: %w", err)
	}
	running := 0
	for _, id := range ids {
		if in, err := a.session(lctx, id); err == nil && in.State == "running" {
			running++
		}
	}
	rss, _ := srv.peakRSS()
	a.close()

	sent := time.Now()
	if err := srv.signal(syscall.SIGTERM); err != nil {
		return err
	}
	exited := true
	select {
	case <-srv.exited:
	case <-time.After(o.shutdownWithin + 15*time.Second):
		exited = false
		srv.kill()
	}
	took := srv.exitAt.Sub(sent)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cancel() // viewers still reading after the server is gone: end them
		<-done
	}

	// What each socket saw.
	closes := map[int]int{}
	closed, stopped := 0, 0
	stoppedSessions := map[string]bool{}
	for _, id := range ids {
		stoppedSessions[id] = true
	}
	var lastClose time.Time
	for i, v := range viewers {
		closes[v.closeCode]++
		if v.closeCode == 1000 || v.closeCode == 1001 {
			closed++
		} else if v.err != nil && closed+stopped < 3 {
			rep.note("shutdown: socket %d: %v", i, v.err)
		}
		if v.finalStateMsg == "stopped" && v.state == "stopped" {
			stopped++
		} else {
			stoppedSessions[socketIDs[i]] = false
		}
		if v.endAt.After(lastClose) {
			lastClose = v.endAt
		}
	}
	nStopped := 0
	for _, ok := range stoppedSessions {
		if ok {
			nStopped++
		}
	}
	exit := "0"
	if srv.waitErr != nil {
		exit = srv.waitErr.Error()
	}
	value := fmt.Sprintf("%.2f s", took.Seconds())
	if !exited {
		value = fmt.Sprintf("did not exit within %v (killed)", o.shutdownWithin+15*time.Second)
	}
	m := len(viewers)
	rep.info(sc, "load at SIGTERM", "%d/%d trainings running (AE-S, %d examples × %d epochs), %d WebSockets live", running, n, o.shutdownTrain, o.shutdownEpochs, m)
	rep.check(sc, "SIGTERM → process exit", value, fmt.Sprintf("< %v", o.shutdownWithin), exited && took < o.shutdownWithin)
	rep.check(sc, "exit status", exit, "0", srv.waitErr == nil)
	if !lastClose.IsZero() {
		rep.info(sc, "SIGTERM → last final state received", "%.2f s", lastClose.Sub(sent).Seconds())
	}
	rep.check(sc, "sockets that got a close frame", fmt.Sprintf("%d/%d (codes %s)", closed, m, fmtCodes(closes)), fmt.Sprintf("%d/%d", m, m), closed == m)
	rep.check(sc, "sockets whose last state was stopped", fmt.Sprintf("%d/%d", stopped, m), fmt.Sprintf("%d/%d", m, m), stopped == m)
	rep.check(sc, "sessions seen stopped by all their sockets", fmt.Sprintf("%d/%d", nStopped, n), fmt.Sprintf("%d/%d", n, n), nStopped == n)
	rep.info(sc, "server peak RSS (VmHWM)", "%s", mib(rss))
	return nil
}
