import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, examplesOf, oneInFlight, psnrFromMSE, requestJSON } from './snapapi.js';
import { tileLayout } from './tiles.js';
import { mergeSeries } from './metricchart.js';
import { meanSquaredError } from './denoise-views.js';

test('oneInFlight runs one call at a time and keeps only the latest waiting one', async () => {
  const started = [];
  const release = [];
  const results = [];
  const ctl = oneInFlight((x) => {
    started.push(x);
    return new Promise((resolve) => release.push(() => resolve(x * 10)));
  }, { onResult: (r, x) => results.push([x, r]) });
  ctl.push(1);
  ctl.push(2);
  ctl.push(3);
  ctl.push(4);
  assert.deepEqual(started, [1]);
  assert.equal(ctl.busy(), true);
  release.shift()();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(started, [1, 4]); // 2 and 3 were replaced while 1 ran
  release.shift()();
  await ctl.idle();
  assert.deepEqual(results, [[1, 10], [4, 40]]);
  assert.equal(ctl.busy(), false);
});

test('oneInFlight reports errors and goes on', async () => {
  const errors = [];
  const ctl = oneInFlight(async (x) => {
    if (x === 'bad') throw new Error('no');
    return x;
  }, { onError: (e, x) => errors.push([e.message, x]) });
  ctl.push('bad');
  await ctl.idle();
  ctl.push('good');
  await ctl.idle();
  assert.deepEqual(errors, [['no', 'bad']]);
});

test('requestJSON posts JSON and turns refusals into ApiError with the server message', async () => {
  let seen;
  const ok = async (url, init) => {
    seen = { url, init };
    return { ok: true, status: 200, json: async () => ({ step: 3 }) };
  };
  assert.deepEqual(await requestJSON('/api/x', { z: [[1, 2]] }, ok), { step: 3 });
  assert.equal(seen.init.method, 'POST');
  assert.equal(seen.init.body, '{"z":[[1,2]]}');
  const refused = async () => ({ ok: false, status: 400, json: async () => ({ error: 'z[0] has 3 values', code: 'invalid' }) });
  await assert.rejects(requestJSON('/api/x', {}, refused), (e) => e instanceof ApiError && e.message === 'z[0] has 3 values' && e.status === 400 && !e.retryable);
  const busy = async () => ({ ok: false, status: 503, json: async () => null });
  await assert.rejects(requestJSON('/api/x', undefined, busy), (e) => e.retryable && e.message === 'HTTP 503');
  const down = async () => {
    throw new Error('connection refused');
  };
  await assert.rejects(requestJSON('/api/x', undefined, down), (e) => e.status === 0 && e.retryable);
});

test('examplesOf decodes the quantised examples of an answer', () => {
  const ex = examplesOf({ kind: 'image', width: 2, height: 2, count: 2, lo: 0, hi: 1, data: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]).toString('base64') });
  assert.equal(ex.kind, 'image');
  assert.equal(ex.size, 4);
  assert.deepEqual([...ex.bytes], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(examplesOf({ kind: 'vector', width: 3, height: 1, count: 1, noisy: 'AAEC' }, 'noisy').bytes.length, 3);
});

test('psnrFromMSE', () => {
  assert.equal(psnrFromMSE(0.01), 20);
  assert.equal(psnrFromMSE(0), 99);
  assert.ok(Number.isNaN(psnrFromMSE(NaN)));
  assert.ok(Math.abs(psnrFromMSE(0.25, 2) - 10 * Math.log10(16)) < 1e-12);
  assert.equal(meanSquaredError([1, 2, 3], [1, 2, 5]), 4 / 3);
});

test('tileLayout fits tiles into the width', () => {
  const a = tileLayout(10, 28, 28, 1000, { gap: 6, minScale: 2, maxScale: 4 });
  assert.equal(a.cols, 10);
  assert.equal(a.scale, (1000 - 54) / 280);
  assert.equal(a.cellW, 28 * a.scale);
  const b = tileLayout(10, 28, 28, 200, { gap: 6, minScale: 2 });
  assert.ok(b.cols < 10 && b.scale >= 2 && b.rows === Math.ceil(10 / b.cols));
  const c = tileLayout(12, 28, 28, 300, { cols: 12, gap: 4 });
  assert.equal(c.cols, 12);
  assert.ok(c.cellW * 12 + 4 * 11 <= 300 + 1e-9);
});

test('mergeSeries joins points by x with gaps', () => {
  assert.deepEqual(mergeSeries([[{ x: 0, y: 1 }, { x: 1, y: 2 }], [{ x: 1, y: 5 }, { x: 2, y: NaN }]]),
    [[0, 1, 2], [1, 2, null], [null, 5, null]]);
  assert.deepEqual(mergeSeries([[], []]), [[], [], []]);
});
