// Pure helpers of the compare page (several sessions side by side): run colours and markers, the
// merged loss series for one uPlot chart, the rate–distortion points, label placement and the status
// line. Unit-tested in comparedata.test.js.

import { OKABE_ITO } from './palette.js';

/**
 * RUN_COLORS gives each run of a comparison its Okabe–Ito colour, in member order (the CSS classes
 * run-c0 … run-c7 in compare.css use the same order). Yellow, faint on white, comes last.
 */
export const RUN_COLORS = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.green,
  OKABE_ITO.orange,
  OKABE_ITO.purple,
  OKABE_ITO.sky,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];

/** RUN_SHAPES gives each run its marker shape too, so no run is told apart by hue alone. */
export const RUN_SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'hexagon', 'star', 'ring'];

/** runStyle returns {color, shape} for run i. */
export function runStyle(i) {
  const k = Number.isInteger(i) && i >= 0 ? i % RUN_COLORS.length : 0;
  return { color: RUN_COLORS[k], shape: RUN_SHAPES[k] };
}

function clean(v, log) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (log && v <= 0) return null;
  return v;
}

/**
 * mergeSeries puts several point lists ({epoch, loss}, each sorted by epoch) on one x axis for
 * uPlot: returns [xs, ys0, ys1, …], xs the sorted union of epochs, each ys the losses at those
 * epochs or null. With log set, non-positive losses become null.
 */
export function mergeSeries(lists, log = false) {
  const set = new Set();
  for (const pts of lists) for (const p of pts) if (Number.isFinite(p?.epoch)) set.add(p.epoch);
  const xs = [...set].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const out = [xs];
  for (const pts of lists) {
    const ys = new Array(xs.length).fill(null);
    for (const p of pts) {
      const i = at.get(p?.epoch);
      if (i !== undefined) ys[i] = clean(p.loss, log);
    }
    out.push(ys);
  }
  return out;
}

/** latestLoss is a run's latest test loss: the state's figure, else its last test point, else null. */
export function latestLoss(run) {
  if (typeof run.testLoss === 'number' && Number.isFinite(run.testLoss)) return run.testLoss;
  const t = run.test || [];
  for (let i = t.length - 1; i >= 0; i--) if (Number.isFinite(t[i]?.loss)) return t[i].loss;
  return null;
}

function lastFinite(pts, ok = () => true) {
  for (let i = (pts?.length || 0) - 1; i >= 0; i--) if (Number.isFinite(pts[i]?.loss) && ok(pts[i])) return pts[i].loss;
  return null;
}

/**
 * aeFigure is a run's point on the rate–distortion chart: {value, provisional}. It is the latest
 * test loss of the trained model (a test point after step 0, or the final figure of an ended run);
 * until there is one (the first epoch), the latest training loss, marked provisional.
 */
export function aeFigure(run) {
  const trained = lastFinite(run.test, (p) => p.step > 0);
  if (trained !== null) return { value: trained, provisional: false };
  const ended = run.state === 'completed' || run.state === 'stopped' || run.state === 'failed';
  if (ended && Number.isFinite(run.testLoss)) return { value: run.testLoss, provisional: false };
  const train = lastFinite(run.train);
  if (train !== null) return { value: train, provisional: true };
  const untrained = latestLoss(run);
  return untrained === null ? { value: null, provisional: false } : { value: untrained, provisional: true };
}

/**
 * rdPoints returns the rate–distortion points of the runs, by increasing width M:
 * {m, ratio, ae, provisional, pca, index}: ae and provisional from aeFigure, pca the PCA MSE at
 * k = M (null while unknown). Runs without a width are left out.
 */
export function rdPoints(runs) {
  const out = [];
  runs.forEach((r, index) => {
    if (!Number.isInteger(r.bottleneck) || r.bottleneck < 1) return;
    const ae = aeFigure(r);
    out.push({
      m: r.bottleneck,
      ratio: r.features > 0 ? r.features / r.bottleneck : null,
      ae: ae.value,
      provisional: ae.provisional,
      pca: typeof r.pca === 'number' && Number.isFinite(r.pca) ? r.pca : null,
      index,
    });
  });
  return out.sort((a, b) => a.m - b.m || a.index - b.index);
}

/**
 * spreadLabels moves label positions (pixels, any order) apart so that neighbours are at least
 * `gap` apart, staying within [lo, hi] when they fit, and returns the new positions in the input
 * order. Used to name the lines at the right edge of the loss chart.
 */
export function spreadLabels(ys, gap, lo = -Infinity, hi = Infinity) {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const pos = order.map((o) => o.y);
  for (let k = 1; k < pos.length; k++) pos[k] = Math.max(pos[k], pos[k - 1] + gap);
  const over = pos.length ? pos[pos.length - 1] - hi : 0;
  if (over > 0) {
    pos[pos.length - 1] -= over;
    for (let k = pos.length - 2; k >= 0; k--) pos[k] = Math.min(pos[k], pos[k + 1] - gap);
  }
  if (pos.length && pos[0] < lo) {
    pos[0] = lo;
    for (let k = 1; k < pos.length; k++) pos[k] = Math.max(pos[k], pos[k - 1] + gap);
  }
  const out = new Array(ys.length);
  order.forEach((o, k) => {
    out[o.i] = pos[k];
  });
  return out;
}

/**
 * statusLine summarises the runs' states: "3 runs · 2 running · 1 completed" (states in a fixed
 * order, only those present).
 */
export function statusLine(states) {
  const order = ['running', 'queued', 'paused', 'completed', 'stopped', 'failed'];
  const counts = new Map();
  for (const s of states) counts.set(s, (counts.get(s) || 0) + 1);
  const parts = [`${states.length} run${states.length === 1 ? '' : 's'}`];
  for (const s of order) if (counts.get(s)) parts.push(`${counts.get(s)} ${s}`);
  return parts.join(' · ');
}

/**
 * log2Ticks returns the widths to mark on a log-2 axis: the runs' widths themselves when there are
 * few, else powers of two across [lo, hi].
 */
export function log2Ticks(widths, lo, hi, maxTicks = 10) {
  const uniq = [...new Set(widths)].sort((a, b) => a - b);
  if (uniq.length > 0 && uniq.length <= maxTicks) return uniq;
  const out = [];
  for (let p = Math.ceil(Math.log2(lo)); p <= Math.floor(Math.log2(hi)); p++) out.push(2 ** p);
  const step = Math.max(1, Math.ceil(out.length / maxTicks));
  return out.filter((_, i) => i % step === 0);
}

/**
 * logRange returns a log-scale range around [min, max] whose ends are round numbers (1, 2 or 5 times
 * a power of ten) with a little room, so that the axis starts and ends on a labelled value.
 */
export function logRange(min, max) {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [0.001, 1];
  const steps = [1, 2, 5];
  const down = (v) => {
    const p = 10 ** Math.floor(Math.log10(v));
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i] * p <= v * (1 + 1e-9)) return steps[i] * p;
    return p;
  };
  const up = (v) => {
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [...steps, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
    return 10 * p;
  };
  return [Number(down(min / 1.1).toPrecision(6)), Number(up(max * 1.1).toPrecision(6))];
}
