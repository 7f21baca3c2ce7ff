// Client of the snapshot API (docs/api.md, "Running the model"): JSON requests that fail with the
// server's own message, a "one request in flight" throttle for controls that fire continuously
// (dragging on the latent map, moving a slider), and the decoding of the quantised examples.

import { decodeBase64 } from './quant.js';

/** ApiError is a refused or failed request; status is the HTTP status (0: no answer). */
export class ApiError extends Error {
  constructor(message, status, code = '') {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** retryable reports whether asking again later may succeed (busy, model not ready, no answer). */
  get retryable() {
    return this.status === 0 || this.status === 503 || this.status === 429;
  }
}

/** requestJSON GETs `url` (or POSTs `body` as JSON) and returns the parsed answer. */
export async function requestJSON(url, body, fetchImpl = globalThis.fetch) {
  const init = { headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetchImpl(url, init);
  } catch (err) {
    throw new ApiError(`the server did not answer (${err.message})`, 0);
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const why = data && typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
    throw new ApiError(why, res.status, data?.code || '');
  }
  return data;
}

/**
 * oneInFlight wraps `run(arg)` (returning a promise) so that at most one call runs at a time: a
 * push while one runs is kept, replacing any older waiting one, and runs when the current call
 * ends. A drag that fires 100 events during one request costs two requests, the second for the
 * latest position. `onResult(result, arg)` and `onError(err, arg)` get each outcome.
 * Returns {push(arg), busy(), idle()}: idle() resolves when nothing runs or waits.
 */
export function oneInFlight(run, { onResult = () => {}, onError = () => {} } = {}) {
  let running = false;
  let waiting = null; // {arg} or null
  let idleWaiters = [];
  async function loop(arg) {
    running = true;
    for (let next = { arg }; next; next = waiting, waiting = null) {
      try {
        onResult(await run(next.arg), next.arg);
      } catch (err) {
        onError(err, next.arg);
      }
    }
    running = false;
    const ws = idleWaiters;
    idleWaiters = [];
    for (const w of ws) w();
  }
  return {
    push(arg) {
      if (running) waiting = { arg };
      else loop(arg);
    },
    busy: () => running,
    idle: () => (running ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
  };
}

/**
 * examplesOf turns an answer holding quantised examples (kind, width, height, count, lo, hi and
 * the base64 field `field`) into {kind, width, height, count, lo, hi, size, bytes}. Pure.
 */
export function examplesOf(body, field = 'data') {
  const width = Math.max(1, body?.width | 0);
  const height = Math.max(1, body?.height | 0);
  return {
    kind: body?.kind === 'image' ? 'image' : 'vector',
    width,
    height,
    size: width * height,
    count: Math.max(0, body?.count | 0),
    lo: Number.isFinite(body?.lo) ? body.lo : 0,
    hi: Number.isFinite(body?.hi) ? body.hi : 1,
    bytes: decodeBase64(body?.[field] ?? ''),
  };
}

/** psnrFromMSE converts a mean squared error to dB for values spanning `peak` (capped at 99). */
export function psnrFromMSE(mse, peak = 1) {
  if (!Number.isFinite(mse) || mse < 0) return NaN;
  if (mse === 0) return 99;
  return Math.min(99, 10 * Math.log10((peak * peak) / mse));
}
