import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestF1, confusion, histograms, prf, quantile, shareAtOrAbove, splitScores } from './anomalystats.js';

test('splitScores separates normal classes from anomalies and drops non-finite scores', () => {
  const s = splitScores([0.1, 0.5, NaN, 0.2, 0.9], [1, 0, 1, 2, 0], [1, 2]);
  assert.deepEqual(s.normal, [0.1, 0.2]);
  assert.deepEqual(s.anomalous, [0.5, 0.9]);
  assert.deepEqual(s.positive, [false, true, false, true]);
  assert.deepEqual(s.scores, [0.1, 0.5, 0.2, 0.9]);
});

test('confusion and prf: a known table', () => {
  const scores = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];
  const positive = [true, false, true, true, false, false];
  const c = confusion(scores, positive, 0.7);
  assert.deepEqual(c, { tp: 2, fp: 1, tn: 2, fn: 1 });
  const r = prf(c);
  assert.equal(r.precision, 2 / 3);
  assert.equal(r.recall, 2 / 3);
  assert.ok(Math.abs(r.f1 - 2 / 3) < 1e-12);
  assert.deepEqual(prf({ tp: 0, fp: 0, fn: 3 }), { precision: 0, recall: 0, f1: 0 });
});

test('bestF1 finds the threshold that separates a perfect detector', () => {
  const scores = [0.1, 0.2, 0.3, 0.8, 0.9];
  const positive = [false, false, false, true, true];
  assert.deepEqual(bestF1(scores, positive), { threshold: 0.8, f1: 1 });
  assert.ok(Number.isNaN(bestF1([0.1, 0.2], [false, false]).f1));
  // Tied scores are flagged together.
  assert.deepEqual(bestF1([0.5, 0.5, 0.1], [true, false, false]).threshold, 0.5);
});

test('histograms share a range and report each group as a share of itself', () => {
  const h = histograms([0, 0.1, 0.2, 0.3], [0.9, 1.0], { bins: 10, clip: 1 });
  assert.equal(h.edges.length, 11);
  assert.equal(h.edges[0], 0);
  assert.equal(h.edges[10], 1);
  assert.ok(Math.abs(h.normal.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.abs(h.anomalous.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(h.anomalous[9], 1); // 0.9 and the maximum 1.0 land in the last bin
  assert.equal(h.overflow, false);
  const c = histograms([0, 0.1, 0.2, 0.3], [0.9, 10], { bins: 10, clip: 0.5 });
  assert.equal(c.overflow, true);
  assert.equal(c.anomalous[9], 1);
  const l = histograms([0.001, 0.01], [0.1, 1], { bins: 3, clip: 1, log: true });
  assert.deepEqual(l.edges.map((e) => Math.round(e)), [-3, -2, -1, 0]);
});

test('quantile and shareAtOrAbove', () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([1, 2], 0.25), 1.25);
  assert.equal(shareAtOrAbove([1, 2, 3, 4], 3), 0.5);
  assert.equal(shareAtOrAbove([1, 2, 3, 4], 0), 1);
  assert.equal(shareAtOrAbove([1, 2, 3, 4], 5), 0);
});

test('examplesInBin picks the scores of a bin, highest first, the last bin taking every higher one', async () => {
  const { examplesInBin } = await import('./anomalystats.js');
  const scores = [0.1, 0.5, 0.25, 0.3, 2, 0.29];
  assert.deepEqual(examplesInBin(scores, { lo: 0.25, hi: 0.3, first: false, last: false }), { count: 2, indices: [5, 2] });
  assert.deepEqual(examplesInBin(scores, { lo: 0.3, hi: 0.6, first: false, last: true }), { count: 3, indices: [4, 1, 3] });
  assert.deepEqual(examplesInBin(scores, { lo: 0.2, hi: 0.25, first: true, last: false }), { count: 1, indices: [0] });
  assert.deepEqual(examplesInBin(scores, { lo: Math.log10(0.3), hi: 1, first: false, last: true, log: true }, 1), { count: 3, indices: [4] });
});
