import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownerToken, allowedActions } from './controls.js';

test('ownerToken reads the session cookie', () => {
  const c = 'theme=dark; aelab_owner_ab12=s3cr%3Dt; aelab_owner_ab123=other';
  assert.equal(ownerToken('ab12', c), 's3cr=t');
  assert.equal(ownerToken('ab123', c), 'other');
  assert.equal(ownerToken('zz', c), '');
  assert.equal(ownerToken('ab12', ''), '');
});

test('allowedActions follows the state', () => {
  assert.deepEqual(allowedActions('running'), { pause: true, resume: false, stop: true });
  assert.deepEqual(allowedActions('paused'), { pause: false, resume: true, stop: true });
  assert.deepEqual(allowedActions('queued'), { pause: false, resume: false, stop: true });
  for (const s of ['completed', 'stopped', 'failed', '']) {
    assert.deepEqual(allowedActions(s), { pause: false, resume: false, stop: false });
  }
});
