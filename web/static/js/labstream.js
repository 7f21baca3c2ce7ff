// Shared by the latent explorer and denoising labs: read the lab's boot data, build small DOM
// pieces, and follow a session's live stream (docs/protocol.md) with a status line (state badge,
// progress bar and sentence) that stays up to date.

import { connectLive, wsURL, resumesLater } from './ws.js';
import { Progress } from './progress.js';

const TERMINAL = new Set(['completed', 'stopped', 'failed']);
const KNOWN = new Set(['queued', 'running', 'paused', ...TERMINAL]);

/** isTerminal reports whether nothing more will happen to a session in this state. */
export function isTerminal(state) {
  return TERMINAL.has(state);
}

/** readLabBoot returns the #lab-boot data: {slug, sessions: [...]}. */
export function readLabBoot(doc = document) {
  try {
    const b = JSON.parse(doc.getElementById('lab-boot')?.textContent || '{}');
    return { slug: b.slug || '', sessions: Array.isArray(b.sessions) ? b.sessions : [] };
  } catch {
    return { slug: '', sessions: [] };
  }
}

/**
 * h builds an element: h('p', {class: 'x', dataset: {testid: 'y'}}, 'text', child…). Attributes
 * named on* are not supported on purpose: listeners are added with addEventListener.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** panel returns a figure panel with a heading: {root, body, head}. */
export function panel(title, testid, extraClass = '') {
  const id = `h-${testid}`;
  const head = h('div', { class: 'panel-head' }, h('h2', { id }, title));
  const body = h('div', { class: 'lab-panel-body' });
  const root = h('section', { class: `panel lab-panel ${extraClass}`.trim(), 'aria-labelledby': id }, head, body);
  return { root, head, body };
}

/**
 * followSession shows session `s` (an entry of the boot data) as a status line appended to
 * `parent` and follows its stream: `onMessage(msg)` gets every message, `onState(state)` the
 * rendered state and then every change. Returns {state(), close()}.
 */
export function followSession(s, parent, scheduler, { label = s.title, onMessage = () => {}, onState = () => {} } = {}) {
  const badge = h('span', { class: `badge state-${KNOWN.has(s.state) ? s.state : 'unknown'}`, dataset: { testid: `state-${s.id}` } }, s.state || '…');
  const bar = h('progress', { max: 1, value: 0, 'aria-label': `progress of ${label}` });
  const text = h('span', { class: 'lab-progress-text' }, 'Waiting for the first update…');
  const conn = h('span', { class: 'connection', 'data-status': 'connecting' }, 'connecting…');
  parent.append(h('div', { class: 'lab-status', dataset: { session: s.id } },
    h('a', { href: s.url, class: 'lab-status-title' }, label), badge, conn, bar, text));
  const progress = new Progress(bar, text, scheduler);
  let state = s.state || '';
  let stateError = ''; // the error of the latest state: a shutdown's `stopped` is not final
  const setState = (st, queuePos = 0) => {
    if (typeof st !== 'string' || !st) return;
    progress.setState(st, queuePos);
    if (st !== state || badge.textContent !== st) {
      state = st;
      badge.textContent = st;
      badge.className = `badge state-${KNOWN.has(st) ? st : 'unknown'}`;
      for (const w of document.querySelectorAll(`.state-word[data-session="${s.id}"]`)) w.textContent = st;
      onState(st);
    }
  };
  setState(state);
  onState(state); // the state the page was rendered in counts as the first change
  const live = connectLive({
    url: wsURL(s.ws_url),
    onMessage(m) {
      if (m.type === 'snapshot') {
        progress.set(m.progress);
        const st = m.state || m.session;
        if (st) {
          stateError = st.error || m.session?.error || '';
          setState(st.state, st.queue_position || 0);
        }
      } else if (m.type === 'progress') {
        progress.set(m);
      } else if (m.type === 'state') {
        stateError = m.error || '';
        setState(m.state, m.queue_position || 0);
      }
      onMessage(m);
    },
    onStatus(status, delay) {
      conn.dataset.status = status;
      conn.textContent = {
        connecting: 'connecting…',
        live: 'live',
        reconnecting: `reconnecting in ${Math.max(1, Math.round((delay || 0) / 1000))} s…`,
        closed: isTerminal(state) ? 'finished' : 'disconnected',
      }[status] || status;
    },
    shouldReconnect: () => !isTerminal(state) || resumesLater(state, stateError),
  });
  return { state: () => state, close: () => live.close() };
}
