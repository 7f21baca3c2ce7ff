import { test } from 'node:test';
import assert from 'node:assert/strict';
import { model, inputTex, bottleneckTex, layerTex, paramsTex, lossTex, optimizerTex, summaryText, texNum, convTex } from './mathstex.js';

const dense = {
  config: { kind: 'ae', encoder: [256], decoder: [256], activation: 'relu', bottleneck_activation: 'linear', output_activation: 'sigmoid', loss: 'mse', optimizer: 'adam', learning_rate: 0.001, batch_size: 64 },
  summary: { sizes: [784, 256, 50, 256, 784], features: 784, bottleneck: 50, ratio: 15.68, params: 428354 },
};

test('dense model: layers, shapes and the parameter sum add up to the server count', () => {
  const m = model(dense);
  assert.equal(m.K, 784);
  assert.equal(m.M, 50);
  assert.deepEqual(m.layers.map((l) => [l.in, l.out, l.act]), [[784, 256, 'relu'], [256, 50, 'linear'], [50, 256, 'relu'], [256, 784, 'sigmoid']]);
  assert.equal(m.dense, 428354);
  assert.match(inputTex(m), /K = 784/);
  assert.match(bottleneckTex(m), /M = 50/);
  assert.match(bottleneckTex(m), /= 15\.68$/);
  const rows = layerTex(m).map((r) => r.tex);
  assert.equal(rows.length, 4);
  assert.match(rows[0], /^h_\{1\} = \\operatorname\{ReLU\}\\left\(W_\{1\}x \+ b_\{1\}\\right\)/);
  assert.match(rows[0], /W_\{1\} \\in \\mathbb\{R\}\^\{256\\times 784\}/);
  assert.match(rows[1], /^z = W_\{2\}h_\{1\} \+ b_\{2\}/, 'a linear code layer has no activation');
  assert.match(rows[3], /^\\hat\{x\} = \\sigma\\left\(W_\{4\}h_\{2\} \+ b_\{4\}\\right\)/);
  const p = paramsTex(m);
  assert.match(p, /200\{,\}960 \+ 12\{,\}850 \+ 13\{,\}056 \+ 201\{,\}488 = 428\{,\}354$/);
});

test('a VAE doubles the code layer and writes the KL term with β and the parts', () => {
  const s = structuredClone(dense);
  s.config.kind = 'vae';
  s.config.beta = 4;
  s.config.loss = 'bce';
  s.summary = { sizes: [784, 256, 2, 256, 784], features: 784, bottleneck: 2, ratio: 392, params: 200960 + 257 * 4 + 3 * 256 + 257 * 784 };
  const m = model(s);
  assert.equal(m.layers[1].out, 4);
  assert.equal(m.dense, m.params);
  const rows = layerTex(m).map((r) => r.tex);
  assert.ok(rows.some((r) => r.startsWith('z = \\mu + \\sigma \\odot \\varepsilon')));
  const l = lossTex(m, { step: 100, epoch: 1, loss: 160.5, reconstruction: 150.25, kl: 10.25 }, null);
  assert.match(l.rows[0].tex, /\\beta = 4$/);
  assert.match(l.rows[0].tex, /\\log \\hat\{x\}_k/, 'BCE');
  const values = l.rows.filter((r) => r.value).map((r) => r.tex);
  assert.match(values[0], /-\\mathrm\{ELBO\} = 150\.3 \+ 10\.25 = 160\.5/);
  assert.match(values[1], /150\.3 \+ 4 \\cdot 10\.25 = 191\.3/);
});

test('the reference convolutional network decomposes into its dense and convolution parts', () => {
  const s = {
    config: { encoder: [], activation: 'relu', output_activation: 'sigmoid', loss: 'mse', optimizer: 'adam', learning_rate: 0.001, batch_size: 64 },
    summary: { sizes: [784, 32, 784], features: 784, bottleneck: 32, ratio: 24.5, params: 111521, conv: [{ filters: 16, kernel: 3, stride: 2 }, { filters: 32, kernel: 3, stride: 2 }] },
  };
  const m = model(s);
  assert.deepEqual(m.layers.map((l) => [l.in, l.out]), [[1568, 32], [32, 1568]]);
  assert.equal(m.params - m.dense, 160 + 4640 + 4624 + 145);
  assert.match(paramsTex(m), /\\underbrace\{9\{,\}569\}_\{\\text\{convolutions\}\} = 111\{,\}521$/);
  assert.match(convTex(m)[0], /\\in \\mathbb\{R\}\^\{1568\}/);
  assert.match(layerTex(m)[1].tex, /^c' = \\operatorname\{ReLU\}/);
});

test('loss and optimizer carry the current numbers', () => {
  const m = model(dense);
  const l = lossTex(m, { step: 900, epoch: 3, loss: 0.012345 }, { step: 938, epoch: 3.02, loss: 0.0131 });
  assert.equal(l.name, 'mean squared error');
  const values = l.rows.filter((r) => r.value).map((r) => r.tex);
  assert.match(values[0], /\\mathcal\{L\}_\{\\text\{test\}\} = 0\.01235\\quad \\text\{\(test, epoch 3\)\}/);
  assert.match(values[1], /0\.0131.*step 938/);
  const o = optimizerTex(m, 0.0005, 1234);
  assert.equal(o.name, 'Adam');
  assert.match(o.rows.at(-1).tex, /\\eta = 0\.0005,\\quad t = 1\{,\}234$/);
  assert.match(optimizerTex({ ...m, optimizer: 'sgd' }, 0.05, 0).rows[1].tex, /\\theta - \\eta\\, g,\\quad \\eta = 0\.05$/);
  assert.equal(summaryText(m, { epoch: 3, loss: 0.012345 }, null), 'K = 784 inputs, M = 50 code units, 428,354 parameters; test loss 0.01235 at epoch 3.');
});

test('texNum writes exponents as powers of ten and refuses non-numbers', () => {
  assert.equal(texNum(1.5e-5), '1.5\\times 10^{-5}');
  assert.equal(texNum(NaN), '\\text{–}');
  assert.equal(texNum(428354, { int: true }), '428{,}354');
  assert.equal(model({ config: {} }), null);
});
