package bus

import (
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/aelab/aelab/session"
)

// Headers of a run's live messages.
const (
	hdrIncarnation = "Aelab-Incarnation"
	hdrSeq         = "Aelab-Seq"
	hdrHandover    = "Aelab-Handover"
)

// Publish sends one live message of run id on aelab.run.<id>
// (session.RunEvents). It never blocks: the client buffers, and a message
// that cannot be buffered is dropped (a viewer then catches up from a
// snapshot).
func (b *Bus) Publish(id string, m session.RunMessage) {
	msg := nats.NewMsg(RunSubject + id)
	msg.Header.Set(hdrIncarnation, m.Incarnation)
	msg.Header.Set(hdrSeq, strconv.FormatUint(m.Seq, 10))
	if m.Handover {
		msg.Header.Set(hdrHandover, "1")
	}
	msg.Data = m.Data
	if err := b.nc.PublishMsg(msg); err != nil {
		b.log.Warn("bus: a live message was dropped", "session", id, "err", err)
	}
}

// Watch calls f with every live message of run id until stop.
func (b *Bus) Watch(id string, f func(session.RunMessage)) (func(), error) {
	sub, err := b.nc.Subscribe(RunSubject+id, func(msg *nats.Msg) {
		seq, _ := strconv.ParseUint(msg.Header.Get(hdrSeq), 10, 64)
		f(session.RunMessage{Incarnation: msg.Header.Get(hdrIncarnation), Seq: seq,
			Handover: msg.Header.Get(hdrHandover) == "1", Data: msg.Data})
	})
	if err != nil {
		return nil, err
	}
	// A viewer's replica that falls this far behind loses messages and
	// catches up from a snapshot; it never slows the publisher.
	_ = sub.SetPendingLimits(4096, 64<<20)
	return func() { _ = sub.Unsubscribe() }, nil
}
