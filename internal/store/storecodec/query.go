package storecodec

import (
	"strconv"
	"strings"

	"github.com/aelab/aelab/session"
)

// Dialect is how one SQL database spells what a session query needs.
type Dialect struct {
	// Param is the placeholder of the n-th argument (from 1).
	Param func(n int) string
	// ConfigText is the text of the configuration's top-level JSON field
	// key (NULL when absent).
	ConfigText func(key string) string
	// ID is the session ID column compared byte by byte, as Go does.
	ID string
}

// SessionQuery is the WHERE and ORDER BY clauses (without the keywords)
// and the arguments that select q's sessions from the sessions table; the
// caller adds LIMIT. session.Select is what it must agree with.
func SessionQuery(q session.SessionQuery, d Dialect) (where, order string, args []any) {
	var conds []string
	arg := func(v any) string {
		args = append(args, v)
		return d.Param(len(args))
	}
	if q.Dataset != "" {
		conds = append(conds, d.ConfigText("dataset")+" = "+arg(q.Dataset))
	}
	if q.Bottleneck != 0 {
		conds = append(conds, d.ConfigText("bottleneck")+" = "+arg(strconv.Itoa(q.Bottleneck)))
	}
	if q.State != "" {
		conds = append(conds, "state = "+arg(string(q.State)))
	}
	switch q.Kind {
	case "":
	case "ae":
		conds = append(conds, "COALESCE("+d.ConfigText("kind")+", '') IN ('', 'ae')")
	default:
		conds = append(conds, d.ConfigText("kind")+" = "+arg(q.Kind))
	}
	if !q.Owner.IsZero() {
		o := arg(q.Owner[:])
		conds = append(conds, "(owner_hash = "+o+" OR browser_hash = "+o+")")
	}
	if q.IDs != nil {
		if len(q.IDs) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			ps := make([]string, len(q.IDs))
			for i, id := range q.IDs {
				ps[i] = arg(id)
			}
			conds = append(conds, d.ID+" IN ("+strings.Join(ps, ", ")+")")
		}
	}
	if c := q.After; c != nil {
		created := arg(UnixNano(c.CreatedAt))
		id := arg(c.ID)
		older := "(created_at < " + created + " OR (created_at = " + created + " AND " + d.ID + " < " + id + "))"
		switch {
		case q.Sort != session.SortTestLoss:
			conds = append(conds, older)
		case c.TestLoss == nil:
			conds = append(conds, "(test_loss IS NULL AND "+older+")")
		default:
			l := arg(*c.TestLoss)
			conds = append(conds, "(test_loss IS NULL OR test_loss > "+l+" OR (test_loss = "+l+" AND "+older+"))")
		}
	}
	where = "1 = 1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	order = "created_at DESC, " + d.ID + " DESC"
	if q.Sort == session.SortTestLoss {
		order = "(test_loss IS NULL), test_loss, " + order
	}
	return where, order, args
}
