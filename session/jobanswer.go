// How the replica training a run answers requests about it from other
// replicas (the bus's relay): snapshots, weights and the owner's actions.

package session

import "context"

// answer returns how this replica answers requests about ns, which it
// trains as incarnation inc.
func (m *Manager) answer(ns *Session, inc string) func(context.Context, RunRequest) RunReply {
	weights := m.weightsServer(ns)
	return func(ctx context.Context, r RunRequest) RunReply {
		var err error
		switch r.Action {
		case "snapshot":
			sn := ns.hub.snapshotAt()
			return RunReply{Incarnation: inc, Seq: sn.seq, Snapshot: sn.msg}
		case "weights":
			rep := weights.answer(ctx, r)
			rep.Incarnation = inc
			return rep
		case "pause":
			err = ns.Pause()
		case "resume":
			err = ns.Resume()
		case "stop":
			err = ns.Stop()
		case "set":
			if r.Settings == nil {
				err = Errorf(EInvalid, "a change of settings needs settings")
				break
			}
			if fe := m.ValidateSettings(ns, *r.Settings); len(fe) > 0 {
				err = fe.Err()
				break
			}
			err = ns.Set(*r.Settings)
		case "step":
			res, err := ns.Step(ctx, r.Batches)
			return RunReply{Step: &res, Error: toWire(err)}
		default:
			err = Errorf(EInvalid, "unknown action %q", r.Action)
		}
		return RunReply{Incarnation: inc, Error: toWire(err)}
	}
}
