import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extent, niceTicks } from './ticks.js';

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
