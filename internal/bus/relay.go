package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/aelab/aelab/session"
)

// maxAnswering bounds the requests one replica answers at once, over all
// the runs it trains: a step waits for its batches and a weights answer
// holds a chunk of about 700 kB of JSON, so a flood of requests on the bus
// (from a faulty replica, or anything else that can publish there) would
// otherwise start a goroutine and an answer each. The replicas' own
// requests stay far below it: a replica fetches the weights of at most 2
// runs at once, and an owner steps a run once at a time.
const maxAnswering = 128

// Serve answers requests about run id on aelab.ask.<id> with h
// (session.RunRelay); each request is answered in a goroutine of its own,
// so that a long step does not hold up a snapshot, at most maxAnswering at
// once per replica (beyond them the answer says the replica is busy). A
// request that is not a JSON request is answered with a refusal at once.
func (b *Bus) Serve(id string, h func(context.Context, session.RunRequest) session.RunReply) (func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	refuse := func(msg *nats.Msg, code session.Code, format string, args ...any) {
		data, _ := json.Marshal(session.RunReply{Error: &session.WireError{Code: code, Message: fmt.Sprintf(format, args...)}})
		_ = msg.Respond(data)
	}
	sub, err := b.nc.Subscribe(AskSubject+id, func(msg *nats.Msg) {
		var r session.RunRequest
		if err := json.Unmarshal(msg.Data, &r); err != nil {
			refuse(msg, session.EInvalid, "a request about run %s must be a JSON object with an action: %v", id, err)
			return
		}
		select {
		case b.answering <- struct{}{}:
		default:
			refuse(msg, session.EUnavailable, "the replica training run %s answers %d requests already; try again in a moment", id, maxAnswering)
			return
		}
		go func() {
			defer func() { <-b.answering }()
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
