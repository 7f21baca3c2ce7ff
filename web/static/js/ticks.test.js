import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extent, niceTicks, logTicks } from './ticks.js';

test('extent pads and widens', () => {
  assert.deepEqual(extent([0, 10]), [-0.5, 10.5]);
  assert.deepEqual(extent([3, 3]), [1.5, 4.5]);
  assert.deepEqual(extent([0, 0]), [-1, 1]);
  assert.deepEqual(extent([]), [-1, 1]);
  assert.deepEqual(extent([NaN, 1, 2, Infinity], 0), [1, 2]);
});

test('niceTicks picks round steps inside the range', () => {
  assert.deepEqual(niceTicks(0, 10, 5), { ticks: [0, 2, 4, 6, 8, 10], step: 2 });
  const t = niceTicks(-0.37, 1.42, 4);
  assert.equal(t.step, 0.5);
  assert.deepEqual(t.ticks, [0, 0.5, 1]);
  assert.deepEqual(niceTicks(1, 1, 5).ticks, []);
});

test('logTicks: powers of ten, thinned for a diverged run', () => {
  assert.deepEqual(logTicks(0.04, 1), [0.05, 0.1, 0.2, 0.5, 1]);
  assert.deepEqual(logTicks(0.0001, 1), [0.0001, 0.001, 0.01, 0.1, 1]);
  const wide = logTicks(0.1, 1e24);
  assert.ok(wide.length <= 6 && wide.length >= 3, `${wide.length} ticks`);
  assert.ok(wide.every((v) => Number.isInteger(Math.log10(v)) || Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9));
  assert.equal(wide[wide.length - 1], 1e24);
  assert.ok(logTicks(0.021, 0.049).length >= 2, 'a range inside one decade still gets labels');
  assert.deepEqual(logTicks(0, 1), []);
});
