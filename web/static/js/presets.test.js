import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS } from './presets.js';
import { buildConfig } from './arch.js';

test('the convolutional preset is the reference network, and the others clear conv', () => {
  const { config, errors } = buildConfig({ ...PRESETS.conv, seed: '1' }); // the form keeps its seed
  assert.deepEqual(errors, {});
  assert.deepEqual(config.conv, [{ filters: 16, kernel: 3, stride: 2 }, { filters: 32, kernel: 3, stride: 2 }]);
  assert.deepEqual(config.encoder, []);
  assert.equal(config.bottleneck, 32);
  for (const name of Object.keys(PRESETS)) {
    assert.ok('conv' in PRESETS[name], `preset ${name} leaves conv as it was`);
  }
});
