import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitDefaults } from './upload.js';

test('fitDefaults narrows a bottleneck as wide as the data', () => {
  assert.deepEqual(fitDefaults({ bottleneck: '50', output_activation: 'sigmoid' }, { features: 4, value_min: 0, value_max: 1 }),
    { bottleneck: '2' });
  assert.deepEqual(fitDefaults({ bottleneck: '4', output_activation: 'sigmoid' }, { features: 4, value_min: 0, value_max: 1 }),
    { bottleneck: '2' });
  assert.deepEqual(fitDefaults({ bottleneck: '9', output_activation: 'sigmoid' }, { features: 2, value_min: 0, value_max: 1 }),
    { bottleneck: '1' });
  assert.deepEqual(fitDefaults({ bottleneck: '3', output_activation: 'sigmoid' }, { features: 4, value_min: 0, value_max: 1 }), {},
    'a bottleneck that fits is kept');
  assert.deepEqual(fitDefaults({ bottleneck: '', output_activation: 'sigmoid' }, { features: 4, value_min: 0, value_max: 1 }), {});
});

test('fitDefaults switches a sigmoid output to linear for data outside [0, 1]', () => {
  assert.deepEqual(fitDefaults({ bottleneck: '2', output_activation: 'sigmoid' }, { features: 8, value_min: -2.5, value_max: 3 }),
    { output_activation: 'linear' });
  assert.deepEqual(fitDefaults({ bottleneck: '2', output_activation: 'linear' }, { features: 8, value_min: -2.5, value_max: 3 }), {});
  assert.deepEqual(fitDefaults({ bottleneck: '2', output_activation: 'sigmoid' }, undefined), {});
});
