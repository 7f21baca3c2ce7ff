import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeLoss, validPoints, lastLoss, partKeys } from './lossdata.js';

const p = (epoch, loss, step = 0) => ({ step, epoch, loss });

test('mergeLoss aligns train and test points on one x axis', () => {
  const train = [p(0.1, 0.5), p(0.2, 0.4), p(1, 0.3)];
  const test = [p(0, 0.7), p(1, 0.35)];
  assert.deepEqual(mergeLoss(train, test), [
    [0, 0.1, 0.2, 1],
    [null, 0.5, 0.4, 0.3],
    [0.7, null, null, 0.35],
  ]);
});

test('mergeLoss drops non-positive losses in log mode and non-finite ones always', () => {
  const [, a, b] = mergeLoss([p(0.5, 0), p(1, null)], [p(1, -1)], true);
  assert.deepEqual(a, [null, null]);
  assert.deepEqual(b, [null, null]);
  const [, lin] = mergeLoss([p(0.5, 0)], [], false);
  assert.deepEqual(lin, [0]);
});

test('validPoints and lastLoss', () => {
  assert.deepEqual(validPoints([p(1, 2), null, { epoch: 'x' }]), [p(1, 2)]);
  assert.deepEqual(validPoints(undefined), []);
  assert.equal(lastLoss([p(0, 0.5), p(1, 0.25), p(2, null)]), 0.25);
  assert.equal(lastLoss([]), null);
});

test('mergeLoss adds the training points\' parts as extra series', () => {
  const train = [{ epoch: 0.5, loss: 120, reconstruction: 100, kl: 20 }, { epoch: 1, loss: 110, reconstruction: 88, kl: 22 }];
  const test = [{ epoch: 0, loss: 540, reconstruction: 538, kl: 2 }, { epoch: 1, loss: 108, reconstruction: 85, kl: 23 }];
  assert.deepEqual(partKeys(train), ['reconstruction', 'kl']);
  assert.deepEqual(partKeys([p(1, 2)]), []);
  assert.deepEqual(mergeLoss(train, test, false, ['reconstruction', 'kl']), [
    [0, 0.5, 1],
    [null, 120, 110],
    [540, null, 108],
    [null, 100, 88],
    [null, 20, 22],
  ]);
});
