package datasets

import (
	"fmt"
	"sync"
)

// cache loads each key at most once at a time and keeps successful results.
// Concurrent callers of the same key wait for one load and share its result;
// a failed load (an error or a panic) is reported to everyone waiting for it
// and forgotten, so the next caller tries again.
type cache struct {
	mu sync.Mutex
	m  map[string]*flight
}

// flight is one load: done is closed when ds and err are set.
type flight struct {
	done chan struct{}
	ds   *Dataset
	err  error
}

// get returns the cached dataset for key, or runs load to make it.
func (c *cache) get(key string, load func() (*Dataset, error)) (*Dataset, error) {
	c.mu.Lock()
	if f, ok := c.m[key]; ok {
		c.mu.Unlock()
		<-f.done
		return f.ds, f.err
	}
	if c.m == nil {
		c.m = make(map[string]*flight)
	}
	f := &flight{done: make(chan struct{})}
	c.m[key] = f
	c.mu.Unlock()

	f.ds, f.err = safeLoad(key, load)
	if f.err != nil {
		c.mu.Lock()
		if c.m[key] == f {
			delete(c.m, key)
		}
		c.mu.Unlock()
	}
	close(f.done)
	return f.ds, f.err
}

// peek returns the dataset for key if it has been loaded successfully.
func (c *cache) peek(key string) (*Dataset, bool) {
	c.mu.Lock()
	f, ok := c.m[key]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	select {
	case <-f.done:
		return f.ds, f.err == nil
	default:
		return nil, false
	}
}

// forget drops a finished entry so that its memory can be reclaimed once no
// caller holds it; an entry still loading is kept.
func (c *cache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.m[key]; ok {
		select {
		case <-f.done:
			delete(c.m, key)
		default:
		}
	}
}

// safeLoad runs load, turning a panic into an error.
func safeLoad(key string, load func() (*Dataset, error)) (ds *Dataset, err error) {
	defer func() {
		if p := recover(); p != nil {
			ds, err = nil, fmt.Errorf("loading dataset %q: panic: %v", key, p)
		}
	}()
	ds, err = load()
	if err == nil && ds == nil {
		err = fmt.Errorf("loading dataset %q: no data", key)
	}
	return ds, err
}
