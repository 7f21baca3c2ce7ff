package bus

import (
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
)

// ClassSubject prefixes the subject on which a replica announces that it
// wrote a class: aelab.class.<id>, the data the version written
// (session.ClassEvents). The other replicas read the class again from the
// shared store.
const ClassSubject = "aelab.class."

// PublishClass announces that class id was written at version. It never
// blocks; a lost announcement is made up for when a replica next reads
// the class (see session.ClassEvents).
func (b *Bus) PublishClass(id string, version int64) {
	if err := b.nc.Publish(ClassSubject+id, strconv.AppendInt(nil, version, 10)); err != nil {
		b.log.Warn("bus: a class change was not announced", "class", id, "err", err)
	}
}

// WatchClasses calls f with every class change announced, this replica's
// own included (it has that version already and ignores it), until stop.
func (b *Bus) WatchClasses(f func(id string, version int64)) (func(), error) {
	sub, err := b.nc.Subscribe(ClassSubject+"*", func(msg *nats.Msg) {
		id := strings.TrimPrefix(msg.Subject, ClassSubject)
		v, err := strconv.ParseInt(string(msg.Data), 10, 64)
		if err != nil || v < 1 || id == "" {
			return
		}
		f(id, v)
	})
	if err != nil {
		return nil, err
	}
	_ = sub.SetPendingLimits(4096, 1<<20)
	return func() { _ = sub.Unsubscribe() }, nil
}
