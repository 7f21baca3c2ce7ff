import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureRequest, featureSeries, pretrainRequest, pretrainSeries } from './fewlabels.js';

test('featureRequest validates the controls like the server', () => {
  assert.deepEqual(featureRequest({ labels: '10', classifier: 'knn', k: '5' }).body, { labels_per_class: 10, classifier: 'knn', k: 5 });
  assert.deepEqual(featureRequest({ labels: '3', classifier: 'logreg', k: '99' }).body, { labels_per_class: 3, classifier: 'logreg' });
  assert.match(featureRequest({ labels: '0', classifier: 'knn', k: '1' }).error, /1 to 100/);
  assert.match(featureRequest({ labels: '2', classifier: 'knn', k: '5' }).error, /1 to 4/);
  assert.match(featureRequest({ labels: '2.5', classifier: 'knn', k: '1' }).error, /whole number/);
});

test('featureSeries puts each feature space in its own series, null until measured', () => {
  const r = (latent, pca, raw) => ({ accuracy: { latent, pca, raw }, chance: 0.1 });
  const { xs, ys } = featureSeries([{ width: 2, result: r(0.3, 0.4, 0.6) }, { width: 8, result: null }, { width: 32, result: r(0.7, 0.65, 0.6) }]);
  assert.deepEqual(xs, [2, 8, 32]);
  assert.deepEqual(ys, [[0.3, null, 0.7], [0.4, null, 0.65], [0.6, null, 0.6], [0.1, null, 0.1]]);
});

test('pretrainRequest and pretrainSeries', () => {
  assert.deepEqual(pretrainRequest({ labels: '100', epochs: '50', head: 'zero' }).body, { labels: 100, epochs: 50, head: 'zero' });
  assert.equal(pretrainRequest({ labels: '100', epochs: '50', head: 'random' }).body.head, 'random');
  assert.match(pretrainRequest({ labels: '5', epochs: '50' }).error, /10 to 5000/);
  assert.match(pretrainRequest({ labels: '100', epochs: '0' }).error, /1 to 200/);
  const { xs, ys } = pretrainSeries({ pretrained: { accuracy: [0.2, 0.5, 0.6] }, random: { accuracy: [0.1, 0.4, 0.5] }, chance: 0.11 });
  assert.deepEqual(xs, [1, 2, 3]);
  assert.deepEqual(ys, [[0.2, 0.5, 0.6], [0.1, 0.4, 0.5], [0.11, 0.11, 0.11]]);
});
