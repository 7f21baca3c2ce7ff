import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaHeading, formatBeta, lastParts, partWidths, sharedRange } from './lab-vae.js';

test('formatBeta writes β briefly', () => {
  assert.equal(formatBeta(0.1), '0.1');
  assert.equal(formatBeta(1), '1');
  assert.equal(formatBeta(4), '4');
  assert.equal(formatBeta(0.30000000000000004), '0.3');
  assert.equal(formatBeta(NaN), '?');
});

test('lastParts takes the latest point that has both parts', () => {
  const pts = [
    { step: 0, epoch: 0, loss: 550, reconstruction: 549, kl: 1 },
    { step: 10, epoch: 1, loss: 180, reconstruction: 170, kl: 10 },
    { step: 20, epoch: 2, loss: 170 }, // a point without parts (not a VAE's) is skipped
  ];
  assert.deepEqual(lastParts(pts), { reconstruction: 170, kl: 10, epoch: 1, step: 10 });
  assert.equal(lastParts([]), null);
  assert.equal(lastParts(undefined), null);
  assert.equal(lastParts([{ reconstruction: NaN, kl: 1 }]), null);
});

test('partWidths puts every column on the scale of the largest total', () => {
  assert.deepEqual(partWidths({ reconstruction: 150, kl: 50 }, 200), { reconstruction: 75, kl: 25 });
  assert.deepEqual(partWidths({ reconstruction: 90, kl: 10 }, 200), { reconstruction: 45, kl: 5 });
  assert.deepEqual(partWidths(null, 200), { reconstruction: 0, kl: 0 });
  assert.deepEqual(partWidths({ reconstruction: 1, kl: 1 }, 0), { reconstruction: 0, kl: 0 });
});

test('sharedRange holds every scatter and the prior box, the same on both axes', () => {
  const r = sharedRange([{ x: [-6, 1], y: [0, 3] }, null, { x: [0.5], y: [9, NaN] }], 2);
  assert.deepEqual(r.x, r.y);
  assert.ok(r.x[0] < -6 && r.x[0] > -6.8, `low end ${r.x[0]}`);
  assert.ok(r.x[1] > 9 && r.x[1] < 9.8, `high end ${r.x[1]}`);
  const empty = sharedRange([], 2);
  assert.ok(empty.x[0] < -2 && empty.x[1] > 2 && empty.x[0] > -2.3);
});

test('betaHeading names the β a run trains with, and the one it started with after a change', () => {
  assert.equal(betaHeading(0.1, []), 'β = 0.1');
  assert.equal(betaHeading(0.1, undefined), 'β = 0.1');
  assert.equal(betaHeading(0.1, [{ field: 'learning_rate', from: 0.001, to: 0.01, epoch: 1 }]), 'β = 0.1');
  assert.equal(betaHeading(0.1, [{ field: 'beta', from: 0.1, to: 2, epoch: 3.25 }, { field: 'learning_rate', to: 0.01 }]), 'β = 2 (from 0.1 at epoch 3.3)');
  assert.equal(betaHeading(1, [{ field: 'beta', from: 1, to: 4, epoch: 2 }, { field: 'beta', from: 4, to: 1, epoch: 5 }]), 'β = 1');
});
