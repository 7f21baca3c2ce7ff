import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseLayers, parseInteger, parseDecimal, buildConfig, layerSizes, paramCount,
  compressionRatio, layerNames, MSG_LAYERS, MSG_INT, MSG_NUMBER, MSG_REQUIRED,
  parseConv, MSG_CONV, MSG_CLASSES, formErrors,
} from './arch.js';

test('parseConv', () => {
  assert.deepEqual(parseConv(''), { value: [] });
  assert.deepEqual(parseConv('16, 32'), {
    value: [{ filters: 16, kernel: 3, stride: 2 }, { filters: 32, kernel: 3, stride: 2 }],
  });
  assert.deepEqual(parseConv('16/5/1 8'), {
    value: [{ filters: 16, kernel: 5, stride: 1 }, { filters: 8, kernel: 3, stride: 2 }],
  });
  assert.deepEqual(parseConv('16/5'), { error: MSG_CONV });
  assert.deepEqual(parseConv('16x3'), { error: MSG_CONV });
  assert.deepEqual(parseConv('-4'), { error: MSG_CONV });
  const { config, errors } = buildConfig({ encoder: '', bottleneck: '32', conv: '16, 32', learning_rate: '0.001',
    batch_size: '64', epochs: '1', seed: '1' });
  assert.deepEqual(errors, {});
  assert.deepEqual(config.conv, [{ filters: 16, kernel: 3, stride: 2 }, { filters: 32, kernel: 3, stride: 2 }]);
  assert.equal(buildConfig({ conv: '16/x' }).errors.conv, MSG_CONV);
});

test('parseLayers', () => {
  assert.deepEqual(parseLayers('256'), { value: [256] });
  assert.deepEqual(parseLayers('512, 128'), { value: [512, 128] });
  assert.deepEqual(parseLayers(' 512 ,128 '), { value: [512, 128] });
  assert.deepEqual(parseLayers('512 128'), { value: [512, 128] });
  assert.deepEqual(parseLayers(''), { value: [] });
  assert.deepEqual(parseLayers('12.5'), { error: MSG_LAYERS });
  assert.deepEqual(parseLayers('abc'), { error: MSG_LAYERS });
  assert.deepEqual(parseLayers('-3'), { error: MSG_LAYERS });
});

test('parseInteger and parseDecimal', () => {
  assert.deepEqual(parseInteger('64'), { value: 64 });
  assert.deepEqual(parseInteger(' 60_000 '), { value: 60000 });
  assert.equal(parseInteger('6.4').error, MSG_INT);
  assert.equal(parseInteger('').error, MSG_REQUIRED);
  assert.deepEqual(parseDecimal('0.001'), { value: 0.001 });
  assert.deepEqual(parseDecimal('1e-3'), { value: 0.001 });
  assert.deepEqual(parseDecimal('.5'), { value: 0.5 });
  assert.equal(parseDecimal('0,001').error, MSG_NUMBER);
  assert.equal(parseDecimal('fast').error, MSG_NUMBER);
});

const typed = {
  dataset: 'mnist', encoder: '256', bottleneck: '50', decoder: '', activation: 'relu',
  output_activation: 'sigmoid', loss: 'mse', optimizer: 'adam', learning_rate: '0.001',
  batch_size: '64', epochs: '5', train_size: '60000', seed: '1',
};

test('buildConfig produces the documented check request', () => {
  const { config, errors } = buildConfig(typed);
  assert.deepEqual(errors, {});
  assert.equal(JSON.stringify(config),
    '{"dataset":"mnist","encoder":[256],"bottleneck":50,"activation":"relu","output_activation":"sigmoid","loss":"mse","optimizer":"adam","learning_rate":0.001,"batch_size":64,"epochs":5,"train_size":60000,"seed":1}');
});

test('buildConfig sends an explicit decoder and omits a blank train_size', () => {
  const { config, errors } = buildConfig({ ...typed, encoder: '512, 128', decoder: '128,512', train_size: '' });
  assert.deepEqual(errors, {});
  assert.deepEqual(config.encoder, [512, 128]);
  assert.deepEqual(config.decoder, [128, 512]);
  assert.equal('train_size' in config, false);
});

test('buildConfig reports fields that do not parse and leaves them out', () => {
  const { config, errors } = buildConfig({ ...typed, bottleneck: 'fifty', encoder: '256,x', learning_rate: '' },
    new Set(['seed']));
  assert.equal(errors.bottleneck, MSG_INT);
  assert.equal(errors.encoder, MSG_LAYERS);
  assert.equal(errors.learning_rate, MSG_REQUIRED);
  assert.equal(errors.seed, MSG_INT);
  for (const k of ['bottleneck', 'encoder', 'learning_rate', 'seed']) assert.equal(k in config, false, k);
  assert.equal(config.epochs, 5);
});

test('buildConfig leaves a blank bottleneck to the server, which names it as missing', () => {
  const { config, errors } = buildConfig({ ...typed, bottleneck: ' ' });
  assert.equal('bottleneck' in errors, false);
  assert.equal('bottleneck' in config, false);
});

test('layerSizes mirrors the encoder when the decoder is missing', () => {
  assert.deepEqual(layerSizes(784, [512, 128], 2), [784, 512, 128, 2, 128, 512, 784]);
  assert.deepEqual(layerSizes(784, [256], 50, [64]), [784, 256, 50, 64, 784]);
  assert.deepEqual(layerSizes(784, [], 30), [784, 30, 784]);
  assert.equal(layerSizes(undefined, [256], 50), null);
  assert.equal(layerSizes(784, [256], undefined), null);
});

test('paramCount sums (in+1)·out', () => {
  // 785·256 + 257·50 + 51·256 + 257·784
  assert.equal(paramCount([784, 256, 50, 256, 784]), 200960 + 12850 + 13056 + 201488);
  assert.equal(paramCount([2, 1, 2]), 3 + 4);
  assert.equal(paramCount([10]), 0);
});

test('compressionRatio and layerNames', () => {
  assert.equal(compressionRatio(784, 50), 15.68);
  assert.ok(Number.isNaN(compressionRatio(784, 0)));
  assert.deepEqual(layerNames([784, 512, 128, 2, 128, 512, 784], 2),
    ['input', 'enc 1', 'enc 2', 'code', 'dec 1', 'dec 2', 'output']);
  assert.deepEqual(layerNames([784, 30, 784], 0), ['input', 'code', 'output']);
});

test('buildConfig sends kind, and beta, sparsity and weight_decay only when typed', () => {
  const base = { dataset: 'mnist', encoder: '256', bottleneck: '2', learning_rate: '0.001', batch_size: '64', epochs: '5', seed: '1' };
  let { config, errors } = buildConfig({ ...base, kind: 'vae', beta: '4', sparsity: '', weight_decay: '0.0001' });
  assert.deepEqual(errors, {});
  assert.equal(config.kind, 'vae');
  assert.equal(config.beta, 4);
  assert.equal(config.weight_decay, 0.0001);
  assert.ok(!('sparsity' in config));
  ({ config, errors } = buildConfig({ ...base, kind: 'vae', beta: 'lots' }));
  assert.ok(errors.beta);
  assert.ok(!('beta' in config));
  // β is a VAE's alone: for a plain autoencoder its (hidden) field is left out, typed or not.
  ({ config, errors } = buildConfig({ ...base, kind: 'ae', beta: '4' }));
  assert.deepEqual(errors, {});
  assert.ok(!('beta' in config));
  ({ config, errors } = buildConfig({ ...base, kind: 'ae', beta: 'lots' }));
  assert.deepEqual(errors, {});
});

test('formErrors puts the server\'s noise message next to the noise level', () => {
  assert.deepEqual(formErrors({ noise: 'masking noise: level 1.5 …', epochs: 'x' }), { noise_level: 'masking noise: level 1.5 …', epochs: 'x' });
  assert.deepEqual(formErrors({ noise: 'a', noise_level: 'b' }), { noise: 'a', noise_level: 'b' });
  assert.deepEqual(formErrors(undefined), {});
});

test('buildConfig sends init, test_size and train_classes only when given', () => {
  const base = { dataset: 'mnist', encoder: '256', bottleneck: '2', learning_rate: '0.001', batch_size: '64', epochs: '5', seed: '1' };
  let { config, errors } = buildConfig({ ...base, init: 'pytorch', test_size: '500', train_classes: '0, 1' });
  assert.deepEqual(errors, {});
  assert.equal(config.init, 'pytorch');
  assert.equal(config.test_size, 500);
  assert.deepEqual(config.train_classes, [0, 1]);
  ({ config, errors } = buildConfig({ ...base, init: '', test_size: '', train_classes: '' }));
  assert.deepEqual(errors, {});
  for (const k of ['init', 'test_size', 'train_classes']) assert.equal(k in config, false, k);
  ({ config, errors } = buildConfig({ ...base, train_classes: '0, two' }));
  assert.equal(errors.train_classes, MSG_CLASSES);
  assert.equal('train_classes' in config, false);
});
