import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPair, momentText, sliderRange, withStep } from './lab-explorer.js';
import { nearestPoint, nextPoint } from './explorer-map.js';
import { formatCode, formatValue } from './explorer-views.js';
import { metricPoints, noiseText } from './lab-denoising.js';

test('defaultPair picks the first example and one of another class', () => {
  assert.deepEqual(defaultPair([7, 7, 2, 1]), [0, 2]);
  assert.deepEqual(defaultPair([3, 3]), [0, 1]);
});

test('sliderRange holds the value and pads the occupied range', () => {
  const stats = { bounds: { lo: [0, -1], hi: [4, 1] } };
  assert.deepEqual(sliderRange(stats, 0, 2), [-1, 5]);
  assert.deepEqual(sliderRange(stats, 1, 3), [-2, 4]); // widened to hold 3
  assert.deepEqual(sliderRange(null, 0, 2), [0.5, 3.5]);
  assert.deepEqual(sliderRange({ bounds: { lo: [0], hi: [0] } }, 0, 0), [-1, 1]); // a dead unit still moves
});

test('nearestPoint finds the closest point within the radius', () => {
  const pts = [[0, 0], [10, 10], null, [11, 10]];
  assert.equal(nearestPoint(pts, 10.6, 10, 5), 3);
  assert.equal(nearestPoint(pts, 1, 1, 5), 0);
  assert.equal(nearestPoint(pts, 50, 50, 5), -1);
});

test('latent values are written briefly with true minus signs', () => {
  assert.equal(formatValue(-1.234), '−1.23');
  assert.equal(formatValue(0.0456), '0.046');
  assert.equal(formatValue(1234.5), '1235');
  assert.equal(formatCode([1, -0.5]), '(1.00, −0.50)');
});

test('noiseText and metricPoints', () => {
  assert.equal(noiseText('gaussian', 0.5), 'Gaussian σ = 0.50');
  assert.equal(noiseText('salt_pepper', 0.2), 'salt and pepper 20%');
  assert.deepEqual(metricPoints([{ step: 3, epoch: 0.5, value: 12 }, { epoch: 'x' }]), [{ x: 0.5, y: 12 }]);
});

test('withStep asks for a past moment only while replaying', () => {
  assert.equal(withStep('/api/sessions/a/decode', null), '/api/sessions/a/decode');
  assert.equal(withStep('/api/sessions/a/decode', 0), '/api/sessions/a/decode?step=0');
  assert.equal(withStep('/api/sessions/a/manifold?rows=8&cols=8', 1200), '/api/sessions/a/manifold?rows=8&cols=8&step=1200');
});

test('momentText says which weights a view ran on', () => {
  const index = [{ step: 0, epoch: 0 }, { step: 600, epoch: 1 }, { step: 1200, epoch: 2 }, { step: 50, epoch: 0.0833 }];
  assert.equal(momentText(1200, 1200, index), 'step 1,200 (epoch 2)');
  assert.equal(momentText(600, 50, index), 'step 600 (epoch 1), the kept weights nearest step 50');
  assert.equal(momentText(1940, null, index), 'model at step 1,940');
  assert.equal(momentText(1500, null, index, 'checkpoint'), 'model at step 1,500, its last checkpoint (the server training it did not answer)');
  assert.equal(momentText(50, 50, index), 'step 50 (epoch 0.08)');
});

test('nextPoint moves to the nearest example that way', () => {
  const pts = [[100, 100], [150, 102], [300, 100], [100, 160], [60, 40], null];
  assert.equal(nextPoint(pts, 0, 1, 0), 1); // right: the near one, not the far one
  assert.equal(nextPoint(pts, 1, 1, 0), 2);
  assert.equal(nextPoint(pts, 2, 1, 0), 2); // nothing further right: stays
  assert.equal(nextPoint(pts, 0, 0, 1), 3); // down (y grows)
  assert.equal(nextPoint(pts, 0, 0, -1), 4); // up
  assert.equal(nextPoint(pts, 0, -1, 0), 4); // left: only one that side
  assert.equal(nextPoint(pts, -1, 1, 0, 290, 95), 2); // no cursor yet: the one nearest the start
  // Outside the 60° cone only when nothing is inside it.
  assert.equal(nextPoint([[0, 0], [10, 30], [40, 1]], 0, 1, 0), 2);
  assert.equal(nextPoint([[0, 0], [10, 30]], 0, 1, 0), 1);
});
