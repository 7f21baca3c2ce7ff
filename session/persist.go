package session

// What a session publishes reaches the store through its hub: the hub
// goroutine hands every event to the manager's recorder (a short lock, no
// disk), and the trainer adds its weights at the end of every epoch and at
// the end. Nothing here runs on the training goroutine except the copy of
// the weights.

// record returns the head of s as the store keeps it.
func (s *Session) record() SessionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := SessionRecord{ID: s.id, Config: s.cfg, State: s.state, Reason: s.errMsg, Epoch: s.epoch, Step: s.step,
		TotalSteps: s.totalSteps, TrainLoss: s.trainLoss, TestLoss: s.testLoss, CreatedAt: s.created,
		StartedAt: s.started, FinishedAt: s.finished, ResumedAt: s.resumedAt}
	if !s.token.IsZero() {
		r.OwnerHash = append([]byte(nil), s.token[:]...)
	}
	if !s.owner.IsZero() {
		r.BrowserHash = append([]byte(nil), s.owner[:]...)
	}
	if s.imported {
		r.Origin = "import"
	}
	return r
}

// persistHead queues the head of s for the store, if there is one.
func (s *Session) persistHead() {
	if s.rec != nil {
		s.rec.head(s.record())
	}
}

// persistEvent queues what ev changes for the store (called by the hub
// goroutine after applying ev).
func (s *Session) persistEvent(ev hubEvent) {
	r := s.rec
	switch {
	case ev.progress != nil:
		r.frames(s.id, Frames{Progress: ev.progress})
	case ev.loss != nil:
		pts := make([]SeriesPoint, 0, len(ev.loss.Train)+len(ev.loss.Test))
		for _, p := range ev.loss.Train {
			pts = append(pts, SeriesPoint{Series: SeriesTrain, Step: p.Step, Epoch: p.Epoch, Value: p.Loss})
		}
		for _, p := range ev.loss.Test {
			pts = append(pts, SeriesPoint{Series: SeriesTest, Step: p.Step, Epoch: p.Epoch, Value: p.Loss})
		}
		r.points(s.id, pts...)
		s.persistHead() // latest losses and step
	case ev.metrics != nil:
		var pts []SeriesPoint
		for name, mp := range ev.metrics.Points {
			for _, p := range mp {
				pts = append(pts, SeriesPoint{Series: name, Step: p.Step, Epoch: p.Epoch, Value: p.Value})
			}
		}
		r.points(s.id, pts...)
	case len(ev.changes) > 0:
		pts := make([]SeriesPoint, len(ev.changes))
		for i, c := range ev.changes {
			pts[i] = SeriesPoint{Series: changeSeries(c), Step: c.Step, Epoch: c.Epoch, Value: c.To}
		}
		r.points(s.id, pts...)
	case ev.latent != nil:
		r.frames(s.id, Frames{Latent: ev.latent})
	case ev.recon != nil:
		r.frames(s.id, Frames{Reconstructions: ev.recon})
	case ev.anomaly != nil:
		r.frames(s.id, Frames{Anomaly: ev.anomaly})
	case ev.state != nil:
		s.persistHead()
	}
}

// checkpoint queues the trainer's current weights for the store if the
// store's writer has room for them (see maxPendingWeights), and reports
// whether it did (true without a store: there is nothing to wait for).
func (t *trainer) checkpoint(final bool) bool {
	s := t.s
	if s.rec == nil {
		return true
	}
	epoch := 0
	if t.stepsPerEpoch > 0 {
		epoch = t.step / t.stepsPerEpoch
	}
	if t.ckptBytes == 0 {
		t.ckptBytes = 3 * 4 * int64(t.model.NumParams()) // weights and Adam's two moments
	}
	return s.rec.checkpoint(Checkpoint{SessionID: s.id, Step: t.step, Epoch: epoch, Final: final}, t.ckptBytes, func(c *Checkpoint) {
		c.Params = t.model.Params()
		if !final || t.step < t.totalSteps { // a completed run is never resumed: its final weights need no state
			c.State = t.trainState()
		}
		t.ckptBytes = weightBytes(c)
	})
}
