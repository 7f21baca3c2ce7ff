package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sampler measures the latency of GET requests at a fixed rate while it
// runs. It is open-loop: a request goes out every 1/rate seconds whether or
// not the previous ones have answered (up to maxInFlight at once; beyond
// that the tick is counted as skipped), so a slow server cannot hide its
// slowness by slowing the sampling down.
type sampler struct {
	c           *http.Client
	base        string
	rate        float64
	maxInFlight int
	paths       func(i int) string // the path of the i-th request

	lat     latencies
	skipped atomic.Int64
}

func newSampler(base string, rate float64, paths func(int) string) *sampler {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &sampler{c: &http.Client{Timeout: 10 * time.Second, Transport: tr}, base: base, rate: rate,
		maxInFlight: 64, paths: paths}
}

// run samples until ctx ends, then waits for the requests in flight.
func (s *sampler) run(ctx context.Context) {
	if s.rate <= 0 {
		return
	}
	defer s.c.CloseIdleConnections()
	tick := time.NewTicker(time.Duration(float64(time.Second) / s.rate))
	defer tick.Stop()
	sem := make(chan struct{}, s.maxInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case sem <- struct{}{}:
		default:
			s.skipped.Add(1)
			continue
		}
		wg.Add(1)
		go func(path string) {
			defer wg.Done()
			defer func() { <-sem }()
			s.get(path)
		}(s.paths(i))
	}
}

// get times one request, including reading the whole body. Requests are not
// tied to the sampling context, so that the ones in flight when it ends
// still complete (each has the client's timeout).
func (s *sampler) get(path string) {
	start := time.Now()
	resp, err := s.c.Get(s.base + path)
	if err != nil {
		s.lat.fail(err)
		return
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	switch {
	case err != nil:
		s.lat.fail(err)
	case resp.StatusCode != http.StatusOK:
		s.lat.fail(fmt.Errorf("GET %s: %s", path, resp.Status))
	default:
		s.lat.add(d)
	}
}
