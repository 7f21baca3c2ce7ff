import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, wsURL, connectLive, resumesLater, SHUTDOWN_REASON } from './ws.js';

test('wsURL follows the page scheme', () => {
  assert.equal(wsURL('/api/sessions/ab12/ws', { protocol: 'http:', host: 'localhost:8080' }), 'ws://localhost:8080/api/sessions/ab12/ws');
  assert.equal(wsURL('/api/sessions/ab12/ws', { protocol: 'https:', host: 'ae.example' }), 'wss://ae.example/api/sessions/ab12/ws');
});

test('backoffDelay doubles with jitter up to a cap', () => {
  const lo = { random: () => 0 };
  const hi = { random: () => 1 };
  assert.equal(backoffDelay(0, lo), 250);
  assert.equal(backoffDelay(0, hi), 500);
  assert.equal(backoffDelay(3, hi), 4000);
  assert.equal(backoffDelay(30, hi), 15000);
  assert.equal(backoffDelay(30, lo), 7500);
});

test('a run stopped by its server\'s shutdown resumes later; other stops are final', () => {
  assert.equal(SHUTDOWN_REASON, 'the server is shutting down');
  assert.equal(resumesLater('stopped', 'the server is shutting down'), true);
  assert.equal(resumesLater('stopped', 'stopped by its owner'), false);
  assert.equal(resumesLater('stopped', ''), false);
  assert.equal(resumesLater('stopped', undefined), false);
  assert.equal(resumesLater('failed', 'the server is shutting down'), false);
  assert.equal(resumesLater('completed', 'the server is shutting down'), false);
});

/** FakeSocket records instances; tests drive its events by hand. */
class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  close() { this.closed = true; }
}

test('connectLive parses messages, reconnects on unexpected close and stops after terminal', () => {
  FakeSocket.all = [];
  const got = [];
  const statuses = [];
  const timers = [];
  let terminal = false;
  connectLive({
    url: 'ws://x/ws',
    onMessage: (m) => got.push(m.type),
    onStatus: (s) => statuses.push(s),
    shouldReconnect: () => !terminal,
    WebSocketImpl: FakeSocket,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
  });
  assert.equal(FakeSocket.all.length, 1);
  const s1 = FakeSocket.all[0];
  s1.onopen();
  s1.onmessage({ data: '{"type":"snapshot"}' });
  s1.onmessage({ data: 'not json' });
  s1.onmessage({ data: '{"no_type":1}' });
  s1.onclose({ code: 1006 });
  assert.deepEqual(got, ['snapshot']);
  assert.deepEqual(statuses, ['connecting', 'live', 'reconnecting']);
  assert.equal(timers.length, 1);
  timers[0].fn();
  assert.equal(FakeSocket.all.length, 2);
  const s2 = FakeSocket.all[1];
  s2.onopen();
  s2.onmessage({ data: '{"type":"state","state":"completed"}' });
  terminal = true;
  s2.onclose({ code: 1000 });
  assert.equal(timers.length, 1, 'no reconnect after a terminal state');
  assert.equal(statuses.at(-1), 'closed');
});

test('connectLive backs off further while connections fail without data', () => {
  FakeSocket.all = [];
  const pending = [];
  connectLive({
    url: 'ws://x/ws',
    onMessage: () => {},
    WebSocketImpl: FakeSocket,
    setTimer: (fn, ms) => { pending.push({ fn, ms }); return 0; },
  });
  for (let i = 0; i < 4; i++) {
    FakeSocket.all.at(-1).onclose({ code: 1006 });
    pending.at(-1).fn();
  }
  pending.forEach(({ ms }, i) => assert.ok(ms >= 250 * 2 ** i && ms <= 500 * 2 ** i, `attempt ${i}: ${ms}`));
  // A connection that delivers data resets the backoff.
  FakeSocket.all.at(-1).onmessage({ data: '{"type":"progress"}' });
  FakeSocket.all.at(-1).onclose({ code: 1006 });
  assert.ok(pending.at(-1).ms <= 500);
});
