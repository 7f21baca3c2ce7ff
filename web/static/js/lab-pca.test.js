import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossPoints, versus, zoomRange } from './lab-pca.js';

test('lossPoints keeps finite points as {x: epoch, y: loss}', () => {
  assert.deepEqual(lossPoints([{ step: 0, epoch: 0, loss: 0.2 }, { epoch: 1, loss: NaN }, null, { epoch: 2, loss: 0.05 }]),
    [{ x: 0, y: 0.2 }, { x: 2, y: 0.05 }]);
  assert.deepEqual(lossPoints(undefined), []);
});

test('versus compares an error with PCA in words', () => {
  assert.equal(versus(0.0549, 0.0547), 'the same as PCA');
  assert.equal(versus(0.0258, 0.0378), '31.7% below PCA');
  assert.equal(versus(0.0605, 0.05687), '6.4% above PCA');
  assert.equal(versus(NaN, 0.05), '');
});

test('zoomRange shows the gap to the PCA line and cuts the untrained losses off', () => {
  const [lo, hi] = zoomRange(0.0258, 0.3, 0.0378);
  assert.ok(lo > 0.015 && lo < 0.0258, `bottom ${lo}`);
  assert.ok(hi > 0.0378 && hi < 0.1, `top ${hi}`);
  const [lo2, hi2] = zoomRange(0.05, 0.06, 0.0547);
  assert.ok(lo2 < 0.05 && hi2 >= 0.06 * 0.99 && hi2 < 0.07, `${lo2} ${hi2}`);
  assert.deepEqual(zoomRange(NaN, NaN, NaN), [0, 0.1]);
  assert.deepEqual(zoomRange(0.1, 0.2, NaN), [0, 0.2 * 1.05]);
});
