import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describePoint, pickSummary } from './comparepick.js';

const latent = { x: [0.5, -1.25], y: [2, 0.125], labels: [3, -1], class_names: ['0', '1', '2', 'three'] };

test('describePoint names the example, its class, the run and its code', () => {
  const s = describePoint(latent, 0, 'M = 2');
  assert.match(s, /^Test example 0, class three in M = 2: at \(0\.5, 2\)/);
  assert.match(s, /Enter shows it/);
  assert.equal(describePoint(latent, 1).startsWith('Test example 1: at (-1.25, 0.125)'), true); // unlabelled
  assert.equal(describePoint(latent, 2), '');
  assert.equal(describePoint(null, 0), '');
  // A 1-unit code has no y.
  assert.match(describePoint({ x: [0.25], y: [] }, 0), /at \(0\.25\)/);
});

test('pickSummary gives each run its error on the example', () => {
  const answers = [
    { label: 'M = 2', body: { labels: [3], mse: [0.0312] } },
    { label: 'M = 8', body: { labels: [3], mse: [-1] } },
    { label: 'M = 32', error: 'busy' },
  ];
  assert.equal(pickSummary(7, answers, latent.class_names), 'Test example 7, class three. Reconstruction error (MSE): M = 2 0.0312; M = 8 diverged.');
  assert.equal(pickSummary(7, [{ label: 'x', error: 'gone' }]), 'Test example 7: no run could reconstruct it.');
});
