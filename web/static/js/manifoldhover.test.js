import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tileAt, tileCode } from './manifoldhover.js';

const body = { rows: 4, cols: 4, bounds: { lo: [-2, -1], hi: [2, 3] } };

test('tileAt maps a pointer to its tile, and the margins to none', () => {
  // width 470: the grid is 400 px square from x = 62; tiles of 100 px.
  assert.deepEqual(tileAt(body, 470, 62, 0), { r: 0, c: 0 });
  assert.deepEqual(tileAt(body, 470, 62 + 399, 399), { r: 3, c: 3 });
  assert.deepEqual(tileAt(body, 470, 62 + 150, 250), { r: 2, c: 1 });
  assert.equal(tileAt(body, 470, 30, 10), null, 'axis margin');
  assert.equal(tileAt(body, 470, 100, 420), null, 'below the grid');
  assert.equal(tileAt(null, 470, 100, 100), null);
});

test('tileCode follows the API: z1 left to right, z2 top to bottom from hi to lo', () => {
  assert.deepEqual(tileCode(body, 0, 0), [-2, 3]);
  assert.deepEqual(tileCode(body, 3, 3), [2, -1]);
  const [z1, z2] = tileCode(body, 1, 2);
  assert.ok(Math.abs(z1 - 2 / 3) < 1e-12 && Math.abs(z2 - 5 / 3) < 1e-12);
  assert.deepEqual(tileCode({ rows: 1, cols: 1, bounds: body.bounds }, 0, 0), [0, 1]);
});
