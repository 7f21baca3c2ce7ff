import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridLayout, project, fitPoints, samplesWanted, describe } from './thumbs.js';

test('gridLayout makes the cells as large as the box allows', () => {
  // 16 square images in a wide, short box: two rows of eight beat one row of sixteen.
  const g = gridLayout(16, 28, 28, 300, 80, 3);
  assert.equal(g.cols, 8);
  assert.equal(g.rows, 2);
  assert.ok(g.scale * 28 * 8 + 3 * 7 <= 300 + 1e-9);
  assert.ok(g.scale * 28 * 2 + 3 <= 80 + 1e-9);
  // A narrower, taller box: three rows of six.
  assert.deepEqual([gridLayout(16, 28, 28, 260, 96, 3).cols, gridLayout(16, 28, 28, 260, 96, 3).rows], [6, 3]);
  // Six 2:1 curves in the same box: three columns, two rows.
  assert.deepEqual([gridLayout(6, 2, 1, 260, 96, 4).cols, gridLayout(6, 2, 1, 260, 96, 4).rows], [3, 2]);
  // One cell fills the box.
  assert.equal(gridLayout(1, 10, 10, 50, 100, 3).scale, 5);
});

test('project keeps two features and views three obliquely', () => {
  assert.deepEqual(project([0.2, 0.7]), [0.2, 0.7]);
  assert.deepEqual(project([0.4]), [0.4, 0]);
  const [x, y] = project([0, 1, 0]);
  assert.ok(x > 0 && y > 0, 'the second feature adds depth');
  assert.deepEqual(project([0.5, 0, 0.25]), [0.5, 0.25], 'without depth it is the first and third features');
});

test('fitPoints keeps the aspect ratio and flips y', () => {
  const s = fitPoints([[0, 0], [2, 1]], 100, 100, 0);
  // Width 2 and height 1 in a square box: scale 50 on both axes, centred vertically.
  assert.deepEqual(s[0], [0, 75]);
  assert.deepEqual(s[1], [100, 25]);
  const one = fitPoints([[3, 3]], 40, 20, 2);
  assert.deepEqual(one, [[20, 10]], 'a single point sits in the middle');
  assert.deepEqual(fitPoints([], 10, 10, 0), []);
});

test('samplesWanted and describe', () => {
  assert.equal(samplesWanted({ width: 28, height: 28 }), 16);
  assert.equal(samplesWanted({ width: 64, height: 1 }), 6);
  assert.equal(samplesWanted(undefined), 6);
  assert.match(describe({ kind: 'points', count: 500, axes: ['x1', 'x2', 'x3'], class_names: ['a'] }, 'Swiss roll'),
    /500 points of Swiss roll \(x1, x2, x3\), coloured by class/);
  assert.match(describe({ kind: 'image', count: 16 }, 'MNIST'), /16 example images from MNIST/);
  assert.match(describe({ kind: 'vector', count: 6, class_names: [] }, 'Waves'), /^6 example curves from Waves$/);
});
