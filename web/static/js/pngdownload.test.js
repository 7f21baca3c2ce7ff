import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutLegend } from './pngdownload.js';

const opts = { pad: 10, gap: 20, row: 30, box: 16 };
const measure = (t) => t.length * 10;

test('legend items wrap into rows no wider than the picture', () => {
  const items = ['train: 0.1', 'test: 0.2', 'a much longer label'].map((text) => ({ text }));
  const { placed, height } = layoutLegend(items, 300, measure, opts);
  assert.equal(placed.length, 3);
  assert.deepEqual(placed.map((p) => p.y), [0, 0, 30]);
  assert.equal(placed[0].x, 10);
  assert.equal(placed[2].x, 10);
  for (const p of placed) assert.ok(p.x + 16 + 10 + measure(p.item.text) <= 300 - 10 || p.x === 10);
  assert.equal(height, 60);
});

test('no legend takes no room', () => {
  assert.deepEqual(layoutLegend([], 300, measure, opts), { placed: [], height: 0 });
});
