import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeLabel, markerGroups, num, validChanges } from './markers.js';

test('num writes rates compactly', () => {
  assert.equal(num(0.001), '0.001');
  assert.equal(num(0.0001), '0.0001');
  assert.equal(num(1e-5), '1e-5');
  assert.equal(num(2.5e-5), '2.5e-5');
  assert.equal(num(4), '4');
  assert.equal(num(0.30000000000000004), '0.3');
  assert.equal(num(NaN), '–');
});

test('changeLabel names the setting and both values', () => {
  assert.equal(changeLabel({ field: 'learning_rate', from: 0.001, to: 0.0001 }), 'lr 0.001 → 0.0001');
  assert.equal(changeLabel({ field: 'beta', from: 1, to: 4 }), 'β 1 → 4');
  assert.equal(changeLabel({ field: 'noise', from: 0.3, to: 0.5, from_kind: 'gaussian', to_kind: 'gaussian' }), 'noise 0.3 → 0.5');
  assert.equal(changeLabel({ field: 'noise', from: 0.3, to: 0.5, from_kind: 'gaussian', to_kind: 'masking' }), 'noise gaussian 0.3 → masking 0.5');
});

test('markerGroups joins the changes of one step and sorts by step', () => {
  const got = markerGroups(validChanges([
    { step: 40, epoch: 0.5, field: 'beta', from: 1, to: 4 },
    { step: 10, epoch: 0.1, field: 'learning_rate', from: 0.001, to: 0.01 },
    { step: 40, epoch: 0.5, field: 'learning_rate', from: 0.01, to: 0.001 },
    { step: 'x', field: 'beta' },
    null,
  ]));
  assert.deepEqual(got, [
    { epoch: 0.1, step: 10, label: 'lr 0.001 → 0.01' },
    { epoch: 0.5, step: 40, label: 'β 1 → 4, lr 0.01 → 0.001' },
  ]);
});
