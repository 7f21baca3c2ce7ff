import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler } from './frame.js';
import { imageLayout, coordinatePairs } from './recon.js';
import { archGeometry } from './archsvg.js';
import { captionFor } from './scatter.js';

test('createScheduler renders each view once per frame', () => {
  const frames = [];
  const s = createScheduler((cb) => frames.push(cb));
  let a = 0;
  let b = 0;
  const va = { render: () => a++ };
  const vb = { render: () => b++ };
  s.request(va);
  s.request(va);
  s.request(vb);
  s.request(va);
  assert.equal(frames.length, 1);
  frames[0]();
  assert.deepEqual([a, b], [1, 1]);
  s.request(vb);
  assert.equal(frames.length, 2);
  frames[1]();
  assert.deepEqual([a, b], [1, 2]);
});

test('createScheduler keeps going when one view throws', () => {
  const frames = [];
  const s = createScheduler((cb) => frames.push(cb));
  let ok = 0;
  const orig = console.error;
  console.error = () => {};
  s.request({ render: () => { throw new Error('boom'); } });
  s.request({ render: () => ok++ });
  frames[0]();
  console.error = orig;
  assert.equal(ok, 1);
});

test('imageLayout fits columns with integer scales', () => {
  assert.deepEqual(imageLayout(10, 28, 1000, 10, 2, 8), { cols: 10, rows: 1, scale: 3 });
  assert.deepEqual(imageLayout(10, 28, 400, 10, 2, 8), { cols: 6, rows: 2, scale: 2 });
  assert.deepEqual(imageLayout(4, 28, 4000, 10, 2, 8), { cols: 4, rows: 1, scale: 8 });
  assert.deepEqual(imageLayout(3, 28, 20, 10, 2, 8), { cols: 1, rows: 3, scale: 1 });
});

test('archGeometry scales bar heights by the square root of the width', () => {
  const g = archGeometry([784, 256, 2, 256, 784], ['input', 'enc 1', 'code', 'dec 1', 'output']);
  assert.equal(g.length, 5);
  assert.deepEqual(g.map((b) => b.kind), ['input', 'enc', 'code', 'dec', 'output']);
  assert.ok(g[0].h > g[1].h && g[1].h > g[2].h);
  assert.ok(g[2].h > 6, 'a 2-unit bottleneck is still visible');
  const ratio = (g[1].h - 6) / (g[0].h - 6);
  assert.ok(Math.abs(ratio - Math.sqrt(256 / 784)) < 1e-9);
  assert.ok(g.every((b, i) => i === 0 || b.x > g[i - 1].x));
});

test('captionFor names the projection', () => {
  assert.match(captionFor({ projection: 'pca', epoch: 1.5 }), /^PCA projection.*epoch 1\.50/);
  assert.match(captionFor({ projection: 'identity', epoch: 0 }), /^Identity/);
  assert.match(captionFor(null), /Waiting/);
});

test('coordinatePairs: one panel per pair of coordinates', () => {
  assert.deepEqual(coordinatePairs(2), [[0, 1]]);
  assert.deepEqual(coordinatePairs(3), [[0, 1], [0, 2], [1, 2]]);
  assert.deepEqual(coordinatePairs(1), []);
});
