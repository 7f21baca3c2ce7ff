package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/aelab/aelab/session"
)

// Serve answers requests about run id on aelab.ask.<id> with h
// (session.RunRelay); each request is answered in a goroutine of its own,
// so that a long step does not hold up a snapshot.
func (b *Bus) Serve(id string, h func(context.Context, session.RunRequest) session.RunReply) (func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := b.nc.Subscribe(AskSubject+id, func(msg *nats.Msg) {
		var r session.RunRequest
		if err := json.Unmarshal(msg.Data, &r); err != nil {
			return
		}
		go func() {
			rep := h(ctx, r)
			data, err := json.Marshal(rep)
			if err != nil {
				b.log.Error("bus: an answer could not be encoded", "session", id, "err", err)
				return
			}
			_ = msg.Respond(data)
		}()
	})
	if err != nil {
		cancel()
		return nil, err
	}
	return func() { _ = sub.Unsubscribe(); cancel() }, nil
}

// Ask sends r to the replica that trains run id and waits for its answer
// until ctx ends; session.ErrNoTrainer if no replica trains it.
func (b *Bus) Ask(ctx context.Context, id string, r session.RunRequest) (session.RunReply, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return session.RunReply{}, err
	}
	msg, err := b.nc.RequestWithContext(ctx, AskSubject+id, data)
	if errors.Is(err, nats.ErrNoResponders) {
		return session.RunReply{}, session.ErrNoTrainer
	}
	if err != nil {
		return session.RunReply{}, fmt.Errorf("bus: ask %s: %w", id, err)
	}
	var rep session.RunReply
	if err := json.Unmarshal(msg.Data, &rep); err != nil {
		return session.RunReply{}, fmt.Errorf("bus: the answer about %s: %w", id, err)
	}
	return rep, nil
}
