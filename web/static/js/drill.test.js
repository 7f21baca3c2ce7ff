import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nearestPoint, describeExample } from './drill.js';

const toPixel = (x, y) => [100 + 10 * x, 200 - 10 * y];

test('nearestPoint picks the closest marker within the radius', () => {
  const latent = { x: [0, 1, 5], y: [0, 1, 5] };
  assert.equal(nearestPoint(latent, toPixel, 101, 199), 0);
  assert.equal(nearestPoint(latent, toPixel, 108, 191), 1);
  assert.equal(nearestPoint(latent, toPixel, 150, 150), 2);
  assert.equal(nearestPoint(latent, toPixel, 300, 300), -1, 'nothing near');
  assert.equal(nearestPoint(latent, () => null, 100, 200), -1, 'not drawn yet');
  assert.equal(nearestPoint(null, toPixel, 100, 200), -1);
  // A 1-unit code has no y: its points lie on y = 0.
  assert.equal(nearestPoint({ x: [0, 3], y: [] }, toPixel, 131, 200), 1);
});

test('describeExample names the example, its class, error and code', () => {
  const r = { step: 120, indices: [17], labels: [7], codes: [[1.5, -0.25]], mse: [0.0213] };
  assert.equal(describeExample(r, ['0', '1', '2', '3', '4', '5', '6', 'seven']), 'Test example 17, class seven: reconstruction error (MSE) 0.0213; code (1.5, -0.25); weights of step 120.');
  const long = { step: 1, indices: [0], labels: [-1], codes: [Array.from({ length: 10 }, (_, i) => i)], mse: [-1] };
  assert.equal(describeExample(long), 'Test example 0: the model diverged: no finite reconstruction; code (0, 1, 2, 3, 4, 5, 6, 7, …); weights of step 1.');
});
