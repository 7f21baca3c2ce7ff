import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedActions } from './controls.js';

test('allowedActions follows the state', () => {
  assert.deepEqual(allowedActions('running'), { pause: true, resume: false, stop: true });
  assert.deepEqual(allowedActions('paused'), { pause: false, resume: true, stop: true });
  assert.deepEqual(allowedActions('queued'), { pause: false, resume: false, stop: true });
  assert.deepEqual(allowedActions('interrupted'), { pause: false, resume: true, stop: false });
  for (const s of ['completed', 'stopped', 'failed', '']) {
    assert.deepEqual(allowedActions(s), { pause: false, resume: false, stop: false });
  }
});
