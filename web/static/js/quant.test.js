import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, dequantise, examples } from './quant.js';

test('decodeBase64 returns the bytes', () => {
  const bytes = decodeBase64(Buffer.from([0, 1, 127, 128, 254, 255]).toString('base64'));
  assert.deepEqual([...bytes], [0, 1, 127, 128, 254, 255]);
  assert.equal(decodeBase64('').length, 0);
});

test('dequantise maps b to lo + b/255·(hi−lo)', () => {
  const v = dequantise(Uint8Array.from([0, 51, 255]), -1, 4);
  assert.equal(v[0], -1);
  assert.ok(Math.abs(v[1] - 0) < 1e-6);
  assert.equal(v[2], 4);
  const u = dequantise(Uint8Array.from([0, 255]), 0, 1);
  assert.deepEqual([...u], [0, 1]);
});

test('examples splits a flat array example after example', () => {
  const flat = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const ex = examples(flat, 3, 2);
  assert.deepEqual(ex.map((e) => [...e]), [[1, 2], [3, 4], [5, 6]]);
  const short = examples(Uint8Array.from([1, 2, 3]), 2, 2);
  assert.deepEqual(short.map((e) => [...e]), [[1, 2], [3]]);
});
