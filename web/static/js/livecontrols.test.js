import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBatches, parseRate } from './livecontrols.js';

test('parseRate takes positive numbers only', () => {
  assert.deepEqual(parseRate(' 1e-4 '), { value: 0.0001 });
  assert.deepEqual(parseRate('0.01'), { value: 0.01 });
  for (const bad of ['', '0', '-0.1', 'fast', 'NaN', 'Infinity']) assert.ok(parseRate(bad).error, bad);
});

test('parseBatches takes whole numbers from 1 to 1000', () => {
  assert.deepEqual(parseBatches('3'), { value: 3 });
  assert.deepEqual(parseBatches('1000'), { value: 1000 });
  for (const bad of ['', '0', '1001', '2.5', 'x', '-1']) assert.ok(parseBatches(bad).error, bad);
});
