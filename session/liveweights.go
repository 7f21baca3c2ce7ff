package session

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/aelab/aelab/ae"
)

// Live weights across replicas. The views that run a model (decode,
// reconstruct, the manifold, generate, the model download, …) of a run
// that another replica trains are computed here, on the replica the viewer
// asked, admitted by this replica's door as any view. Their weights are
// fetched from the training replica (request "weights" on the run's
// relay), in chunks that fit a bus message, a fresh copy shared by every
// view of the run on this replica for liveFresh. If the training replica
// does not answer in time (or none trains the run), the views run on the
// run's latest checkpoint in the store, marked as such (Weights.Checkpoint).

// Bounds of the weights fetched from a training replica.
const (
	// weightsChunk is the most weights one answer carries: 128 Ki float32,
	// 512 KiB (about 700 kB in JSON's base64), under NATS's default
	// maximum payload of 1 MB.
	weightsChunk = 128 << 10
	// liveFresh is how long fetched weights serve the views of a run
	// before the next view fetches them again (one fetch for all its
	// viewers on this replica).
	liveFresh = 500 * time.Millisecond
	// checkpointFresh is how long, after the training replica failed to
	// answer, the views run on the checkpoint before it is asked again.
	checkpointFresh = 2 * time.Second
	// freshWait bounds how long the training replica waits for its
	// trainer's next copy of the weights (taken at most every snapEvery).
	freshWait = time.Second
	// maxFetches bounds the fetches one replica runs at once (the views
	// of one run share one fetch).
	maxFetches = 2
	// maxServesPerRun and maxServes bound the answers about weights a
	// training replica computes at once, for one run and in all; beyond
	// them a request is refused at once (the asker falls back on the
	// run's checkpoint).
	maxServesPerRun = 2
	maxServes       = 4
	// serveWait bounds how long an answer waits for its CPU turn.
	serveWait = time.Second
)

var (
	// liveFetchWait bounds one fetch of all the chunks.
	liveFetchWait = 3 * time.Second
	// servedKeep is how long the training replica keeps the bytes of the
	// weights it serves, for the chunks that follow the first.
	servedKeep = 10 * time.Second
)

// Weights is a snapshot of a session's weights for a view, and where they
// come from.
type Weights struct {
	Snap *ae.Snapshot
	// Checkpoint is set when the session is trained by another replica
	// that did not answer in time: Snap holds the weights of the run's
	// latest checkpoint in the store (an epoch's end), not its live ones.
	Checkpoint bool
}

// WeightsChunk is part of the weights of a run, as the bus carries them
// (RunReply.Weights).
type WeightsChunk struct {
	// Version names the copy of the weights the chunk is taken from; the
	// chunks after the first ask for it (RunRequest.Version).
	Version uint64 `json:"version"`
	Step    int    `json:"step"`  // training steps of the weights
	Total   int    `json:"total"` // weights in all
	Offset  int    `json:"offset"`
	// Data is weights from Offset, as little-endian float32.
	Data []byte `json:"data"`
}

// errWeightsGone is the answer to a chunk of a copy no longer kept.
const errWeightsGone = "the copy of the weights asked for is no longer kept; ask again from the start"

// weightsServer is the training replica's side: it answers the "weights"
// requests about one run it trains, each admitted by the door (answer).
type weightsServer struct {
	m    *Manager
	s    *Session
	mu   sync.Mutex
	busy int // answers under way
	next uint64
	kept [2]servedWeights // the latest copy served and the one before
}

type servedWeights struct {
	ver  uint64
	sn   *ae.Snapshot
	data []byte
	at   time.Time
	free func() // gives back the copy's bytes of the memory budget
}

// weightsServer returns the server of the weights of ns, which this
// replica trains.
func (m *Manager) weightsServer(ns *Session) *weightsServer {
	return &weightsServer{m: m, s: ns}
}

// answer answers one request: with Version 0, the first chunk of a fresh
// copy; else the chunk at Offset of the copy Version. It is work admitted
// by the door like a view: counted for Shutdown, at most maxServesPerRun
// for the run and maxServes in all at once; a fresh copy is encoded in a
// CPU turn and its bytes are reserved in the memory budget for as long
// as it is kept; a chunk of a kept copy reserves the bytes of its answer.
// Everything is given back by defer, a panic included.
func (w *weightsServer) answer(ctx context.Context, r RunRequest) RunReply {
	if r.Offset < 0 || (r.Version == 0 && r.Offset != 0) {
		return RunReply{Error: toWire(Errorf(EInvalid, "offset %d is outside the weights", r.Offset))}
	}
	m := w.m
	done, err := m.track()
	if err != nil {
		return RunReply{Error: toWire(err)}
	}
	defer done()
	leave, err := w.enter()
	if err != nil {
		return RunReply{Error: toWire(err)}
	}
	defer leave()
	var sw servedWeights
	if r.Version == 0 {
		// The trainer makes the fresh copy in its own turn: wait for it
		// before taking one.
		sn, err := w.s.freshSnapshot(ctx)
		if err != nil {
			return RunReply{Error: toWire(err)}
		}
		// A CPU turn to encode it; its bytes are reserved by serve, for
		// as long as the copy is kept.
		err = m.Do(ctx, Work{Kind: WorkWeights, Wait: serveWait}, func(context.Context) (serr error) {
			sw, serr = w.serve(sn)
			return serr
		})
		if err != nil {
			return RunReply{Error: toWire(err)}
		}
	} else {
		w.mu.Lock()
		for _, k := range w.kept {
			if k.ver == r.Version && time.Since(k.at) < servedKeep {
				sw = k
			}
		}
		w.mu.Unlock()
		if sw.sn == nil {
			return RunReply{Error: toWire(Errorf(EConflict, errWeightsGone))}
		}
	}
	total := len(sw.data) / 4
	if r.Offset >= total {
		return RunReply{Error: toWire(Errorf(EInvalid, "offset %d is outside the %d weights", r.Offset, total))}
	}
	end := min(total, r.Offset+weightsChunk)
	// The answer's bytes, while it is made (the chunk is a slice of the
	// kept copy; its JSON is about 4/3 of it).
	free, _, err := m.reserve(Work{Kind: WorkWeights}, 2*4*int64(end-r.Offset))
	if err != nil {
		return RunReply{Error: toWire(err)}
	}
	defer free()
	return RunReply{Weights: &WeightsChunk{Version: sw.ver, Step: sw.sn.Steps(), Total: total, Offset: r.Offset,
		Data: sw.data[4*r.Offset : 4*end]}}
}

// enter takes one of the run's and the server's places for an answer, or
// says why not.
func (w *weightsServer) enter() (func(), error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy >= maxServesPerRun {
		return nil, Errorf(EUnavailable, "the weights of session %s are being sent to %d servers already; try again in a moment", w.s.id, maxServesPerRun)
	}
	select {
	case w.m.serving <- struct{}{}:
	default:
		return nil, Errorf(EUnavailable, "this server is sending the weights of %d runs already; try again in a moment", maxServes)
	}
	w.busy++
	return func() {
		<-w.m.serving
		w.mu.Lock()
		w.busy--
		w.mu.Unlock()
	}, nil
}

// serve returns the served copy of sn, encoding it the first time, with
// its bytes reserved in the memory budget until it is let go: replaced by
// a newer copy and that one by another, or servedKeep after it was last
// served.
func (w *weightsServer) serve(sn *ae.Snapshot) (servedWeights, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	time.AfterFunc(servedKeep, w.sweep)
	if k := &w.kept[0]; k.sn == sn {
		k.at = time.Now()
		return *k, nil
	}
	params := sn.Params()
	free, _, err := w.m.reserve(Work{Kind: WorkWeights}, 4*int64(len(params)))
	if err != nil {
		return servedWeights{}, err
	}
	data := make([]byte, 4*len(params))
	for i, v := range params {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	w.next++
	w.kept[1].let()
	w.kept[1] = w.kept[0]
	w.kept[0] = servedWeights{ver: w.next, sn: sn, data: data, at: time.Now(), free: free}
	return w.kept[0], nil
}

// sweep lets go of the copies not served for servedKeep.
func (w *weightsServer) sweep() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.kept {
		if w.kept[i].sn != nil && time.Since(w.kept[i].at) >= servedKeep {
			w.kept[i].let()
			w.kept[i] = servedWeights{}
		}
	}
}

// let gives the copy's bytes back to the memory budget.
func (sw *servedWeights) let() {
	if sw.free != nil {
		sw.free()
		sw.free = nil
	}
}

// freshSnapshot returns a copy of the weights as they are now: while the
// training runs it asks the trainer for a new copy and waits for it (up to
// freshWait); paused or ended, the latest copy is the weights.
func (s *Session) freshSnapshot(ctx context.Context) (*ae.Snapshot, error) {
	old := s.snap.Load()
	if s.State() == Running {
		s.wantSnap.Store(true)
		ctx, cancel := context.WithTimeout(ctx, freshWait)
		defer cancel()
		for s.snap.Load() == old && s.State() == Running {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Millisecond):
				continue
			}
			break
		}
	}
	if sn := s.snap.Load(); sn != nil {
		return sn, nil
	}
	return nil, Errorf(EUnavailable, "the model of session %s is not ready yet; try again in a moment", s.id)
}

// mirrorWeights are the weights a mirror's views run on.
type mirrorWeights struct {
	Weights
	at time.Time // when they were had
}

func (w *mirrorWeights) fresh(now time.Time) bool {
	if w == nil {
		return false
	}
	if w.Checkpoint {
		return now.Sub(w.at) < checkpointFresh
	}
	return now.Sub(w.at) < liveFresh
}

// forgetWeights makes the next view of the mirror fetch its weights again
// (the run moved to another replica, or its replica stopped).
func (rr *remoteRun) forgetWeights() {
	rr.wmu.Lock()
	rr.weights = nil
	rr.wmu.Unlock()
}

// remoteWeights returns the weights of a run another replica trains: a
// copy fetched from that replica at most liveFresh ago, one fetch at a
// time for all the views of the run here (those that wait for it share
// its answer, its error included); its latest checkpoint if the training
// replica does not answer in time.
func (s *Session) remoteWeights(ctx context.Context) (Weights, error) {
	rr := s.remote
	rr.wmu.Lock()
	if w := rr.weights; w.fresh(time.Now()) {
		rr.wmu.Unlock()
		return w.Weights, nil
	}
	f := rr.fetching
	if f == nil {
		// The fetch is counted for Shutdown, which waits for it (its
		// context ends with the manager's).
		done, err := rr.m.track()
		if err != nil {
			rr.wmu.Unlock()
			return Weights{}, err
		}
		f = &weightsFetch{done: make(chan struct{})}
		rr.fetching = f
		prev := rr.weights
		// The fetch is shared by every view waiting: it lasts its own
		// time, not the first caller's.
		go func() {
			defer done()
			w, err := s.fetchWeights(prev)
			rr.wmu.Lock()
			rr.fetching = nil
			if err == nil {
				rr.weights = w
				s.snap.Store(w.Snap)
			}
			f.w, f.err = w, err
			close(f.done)
			rr.wmu.Unlock()
		}()
	}
	rr.wmu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return Weights{}, f.err
		}
		return f.w.Weights, nil
	case <-ctx.Done():
		return Weights{}, Errorf(EUnavailable, "the model of session %s is not ready yet; try again in a moment", s.id)
	}
}

// weightsFetch is one fetch of a mirror's weights under way; w and err
// are set when done is closed.
type weightsFetch struct {
	done chan struct{}
	w    *mirrorWeights
	err  error
}

// fetchWeights has the weights of the run from its training replica, else
// from its latest checkpoint (prev, when it is one read less than
// mirrorSnapEvery ago, or the store).
func (s *Session) fetchWeights(prev *mirrorWeights) (*mirrorWeights, error) {
	m := s.remote.m
	ds := s.ds.Load()
	if ds == nil {
		var err error
		if ds, err = m.reg.Load(s.cfg.Dataset, s.cfg.Seed); err != nil {
			return nil, fmt.Errorf("could not load dataset %q: %v", s.cfg.Dataset, err)
		}
		s.ds.Store(ds)
	}
	cfg := aeConfig(s.cfg, ds.Features)
	ctx, cancel := context.WithTimeout(m.base, liveFetchWait)
	defer cancel()
	// Admitted by the door: the bytes received and the copy made of them
	// count in the memory budget while they are fetched; at most
	// maxFetches at once.
	select {
	case m.fetches <- struct{}{}:
		defer func() { <-m.fetches }()
	case <-ctx.Done():
		return nil, Errorf(EUnavailable, "the server is busy fetching weights; try again in a moment")
	}
	leave, _, err := m.reserve(Work{Kind: WorkView}, 8*int64(cfg.NumParams()))
	if err != nil {
		return nil, err
	}
	defer leave()
	sn, err := s.askWeights(ctx, cfg)
	if err == nil {
		return &mirrorWeights{Weights: Weights{Snap: sn}, at: time.Now()}, nil
	}
	if !errors.Is(err, ErrNoTrainer) {
		m.log.Warn("bus: a run's live weights could not be had; its views run on its checkpoint", "session", s.id, "err", err)
	}
	if prev != nil && prev.Checkpoint && time.Since(prev.at) < mirrorSnapEvery {
		return &mirrorWeights{Weights: prev.Weights, at: time.Now()}, nil
	}
	sctx, scancel := context.WithTimeout(m.base, reloadTimeout)
	defer scancel()
	sn, err = s.checkpointWeights(sctx, cfg)
	if err != nil {
		return nil, err
	}
	return &mirrorWeights{Weights: Weights{Snap: sn, Checkpoint: true}, at: time.Now()}, nil
}

// askWeights fetches the weights of the run, chunk after chunk, from the
// replica that trains it; once again from the start if that replica
// forgot the copy on the way.
func (s *Session) askWeights(ctx context.Context, cfg ae.Config) (*ae.Snapshot, error) {
	relay := s.remote.m.opt.Cluster.Relay
	if relay == nil {
		return nil, ErrNoTrainer
	}
	want := cfg.NumParams()
	for try := 0; ; try++ {
		params := make([]float32, want)
		var ver uint64
		step, off := 0, 0
		for off < want {
			rep, err := relay.Ask(ctx, s.id, RunRequest{Action: "weights", Version: ver, Offset: off})
			if err != nil {
				return nil, err
			}
			if rep.Error != nil {
				if off > 0 && rep.Error.Message == errWeightsGone && try == 0 {
					break
				}
				return nil, rep.Error.err()
			}
			c := rep.Weights
			switch {
			case c == nil || c.Total != want || c.Offset != off || len(c.Data) == 0 || len(c.Data)%4 != 0 ||
				off+len(c.Data)/4 > want || (ver != 0 && (c.Version != ver || c.Step != step)):
				return nil, fmt.Errorf("the training replica sent weights that do not fit the run (%d weights)", want)
			}
			ver, step = c.Version, c.Step
			for i := 0; i < len(c.Data); i += 4 {
				params[off] = math.Float32frombits(binary.LittleEndian.Uint32(c.Data[i:]))
				off++
			}
		}
		if off < want {
			continue // the copy was forgotten: once more from the start
		}
		return ae.NewSnapshot(cfg, params, step)
	}
}

// checkpointWeights reads the weights of the run's latest checkpoint.
func (s *Session) checkpointWeights(ctx context.Context, cfg ae.Config) (*ae.Snapshot, error) {
	if s.kept == nil {
		return nil, Errorf(EUnavailable, "the model of session %s cannot be had now: the server training it does not answer; try again in a moment", s.id)
	}
	c, err := s.kept.st.Checkpoint(ctx, s.id)
	if err != nil {
		return nil, &Error{Code: EInternal, Message: "the run's weights could not be read from the store", Err: err}
	}
	if c == nil {
		return nil, Errorf(EUnavailable, "the model of session %s is not ready yet: another server trains it, and its first epoch has not ended; try again in a moment", s.id)
	}
	sn, err := ae.NewSnapshot(cfg, c.Params, c.Step)
	if err != nil {
		return nil, fmt.Errorf("the kept weights of session %s do not fit its configuration: %w", s.id, err)
	}
	return sn, nil
}
