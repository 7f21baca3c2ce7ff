import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBatches, parsePositive, parseRate, settingsBody } from './livecontrols.js';

test('parseRate takes positive numbers only', () => {
  assert.deepEqual(parseRate(' 1e-4 '), { value: 0.0001 });
  assert.deepEqual(parseRate('0.01'), { value: 0.01 });
  for (const bad of ['', '0', '-0.1', 'fast', 'NaN', 'Infinity']) assert.ok(parseRate(bad).error, bad);
});

test('parseBatches takes whole numbers from 1 to 1000', () => {
  assert.deepEqual(parseBatches('3'), { value: 3 });
  assert.deepEqual(parseBatches('1000'), { value: 1000 });
  for (const bad of ['', '0', '1001', '2.5', 'x', '-1']) assert.ok(parseBatches(bad).error, bad);
});

test('parsePositive names the setting', () => {
  assert.deepEqual(parsePositive('4', 'β', '4'), { value: 4 });
  assert.match(parsePositive('0', 'β', '4').error, /^β must be a number greater than 0, not “0”/);
  assert.match(parsePositive('', 'the noise level', '0.3').error, /Type the noise level/);
  assert.match(parsePositive('-1', 'the noise level', '0.3').error, /^The noise level must be/);
});

test('settingsBody sends only what differs from the run', () => {
  const cur = { lr: 0.001, beta: 1, noise: { kind: 'masking', level: 0.3 } };
  assert.deepEqual(settingsBody({ lr: '0.0001' }, cur), { body: { learning_rate: 0.0001 }, said: ['learning rate 0.0001'] });
  assert.deepEqual(settingsBody({ lr: '0.001', beta: '4' }, cur), { body: { beta: 4 }, said: ['β 4'] });
  assert.deepEqual(settingsBody({ lr: '0.001', noiseKind: 'gaussian', noiseLevel: '0.3' }, cur),
    { body: { noise: { kind: 'gaussian', level: 0.3 } }, said: ['gaussian noise 0.3'] });
  assert.deepEqual(settingsBody({ lr: '0.001', noiseKind: 'salt_pepper', noiseLevel: '0.1' }, cur).said, ['salt and pepper noise 0.1']);
  assert.equal(settingsBody({ lr: '0.001', beta: '1' }, cur).error, 'Nothing to change: type a new value first.');
  assert.equal(settingsBody({ lr: '0.001', beta: '0' }, cur).field, 'beta');
  assert.equal(settingsBody({ lr: '0.001', beta: '0.00001' }, cur).field, 'beta');
  assert.equal(settingsBody({ lr: '0.001', beta: '101' }, cur).field, 'beta');
  assert.deepEqual(settingsBody({ lr: '0.001', beta: '0.0001' }, cur).body, { beta: 0.0001 });
  assert.equal(settingsBody({ lr: '0.001', noiseKind: 'masking', noiseLevel: '-1' }, cur).field, 'noise');
  assert.equal(settingsBody({ lr: 'x' }, cur).field, 'lr');
  // Values not known yet (no snapshot): everything typed is sent.
  assert.deepEqual(settingsBody({ lr: '0.001', beta: '1' }).body, { learning_rate: 0.001, beta: 1 });
});
