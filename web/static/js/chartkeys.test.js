import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextIndex } from './chartkeys.js';

test('nextIndex moves along a row of bars', () => {
  assert.equal(nextIndex('ArrowRight', -1, 32), 0); // the first key selects
  assert.equal(nextIndex('End', -1, 32), 31);
  assert.equal(nextIndex('ArrowRight', 3, 32), 4);
  assert.equal(nextIndex('ArrowUp', 3, 32), 4);
  assert.equal(nextIndex('ArrowLeft', 0, 32), 0); // stays at the ends
  assert.equal(nextIndex('ArrowRight', 31, 32), 31);
  assert.equal(nextIndex('Home', 17, 32), 0);
  assert.equal(nextIndex('PageUp', 30, 32), 31);
  assert.equal(nextIndex('a', 3, 32), undefined);
  assert.equal(nextIndex('Enter', -1, 32), undefined);
  assert.equal(nextIndex('ArrowRight', -1, 0), undefined); // no data yet
});

test('nextIndex moves through a grid of tiles row by row', () => {
  // 3 × 4: row r, column c is r·4 + c
  assert.equal(nextIndex('ArrowDown', 1, 12, 4), 5);
  assert.equal(nextIndex('ArrowDown', 9, 12, 4), 9); // bottom row
  assert.equal(nextIndex('ArrowUp', 5, 12, 4), 1);
  assert.equal(nextIndex('ArrowUp', 2, 12, 4), 2); // top row
  assert.equal(nextIndex('ArrowRight', 3, 12, 4), 3); // no wrap to the next row
  assert.equal(nextIndex('ArrowLeft', 4, 12, 4), 4);
  assert.equal(nextIndex('Home', 6, 12, 4), 4);
  assert.equal(nextIndex('End', 4, 12, 4), 7);
  assert.equal(nextIndex('PageDown', 1, 12, 4), 9);
});
