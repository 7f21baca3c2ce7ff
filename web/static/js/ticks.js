// Axis helpers for the canvas charts: data extents and "nice" tick values.

/**
 * extent returns [min, max] over the finite values of one or more arrays, padded by `pad` (a
 * fraction of the span) and widened when all values are equal. Empty input gives [-1, 1].
 */
export function extent(values, pad = 0.05) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return [-1, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.5;
    return [lo - d, hi + d];
  }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/**
 * niceTicks returns about `count` evenly spaced round values (steps of 1, 2 or 5 × 10^k) inside
 * [min, max], and the step between them.
 */
export function niceTicks(min, max, count = 5) {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [], step: 1 };
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks = [];
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, step };
}

/**
 * logTicks returns the powers of ten inside [min, max] (both > 0) for a log axis, every one when
 * they are few and every 2nd, 3rd, … when they are more than `count`, so that a run that diverged
 * to 1e24 still gets a few readable labels instead of a wall of them. A range within one decade
 * gets its ends' 1-2-5 steps.
 */
export function logTicks(min, max, count = 6) {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return [];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  if (hi - lo < 3) {
    // A few decades: 1, 2 and 5 of each (0.05, 0.1, 0.2, 0.5, 1).
    const out = [];
    for (let e = lo - 1; e <= hi; e++) {
      for (const m of [1, 2, 5]) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
      }
    }
    return out.length >= 2 ? out : niceTicks(min, max, 3).ticks; // inside one decade: round steps
  }
  const stride = Math.max(1, Math.ceil((hi - lo + 1) / count));
  const out = [];
  for (let e = hi; e >= lo; e -= stride) out.unshift(Number((10 ** e).toPrecision(12)));
  return out;
}
