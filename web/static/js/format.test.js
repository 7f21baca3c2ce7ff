import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInt, formatRatio, formatLoss, formatDuration, formatTick } from './format.js';

test('formatInt groups thousands', () => {
  assert.equal(formatInt(1234), '1,234');
  assert.equal(formatInt(4690), '4,690');
  assert.equal(formatInt(402420), '402,420');
  assert.equal(formatInt(31200.4), '31,200');
  assert.equal(formatInt(7), '7');
  assert.equal(formatInt(NaN), '–');
});

test('formatRatio', () => {
  assert.equal(formatRatio(784 / 50), '15.7×');
  assert.equal(formatRatio(15.68), '15.7×');
  assert.equal(formatRatio(784 / 2), '392×');
  assert.equal(formatRatio(2), '2.0×');
  assert.equal(formatRatio(0.5), '0.50×');
  assert.equal(formatRatio(Infinity), '–');
  assert.equal(formatRatio(NaN), '–');
});

test('formatLoss writes a diverged loss briefly', () => {
  assert.equal(formatLoss(6.4331e24), '6.433e24');
  assert.equal(formatLoss(1e12), '1e12');
  assert.equal(formatLoss(12345), '12350');
});

test('formatLoss keeps four significant digits', () => {
  assert.equal(formatLoss(0.0123), '0.0123');
  assert.equal(formatLoss(0.012345678), '0.01235');
  assert.equal(formatLoss(1.5), '1.5');
  assert.equal(formatLoss(0), '0');
  assert.equal(formatLoss(0.000015), '1.5e-5');
  assert.equal(formatLoss(null), '–');
});

test('formatDuration', () => {
  assert.equal(formatDuration(8.4), '8 s');
  assert.equal(formatDuration(72), '1 min 12 s');
  assert.equal(formatDuration(120), '2 min');
  assert.equal(formatDuration(3900), '1 h 5 min');
  assert.equal(formatDuration(7200), '2 h');
  assert.equal(formatDuration(-1), '–');
});

test('formatTick uses the tick step for its digits', () => {
  assert.equal(formatTick(0.5, 0.5), '0.5');
  assert.equal(formatTick(1, 0.25), '1.00');
  assert.equal(formatTick(20, 10), '20');
  assert.equal(formatTick(1e-12, 0.1), '0');
});
