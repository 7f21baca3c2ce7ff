// Reconnecting WebSocket client for the live session protocol (docs/protocol.md). Every text frame
// is one JSON message; after an unexpected close it reconnects with exponential backoff and
// jitter, and the server's new snapshot replaces the client's state. It stops reconnecting once
// the caller says the session reached a terminal state.

/** wsURL turns a path such as /api/sessions/ab12/ws into a ws: or wss: URL for this page. */
export function wsURL(path, loc = globalThis.location) {
  if (/^wss?:\/\//.test(path)) return path;
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${path.startsWith('/') ? '' : '/'}${path}`;
}

/**
 * SHUTDOWN_REASON is the error of a run its server stopped because it was shutting down
 * (docs/protocol.md). Such a run is not over: another replica resumes it at once (with -bus), or
 * the server when it starts again, so a page reconnects instead of taking this `stopped` as final.
 */
export const SHUTDOWN_REASON = 'the server is shutting down';

/** resumesLater reports whether a run in `state` with `error` was only stopped by its server's shutdown. */
export function resumesLater(state, error) {
  return state === 'stopped' && error === SHUTDOWN_REASON;
}

/**
 * backoffDelay is the wait in ms before reconnect attempt `attempt` (0-based): doubling from
 * `base` up to `max`, with "equal jitter" (between half and all of it) so that a class full of
 * browsers does not reconnect in lockstep after a server restart.
 */
export function backoffDelay(attempt, { base = 500, max = 15000, random = Math.random } = {}) {
  const exp = Math.min(max, base * 2 ** Math.min(attempt, 20));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * connectLive opens the socket and keeps it open.
 *  - onMessage(msg) gets each parsed JSON message;
 *  - onStatus(status, detail) gets "connecting", "live", "reconnecting" (detail: delay in ms) or
 *    "closed";
 *  - shouldReconnect() is asked after each close; return false once the session is over.
 * Returns {close()} to stop for good.
 */
export function connectLive({ url, onMessage, onStatus = () => {}, shouldReconnect = () => true, WebSocketImpl = globalThis.WebSocket, setTimer = setTimeout }) {
  let ws = null;
  let attempt = 0;
  let timer = 0;
  let stopped = false;

  function open() {
    if (stopped) return;
    onStatus('connecting');
    try {
      ws = new WebSocketImpl(url);
    } catch (err) {
      scheduleReconnect();
      return;
    }
    ws.onopen = () => onStatus('live');
    ws.onmessage = (ev) => {
      // Only a connection that delivered data resets the backoff: a server that accepts and
      // drops at once is retried ever more slowly.
      attempt = 0;
      if (typeof ev.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg && typeof msg.type === 'string') onMessage(msg);
    };
    ws.onerror = () => {}; // a close event always follows
    ws.onclose = () => {
      ws = null;
      if (stopped || !shouldReconnect()) {
        stopped = true;
        onStatus('closed');
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    const delay = backoffDelay(attempt++);
    onStatus('reconnecting', delay);
    timer = setTimer(open, delay);
  }

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      if (ws) ws.close(1000, 'page closed');
    },
  };
}
