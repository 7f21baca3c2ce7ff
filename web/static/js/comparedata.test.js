import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_COLORS, RUN_SHAPES, runStyle, mergeSeries, latestLoss, aeFigure, rdPoints, spreadLabels, statusLine, log2Ticks, logRange } from './comparedata.js';

test('every run of a full comparison has its own colour and shape', () => {
  const styles = Array.from({ length: 8 }, (_, i) => runStyle(i));
  assert.equal(new Set(styles.map((s) => s.color)).size, 8);
  assert.equal(new Set(styles.map((s) => s.shape)).size, 8);
  assert.equal(RUN_COLORS.length, RUN_SHAPES.length);
  assert.deepEqual(runStyle(8), runStyle(0));
  assert.deepEqual(runStyle(-1), runStyle(0));
});

test('mergeSeries puts runs on one epoch axis with gaps', () => {
  const a = [{ epoch: 0, loss: 1 }, { epoch: 1, loss: 0.5 }];
  const b = [{ epoch: 0.5, loss: 0.8 }, { epoch: 1, loss: 0 }];
  assert.deepEqual(mergeSeries([a, b]), [[0, 0.5, 1], [1, null, 0.5], [null, 0.8, 0]]);
  assert.deepEqual(mergeSeries([a, b], true), [[0, 0.5, 1], [1, null, 0.5], [null, 0.8, null]]);
  assert.deepEqual(mergeSeries([[], []]), [[], [], []]);
  assert.deepEqual(mergeSeries([[{ epoch: 0, loss: NaN }]]), [[0], [null]]);
});

test('latestLoss prefers the state figure, then the last finite test point', () => {
  assert.equal(latestLoss({ testLoss: 0.2, test: [{ loss: 0.3 }] }), 0.2);
  assert.equal(latestLoss({ testLoss: null, test: [{ loss: 0.3 }, { loss: NaN }] }), 0.3);
  assert.equal(latestLoss({ test: [] }), null);
});

test('aeFigure uses the trained test loss, else the training loss as provisional', () => {
  const untrained = { step: 0, loss: 0.23 };
  assert.deepEqual(aeFigure({ test: [untrained, { step: 12, loss: 0.05 }], train: [{ loss: 0.04 }] }), { value: 0.05, provisional: false });
  assert.deepEqual(aeFigure({ test: [untrained], train: [{ loss: 0.09 }, { loss: 0.07 }] }), { value: 0.07, provisional: true });
  assert.deepEqual(aeFigure({ test: [untrained], train: [] }), { value: 0.23, provisional: true });
  assert.deepEqual(aeFigure({ state: 'stopped', testLoss: 0.2, test: [untrained], train: [{ loss: 0.1 }] }), { value: 0.2, provisional: false });
  assert.deepEqual(aeFigure({ test: [], train: [] }), { value: null, provisional: false });
});

test('rdPoints sorts by width and carries the ratio and both losses', () => {
  const runs = [
    { bottleneck: 8, features: 784, state: 'completed', testLoss: 0.03, test: [], train: [], pca: 0.05 },
    { bottleneck: 2, features: 784, test: [{ step: 10, loss: 0.06 }], train: [], pca: null },
    { bottleneck: 0, features: 784, testLoss: 1, test: [], train: [] },
  ];
  assert.deepEqual(rdPoints(runs), [
    { m: 2, ratio: 392, ae: 0.06, provisional: false, pca: null, index: 1 },
    { m: 8, ratio: 98, ae: 0.03, provisional: false, pca: 0.05, index: 0 },
  ]);
});

test('spreadLabels keeps labels apart and inside the plot', () => {
  const out = spreadLabels([100, 101, 300], 20, 0, 400);
  assert.deepEqual(out, [100, 120, 300]);
  const squeezed = spreadLabels([395, 396, 397], 20, 0, 400);
  assert.deepEqual(squeezed, [360, 380, 400]);
  const top = spreadLabels([-5, 0], 10, 0, 100);
  assert.deepEqual(top, [0, 10]);
  assert.deepEqual(spreadLabels([], 10), []);
});

test('statusLine counts the states present', () => {
  assert.equal(statusLine(['running', 'completed', 'running']), '3 runs · 2 running · 1 completed');
  assert.equal(statusLine(['queued']), '1 run · 1 queued');
});

test('log2Ticks uses the widths themselves when few', () => {
  assert.deepEqual(log2Ticks([8, 2, 4, 8], 1, 16), [2, 4, 8]);
  assert.deepEqual(log2Ticks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1, 16, 10), [1, 2, 4, 8, 16]);
});

test('logRange ends on round numbers around the data', () => {
  assert.deepEqual(logRange(0.0091, 0.23), [0.005, 0.5]);
  assert.deepEqual(logRange(0.012, 0.08), [0.01, 0.1]);
  assert.deepEqual(logRange(0.3, 0.3), [0.2, 0.5]);
  assert.deepEqual(logRange(0, 1), [0.001, 1]);
});
