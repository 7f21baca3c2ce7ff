import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressText } from './progress.js';

const p = { epoch: 2, epochs: 5, step: 1234, total_steps: 4690, samples_per_sec: 31200.4, elapsed_seconds: 40, eta_seconds: 72 };

test('running progress reads like the spec', () => {
  assert.equal(progressText(p, 'running'), 'Epoch 2/5 · step 1,234/4,690 · 31,200 samples/s · 1 min 12 s left');
});

test('other states', () => {
  assert.equal(progressText(null, 'queued', 3), 'Queued · number 3 in line');
  assert.equal(progressText(p, 'paused'), 'Paused · Epoch 2/5 · step 1,234/4,690');
  assert.equal(progressText({ ...p, epoch: 5, step: 4690, eta_seconds: 0 }, 'completed'),
    'Done · Epoch 5/5 · step 4,690/4,690 · 40 s of training (time computing; waiting for a CPU turn beside other runs, in the queue or paused not counted)');
  assert.equal(progressText(null, 'running'), 'Waiting for the first update…');
  assert.equal(progressText({ ...p, samples_per_sec: 0, eta_seconds: 0 }, 'running'), 'Epoch 2/5 · step 1,234/4,690');
});
