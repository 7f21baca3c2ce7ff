package handlers

import (
	"sync"
	"unsafe"

	"github.com/gorilla/websocket"
)

// WebSocket compression where it pays: the messages a session fans out are
// the same bytes for every viewer, so each large one (latent frames,
// reconstructions, snapshots) is deflated once, as a gorilla PreparedMessage,
// and that one compressed frame goes to every viewer that negotiated
// permessage-deflate. Small ones (progress, loss points) go as they are:
// deflate would save little and cost a call per viewer.

// compressMin is the smallest message worth compressing, in bytes.
const compressMin = 1024

// preparedCache keeps the prepared form of the latest large messages, keyed
// by their backing array (the hub hands every viewer the same slice; the
// entry keeps it alive, so the key cannot be reused while cached).
type preparedCache struct {
	mu    sync.Mutex
	byPtr map[*byte]*websocket.PreparedMessage
	order []*byte // oldest first
}

// preparedMax bounds the cache: at a few messages a second per session, 256
// entries cover every live session's latest frames many times over.
const preparedMax = 256

var prepared = &preparedCache{byPtr: make(map[*byte]*websocket.PreparedMessage)}

// get returns msg prepared for writing (compressed at most once per
// negotiated setting, however many viewers receive it).
func (c *preparedCache) get(msg []byte) (*websocket.PreparedMessage, error) {
	key := unsafe.SliceData(msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if pm, ok := c.byPtr[key]; ok {
		return pm, nil
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	if err != nil {
		return nil, err
	}
	if len(c.order) >= preparedMax {
		delete(c.byPtr, c.order[0])
		c.order = c.order[1:]
	}
	c.byPtr[key] = pm
	c.order = append(c.order, key)
	return pm, nil
}

// writeText sends one message of the session's stream to a viewer: large
// ones through the shared prepared (compressed once) form, small ones
// uncompressed.
func writeText(conn *websocket.Conn, msg []byte) error {
	if len(msg) >= compressMin {
		if pm, err := prepared.get(msg); err == nil {
			return conn.WritePreparedMessage(pm)
		}
	}
	conn.EnableWriteCompression(false)
	defer conn.EnableWriteCompression(true)
	return conn.WriteMessage(websocket.TextMessage, msg)
}
