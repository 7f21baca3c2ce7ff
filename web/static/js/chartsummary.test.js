import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossSummary, latentSummary, reconSummary } from './chartsummary.js';

test('lossSummary gives the latest test and training loss', () => {
  const train = [{ step: 10, epoch: 0.5, loss: 0.05 }, { step: 938, epoch: 3, loss: 0.0131 }];
  const test = [{ step: 0, epoch: 0, loss: 0.2 }, { step: 900, epoch: 3, loss: 0.012345 }];
  assert.equal(lossSummary(train, test), 'Test loss 0.01235 at epoch 3; training loss 0.0131 at step 938.');
  assert.equal(lossSummary(train, []), 'Training loss 0.0131 at step 938.');
  assert.equal(lossSummary([{ step: 1, epoch: 0, loss: NaN }], []), 'Loss by epoch: no loss measured yet.');
});

test('latentSummary and reconSummary describe their frames', () => {
  assert.equal(latentSummary({ x: [1, 2, 3], y: [0, 1, 2], labels: [0, 1, 1], projection: 'identity', epoch: 2 }),
    'Scatter plot of the codes of 3 test examples from 2 classes, the code units as axes, at epoch 2.');
  assert.match(latentSummary({ x: Array(1000).fill(0), labels: [], projection: 'pca', epoch: 0.5 }), /^Scatter plot of the codes of 1,000 test examples, projected on their first two principal components, at epoch 0\.5\.$/);
  assert.match(latentSummary(null), /waiting for data/);
  assert.equal(reconSummary({ mse: [0.01, 0.03], epoch: 1.25 }), '2 test examples and their reconstructions at epoch 1.25; mean squared error 0.02.');
  assert.match(reconSummary(null), /waiting for data/);
});
