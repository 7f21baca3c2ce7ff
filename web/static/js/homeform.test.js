import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suggestShape, fitForm, formQuery, queryFields, retryText } from './homeform.js';

const defaults = { dataset: 'mnist', encoder: '256', bottleneck: '50', output_activation: 'sigmoid', loss: 'mse', epochs: '5' };
const swiss = { name: 'swiss_roll', features: 3, value_min: -1.2, value_max: 1.3 };
const mnist = { name: 'mnist', features: 784, value_min: 0, value_max: 1 };
const blobs = { name: 'blobs', features: 10, value_min: -6, value_max: 7 };

test('suggestShape fits small data and keeps the defaults for images', () => {
  assert.deepEqual(suggestShape(3, defaults), { encoder: '16', bottleneck: '2' });
  assert.deepEqual(suggestShape(10, defaults), { encoder: '64', bottleneck: '2' });
  assert.deepEqual(suggestShape(64, defaults), { encoder: '128', bottleneck: '2' });
  assert.deepEqual(suggestShape(2, defaults), { encoder: '16', bottleneck: '1' });
  assert.deepEqual(suggestShape(784, defaults), { encoder: '256', bottleneck: '50' });
  assert.deepEqual(suggestShape(undefined, defaults), {});
});

test('fitForm on a toy-set card: M = 2, a small hidden layer, a linear output', () => {
  const values = { encoder: '256', bottleneck: '50', output_activation: 'sigmoid', loss: 'mse' };
  assert.deepEqual(fitForm(values, swiss, defaults), { encoder: '16', bottleneck: '2', output_activation: 'linear' });
});

test('fitForm back to MNIST restores the fitted fields it had changed', () => {
  const values = { encoder: '16', bottleneck: '2', output_activation: 'linear', loss: 'mse' };
  assert.deepEqual(fitForm(values, mnist, defaults), { encoder: '256', bottleneck: '50', output_activation: 'sigmoid' });
});

test('fitForm keeps what the user typed unless it cannot work', () => {
  const values = { encoder: '12', bottleneck: '50', output_activation: 'sigmoid', loss: 'bce' };
  const touched = new Set(['encoder', 'bottleneck', 'output_activation', 'loss']);
  assert.deepEqual(fitForm(values, blobs, defaults, touched), { bottleneck: '2', output_activation: 'linear', loss: 'mse' });
  const fits = { encoder: '12', bottleneck: '3', output_activation: 'linear', loss: 'mse' };
  assert.deepEqual(fitForm(fits, blobs, defaults, touched), {});
  assert.deepEqual(fitForm(values, undefined, defaults), {});
});

test('formQuery: the address shows what differs, the link says everything', () => {
  const fields = ['dataset', 'encoder', 'bottleneck', 'loss', 'epochs', 'train_size'];
  const values = { dataset: 'mnist', encoder: '256', bottleneck: '2', loss: 'bce', epochs: '5', train_size: '' };
  assert.equal(formQuery(values, fields, defaults), 'dataset=mnist&bottleneck=2&loss=bce');
  assert.equal(formQuery(values, fields, defaults, true), 'dataset=mnist&encoder=256&bottleneck=2&loss=bce&epochs=5');
  assert.equal(formQuery({ dataset: 'mnist', encoder: '512, 128' }, ['dataset', 'encoder'], defaults), 'dataset=mnist&encoder=512%2C+128');
});

test('queryFields names the fields an address sets', () => {
  assert.deepEqual([...queryFields('?encoder=64&x=1&epochs=', ['encoder', 'epochs', 'loss'])], ['encoder', 'epochs']);
});

test('retryText counts down and then says Train works again', () => {
  const msg = 'too many trainings started from your address (at most 60 at once and 60 a minute); try again in 12 s';
  assert.equal(retryText(msg, 5), 'too many trainings started from your address (at most 60 at once and 60 a minute); try again in 5 s');
  assert.equal(retryText(msg, 0), 'too many trainings started from your address (at most 60 at once and 60 a minute). You can press Train again now.');
  assert.equal(retryText('the server is busy', 3), 'the server is busy (try again in 3 s.)');
});
