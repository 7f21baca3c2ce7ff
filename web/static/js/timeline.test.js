import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline, describe } from './timeline.js';

test('describe says step, epoch, losses and position', () => {
  assert.equal(describe(null, -1, 0), 'Live');
  assert.equal(
    describe({ step: 1234, epoch: 2.5, train_loss: 0.1, test_loss: null }, 3, 12),
    'Step 1,234 · epoch 2.50 · train loss 0.1 (keyframe 4 of 12)',
  );
});

/** fakeRoot is the least of a DOM the Timeline touches. */
function fakeRoot() {
  const el = () => ({
    attrs: {}, listeners: {}, textContent: '', value: '0', max: '0',
    setAttribute(k, v) { this.attrs[k] = v; },
    addEventListener(type, f) { this.listeners[type] = f; },
  });
  const parts = { 'timeline-slider': el(), 'timeline-play': el(), 'timeline-speed': el(), 'timeline-live': el(), 'timeline-status': el() };
  parts['timeline-speed'].value = '4';
  return { hidden: true, parts, querySelector: (sel) => parts[/data-testid="([^"]+)"/.exec(sel)[1]] };
}

function fakeFetch(steps, calls) {
  return async (url) => {
    calls.push(url);
    const m = /keyframes\/(\d+)$/.exec(url);
    if (!m) return { ok: true, json: async () => ({ keyframes: steps.map((s) => ({ step: s, epoch: s / 10 })) }) };
    return { ok: true, json: async () => ({ step: Number(m[1]), epoch: Number(m[1]) / 10, latent: { step: Number(m[1]) } }) };
  };
}

test('seeking shows a keyframe, fetched once; Live goes back', async () => {
  const root = fakeRoot();
  const shown = [];
  let lives = 0;
  const calls = [];
  const tl = new Timeline(root, { indexURL: '/api/sessions/x/keyframes', show: (f) => shown.push(f.step), onLive: () => lives++, fetchImpl: fakeFetch([0, 1, 2, 5], calls) });
  tl.ended = true;
  await tl.refresh();
  assert.equal(root.hidden, false);
  assert.equal(root.parts['timeline-slider'].max, '3');
  assert.equal(root.parts['timeline-slider'].value, '3'); // at the end while not replaying
  await tl.seek(1);
  assert.deepEqual(shown, [1]);
  assert.equal(tl.replaying, true);
  assert.match(root.parts['timeline-status'].textContent, /^Step 1 · epoch 0.10/);
  await tl.seek(1);
  assert.equal(calls.filter((u) => u.endsWith('/1')).length, 1, 'a frame is fetched once');
  await tl.seek(99); // clamped
  assert.deepEqual(shown, [1, 1, 5]);
  tl.live();
  assert.equal(lives, 1);
  assert.equal(tl.replaying, false);
  assert.equal(root.parts['timeline-live'].attrs['aria-pressed'], 'true');
});

test('play runs through every keyframe from the start and stops at the end', async () => {
  const root = fakeRoot();
  const shown = [];
  const tl = new Timeline(root, { indexURL: '/api/sessions/y/keyframes', show: (f) => shown.push(f.step), onLive: () => {}, fetchImpl: fakeFetch([0, 1, 2, 5, 10], []) });
  tl.ended = true;
  await tl.refresh();
  tl.play();
  assert.equal(root.parts['timeline-play'].textContent, 'Pause');
  for (let i = 0; i < 100 && tl.timer; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(shown, [0, 1, 2, 5, 10]);
  assert.equal(tl.timer, null);
  assert.equal(root.parts['timeline-play'].textContent, 'Play');
});

test('fewer than two keyframes keep the scrubber hidden', async () => {
  const root = fakeRoot();
  const tl = new Timeline(root, { indexURL: '/api/sessions/y/keyframes', show: () => {}, onLive: () => {}, fetchImpl: fakeFetch([0], []) });
  await tl.refresh();
  assert.equal(root.hidden, true);
});
