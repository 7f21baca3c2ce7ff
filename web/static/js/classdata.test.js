import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTile, sortTiles, counts, countText, rdRuns, tileLoss, progressText, describeTile } from './classdata.js';

const tile = (id, o = {}) => ({ id, student: id.toUpperCase(), state: 'running', dataset: 'mnist', bottleneck: 2, features: 784, created_at: `2026-01-01T00:00:0${'abcd'.indexOf(id) + 1}Z`, ...o });

test('mergeTile keeps pictures and PCA a later message leaves out', () => {
  const a = mergeTile(null, tile('a', { spark: [1, 2], latent: { x: 'AA' }, recon: { count: 1 }, pca: 0.05 }));
  const b = mergeTile(a, tile('a', { epoch: 3, pca: null }));
  assert.deepEqual(b.spark, [1, 2]);
  assert.equal(b.latent.x, 'AA');
  assert.equal(b.recon.count, 1);
  assert.equal(b.pca, 0.05);
  assert.equal(b.epoch, 3);
  const c = mergeTile(b, tile('a', { spark: [3] }));
  assert.deepEqual(c.spark, [3]);
});

test('sortTiles by loss puts runs without a loss last; by width, student, newest', () => {
  const ts = [tile('a', { test_loss: 0.3, bottleneck: 8 }), tile('b', { train_loss: 0.1, bottleneck: 2 }), tile('c', { bottleneck: 4 }), tile('d', { test_loss: 0.2, bottleneck: 2 })];
  assert.deepEqual(sortTiles(ts, 'loss').map((t) => t.id), ['b', 'd', 'a', 'c']);
  assert.deepEqual(sortTiles(ts, 'width').map((t) => t.id), ['b', 'd', 'c', 'a']);
  assert.deepEqual(sortTiles(ts, 'student').map((t) => t.id), ['a', 'b', 'c', 'd']);
  assert.deepEqual(sortTiles(ts, 'newest').map((t) => t.id), ['d', 'c', 'b', 'a']);
  assert.equal(tileLoss({ test_loss: NaN, train_loss: 2 }), 2);
});

test('counts and their words', () => {
  const c = counts([tile('a'), tile('b', { state: 'completed' }), tile('c', { state: 'queued' })], 4);
  assert.deepEqual(c, { students: 4, running: 2, runs: 3 });
  assert.equal(countText(1, 'student'), '1 student');
  assert.equal(countText(0, 'run'), '0 runs');
});

test('rdRuns keeps the lesson dataset (or the most common) and its figures', () => {
  const ts = [tile('a', { test_loss: 0.03, pca: 0.05, step: 10 }), tile('b', { dataset: 'blobs' }), tile('c', { train_loss: 0.2, step: 4 })];
  const r = rdRuns(ts);
  assert.deepEqual(r.map((x) => x.id), ['a', 'c']);
  assert.equal(r[0].pca, 0.05);
  assert.equal(r[0].test[0].loss, 0.03);
  assert.deepEqual(r[1].test, []);
  assert.equal(r[1].train[0].loss, 0.2);
  assert.deepEqual(rdRuns(ts, 'blobs').map((x) => x.id), ['b']);
});

test('progress and description lines', () => {
  assert.equal(progressText(tile('a', { epoch: 2, epochs: 5 })), 'epoch 2 of 5');
  assert.equal(progressText(tile('a', { state: 'queued' })), 'waiting for a turn');
  assert.equal(describeTile(tile('a', { differs: ['M = 8', 'tanh'] })), 'M = 8 · tanh');
  assert.equal(describeTile(tile('a', { differs: [] })), 'as the lesson · M = 2');
});
