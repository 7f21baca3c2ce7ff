package session

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// Interrupted is the state of a session that was queued or training when
// the server stopped (gracefully or not): it came back from the store at
// its last checkpoint.
const Interrupted State = "interrupted"

// interruptedReason is shown with the state of an interrupted session.
const interruptedReason = "the server stopped while this session was training; it kept its curves and the weights of its last completed epoch"

// registerLocked adds a new session to the manager (m.mu held) and, with a
// store, makes it persist: its hub hands every event to the recorder.
func (m *Manager) registerLocked(s *Session) {
	if s.hub == nil { // Start made it already, to announce queue positions
		s.hub = newHub(s.Info, m.log, StateMsg{State: s.state})
	}
	if m.rec != nil {
		s.rec = m.rec
		s.kf.st = m.rec.st
		s.hub.persist = s.persistEvent
		s.persistHead()
	}
	m.sessions[s.id] = s
	m.order = append(m.order, s)
	m.evictLocked()
}

// waitHubs waits until every session's hub has handled its last event, so
// that the recorder has them all.
func (m *Manager) waitHubs() {
	m.mu.Lock()
	hubs := make([]*hub, 0, len(m.order))
	for _, s := range m.order {
		if s.State().Terminal() {
			hubs = append(hubs, s.hub)
		}
	}
	m.mu.Unlock()
	for _, h := range hubs {
		<-h.done
	}
}

// closeStore writes what is pending to the store and stops its writer.
func (m *Manager) closeStore() {
	if m.rec != nil {
		m.rec.close()
	}
}

// FlushStore writes everything pending to the store now (tests, figures).
func (m *Manager) FlushStore() {
	if m.rec != nil {
		m.rec.flush()
	}
}

// keptModel is how a restored session reloads its weights on demand.
type keptModel struct {
	st  Store
	reg *datasets.Registry
	mu  sync.Mutex
}

// Restore brings back every session the store holds, the newest
// MaxFinished of them: ended ones as they ended (state, curves, frames;
// their weights load when a view first needs them), queued or running ones
// as Interrupted. Call it once, before serving.
func (m *Manager) Restore(ctx context.Context) error {
	st := m.opt.Store
	if st == nil {
		return nil
	}
	if err := m.restoreUploads(ctx); err != nil {
		return err
	}
	recs, err := st.Sessions(ctx)
	if err != nil {
		return fmt.Errorf("restore sessions: %w", err)
	}
	if len(recs) > m.opt.MaxFinished {
		recs = recs[len(recs)-m.opt.MaxFinished:]
	}
	var interrupted []SessionRecord
	restored := make([]*Session, 0, len(recs))
	for _, r := range recs {
		if m.opt.Cluster != nil && ((!r.State.Terminal() && r.State != Interrupted) || handedOver(r)) {
			continue // the shared queue's: a replica trains it or will (Get mirrors it)
		}
		s, err := m.restoreOne(ctx, st, r)
		if err != nil {
			m.log.Warn("a kept session could not be restored", "session", r.ID, "err", err)
			continue
		}
		if s.state == Interrupted && r.State != Interrupted {
			interrupted = append(interrupted, s.record())
		}
		restored = append(restored, s)
	}
	m.mu.Lock()
	for _, s := range restored {
		if m.sessions[s.id] == nil {
			m.sessions[s.id] = s
			m.order = append(m.order, s)
		}
	}
	slices.SortStableFunc(m.order, func(a, b *Session) int { return a.created.Compare(b.created) })
	m.mu.Unlock()
	if len(interrupted) > 0 {
		if err := st.Write(ctx, &Batch{Sessions: interrupted}); err != nil {
			return fmt.Errorf("restore sessions: mark the interrupted ones: %w", err)
		}
	}
	m.log.Info("sessions restored from the store", "sessions", len(restored), "interrupted", len(interrupted))
	return nil
}

func (m *Manager) restoreOne(ctx context.Context, st Store, r SessionRecord) (*Session, error) {
	info, err := m.reg.Info(r.Config.Dataset)
	if err != nil {
		return nil, fmt.Errorf("its dataset %q is not on this server", r.Config.Dataset)
	}
	// Validation fills in what the configuration's JSON does not carry
	// (a convolutional model's image shape); a configuration today's
	// limits refuse stays as it was, to be shown.
	if c, fe := Validate(r.Config, m.reg, m.lim); len(fe) == 0 {
		r.Config = c
	}
	s := &Session{id: r.ID, cfg: r.Config, summary: Summarize(r.Config, info.Features), created: r.CreatedAt,
		log: m.log, wake: make(chan struct{}, 1), done: make(chan struct{}), state: r.State, errMsg: r.Reason,
		epoch: r.Epoch, step: r.Step, totalSteps: r.TotalSteps, trainLoss: r.TrainLoss, testLoss: r.TestLoss,
		started: r.StartedAt, finished: r.FinishedAt, imported: r.Origin == "import", rec: m.rec, resumedAt: r.ResumedAt,
		kept: &keptModel{st: st, reg: m.reg}}
	s.kf.st = st
	copy(s.token[:], r.OwnerHash)
	copy(s.owner[:], r.BrowserHash)
	if !s.state.Terminal() || (s.state == Stopped && s.errMsg == errShutdown.Error()) {
		s.state, s.errMsg = Interrupted, interruptedReason
		if s.finished.IsZero() {
			s.finished = time.Now()
		}
	}
	s.ctx, s.cancel = context.WithCancelCause(m.base)
	close(s.done)
	hist, err := historyOf(ctx, st, r, StateMsg{State: s.state, Error: s.errMsg, TestLoss: s.testLoss})
	if err != nil {
		return nil, err
	}
	s.hub = newEndedHub(s.Info, m.log, hist)
	return s, nil
}

// historyOf reads the history of kept session r from the store: its curve
// points, its settings changes and its latest frames; state is its state.
func historyOf(ctx context.Context, st Store, r SessionRecord, state StateMsg) (history, error) {
	hist := history{state: state}
	pts, err := st.Points(ctx, r.ID)
	if err != nil {
		return hist, err
	}
	for _, p := range pts {
		switch p.Series {
		case SeriesTrain:
			hist.train = append(hist.train, LossPoint{Step: p.Step, Epoch: p.Epoch, Loss: p.Value})
		case SeriesTest:
			hist.test = append(hist.test, LossPoint{Step: p.Step, Epoch: p.Epoch, Loss: p.Value})
		default:
			if c, ok := changeOfSeries(p); ok {
				hist.changes = append(hist.changes, c)
				continue
			}
			if hist.metrics == nil {
				hist.metrics = map[string][]MetricPoint{}
			}
			hist.metrics[p.Series] = append(hist.metrics[p.Series], MetricPoint{Step: p.Step, Epoch: p.Epoch, Value: p.Value})
		}
	}
	fillFrom(hist.changes, r.Config)
	f, err := st.Frames(ctx, r.ID)
	if err != nil {
		return hist, err
	}
	hist.progress, hist.latent, hist.recon, hist.anomaly = f.Progress, f.Latent, f.Reconstructions, f.Anomaly
	return hist, nil
}

// reload loads the weights (and the dataset) of a restored session from
// the store; the views that run the model call it through Snapshot.
func (s *Session) reload(ctx context.Context) (*ae.Snapshot, error) {
	k := s.kept
	k.mu.Lock()
	defer k.mu.Unlock()
	if sn := s.snap.Load(); sn != nil {
		return sn, nil
	}
	c, err := k.st.Checkpoint(ctx, s.id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, Errorf(EConflict, "session %s has no weights kept: it ended before its first epoch, or the store was full and its weights were removed (its curves stay); train it again to explore it", s.id)
	}
	ds, err := k.reg.Load(s.cfg.Dataset, s.cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("could not load dataset %q: %v", s.cfg.Dataset, err)
	}
	sn, err := ae.NewSnapshot(aeConfig(s.cfg, ds.Features), c.Params, c.Step)
	if err != nil {
		return nil, fmt.Errorf("the kept weights of session %s do not fit its configuration: %w", s.id, err)
	}
	s.ds.Store(ds)
	s.snap.Store(sn)
	s.modelFreed.Store(false)
	return sn, nil
}

// keepUploads makes every dataset uploaded from now on go to the store,
// the file as uploaded and its settings.
func (m *Manager) keepUploads() {
	st := m.opt.Store
	m.reg.OnAdd(func(owner, name string, file []byte, opt datasets.CSVOptions) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d := DatasetRecord{Name: name, Filename: name + ".csv", Options: opt, Data: file, CreatedAt: time.Now()}
		if owner != "" {
			// The registry names an owner by the hex of its hash
			// (handlers' ownerKey); anything else is kept as nobody's.
			if h, err := hex.DecodeString(owner); err == nil && len(h) == len(Owner{}) {
				d.OwnerHash = h
			}
		}
		if err := st.PutDataset(ctx, d); err != nil {
			m.log.Error("store: an uploaded dataset could not be kept; it will be gone after a restart", "dataset", name, "err", err)
		}
	})
}

// restoreUploads parses the kept uploads again, oldest first, each with
// its uploader.
func (m *Manager) restoreUploads(ctx context.Context) error {
	ds, err := m.opt.Store.Datasets(ctx)
	if err != nil {
		return fmt.Errorf("restore uploaded datasets: %w", err)
	}
	for _, d := range ds {
		owner := ""
		if len(d.OwnerHash) == len(Owner{}) {
			owner = hex.EncodeToString(d.OwnerHash)
		}
		if _, err := m.reg.RestoreCSV(owner, d.Name, d.Data, d.Options); err != nil {
			m.log.Warn("a kept upload could not be parsed again", "dataset", d.Name, "err", err)
		}
	}
	return nil
}

// Restore brings back the comparisons the store keeps whose sessions are
// all still there (the newest maxComparisons); their PCA baselines are
// computed again in the background. Call it after Manager.Restore.
func (st *ComparisonStore) Restore(ctx context.Context) error {
	store := st.m.opt.Store
	if store == nil {
		return nil
	}
	recs, err := store.Comparisons(ctx)
	if err != nil {
		return fmt.Errorf("restore comparisons: %w", err)
	}
	if len(recs) > maxComparisons {
		recs = recs[len(recs)-maxComparisons:]
	}
	n := 0
	for _, r := range recs {
		sessions := make([]*Session, 0, len(r.Members))
		labels := make([]string, 0, len(r.Members))
		for _, mb := range r.Members {
			s, err := st.m.Get(mb.SessionID)
			if err != nil {
				break
			}
			sessions, labels = append(sessions, s), append(labels, mb.Label)
		}
		if len(sessions) != len(r.Members) || len(sessions) == 0 {
			continue // a member was deleted or is no longer listed
		}
		if _, err := st.insert(r.ID, r.Kind, r.CreatedAt, sessions, labels); err != nil {
			return err
		}
		n++
	}
	st.m.log.Info("comparisons restored from the store", "comparisons", n)
	return nil
}
