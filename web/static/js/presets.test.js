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

test('the sparse preset sets a penalty and a wider code; the denoising one trains on masked inputs', () => {
  const sparse = buildConfig({ ...PRESETS.sparse, seed: '1' });
  assert.deepEqual(sparse.errors, {});
  assert.equal(sparse.config.sparsity, 0.01);
  assert.ok(sparse.config.bottleneck > Number(PRESETS.plain.bottleneck), 'the sparse code is wider than the plain one');
  assert.equal(sparse.config.noise, undefined);
  const den = buildConfig({ ...PRESETS.denoising, seed: '1' });
  assert.deepEqual(den.errors, {});
  assert.deepEqual(den.config.noise, { kind: 'masking', level: 0.3 });
  assert.equal(den.config.sparsity, undefined);
  for (const name of Object.keys(PRESETS)) {
    assert.ok('noise' in PRESETS[name] && 'noise_level' in PRESETS[name], `preset ${name} leaves the noise as it was`);
  }
});

test('a noise kind needs a level', () => {
  const { errors, config } = buildConfig({ ...PRESETS.plain, seed: '1', noise: 'gaussian', noise_level: '' });
  assert.match(errors.noise_level, /noise level/);
  assert.equal(config.noise, undefined);
});
