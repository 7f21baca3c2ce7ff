// Canvas views of the anomaly-detection lab: the histograms of the anomaly scores of normal and
// anomalous test examples (normal: solid blue bars; anomalies: vermillion hatched bars, so the two
// differ in pattern as well as colour) with the threshold line, and the ROC curve with the chance
// diagonal and the operating point of the current threshold.

import { drawSelection } from './chartkeys.js';
import { histograms } from './anomalystats.js';
import { niceTicks } from './ticks.js';
import { formatTick } from './format.js';
import { OKABE_ITO, legendCanvas } from './palette.js';
import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';

const TICK_FONT = '15px system-ui, sans-serif';
const TITLE_FONT = 'bold 16px system-ui, sans-serif';
const INK = '#111418';
const GRID = '#d5d9df';
export const NORMAL_COLOR = OKABE_ITO.blue;
export const ANOMALY_COLOR = OKABE_ITO.vermillion;

/** hatch returns a diagonal-line pattern in `color` for the anomaly bars. */
function hatch(ctx, color) {
  const c = document.createElement('canvas');
  c.width = 10;
  c.height = 10;
  const p = c.getContext('2d');
  p.strokeStyle = color;
  p.lineWidth = 3;
  p.beginPath();
  p.moveTo(-2, 12);
  p.lineTo(12, -2);
  p.moveTo(-2, 2);
  p.lineTo(2, -2);
  p.moveTo(8, 12);
  p.lineTo(12, 8);
  p.stroke();
  return ctx.createPattern(c, 'repeat');
}

/** swatch returns a small canvas showing the bar style of a group, for legends. */
export function swatch(anomalous, size = 22) {
  return legendCanvas(size, (ctx) => drawBar(ctx, 2, 2, size - 4, size - 4, anomalous));
}

function drawBar(ctx, x, y, w, h, anomalous) {
  if (w <= 0 || h <= 0) return;
  if (anomalous) {
    ctx.fillStyle = hatch(ctx, ANOMALY_COLOR);
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = ANOMALY_COLOR;
    ctx.lineWidth = 2.5;
    ctx.strokeRect(x + 1.25, y + 1.25, w - 2.5, h - 2.5);
  } else {
    ctx.fillStyle = 'rgba(0, 114, 178, 0.55)';
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = NORMAL_COLOR;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x + 0.75, y + 0.75, w - 1.5, h - 1.5);
  }
}

/** drawAxes draws the grid, ticks and titles of a plot area and returns its scales {sx, sy}. */
function drawAxes(ctx, box, xr, yr, { xTitle, yTitle, xFormat, yFormat, xCount = 6, yCount = 5 }) {
  const { left, top, w, h, height } = box;
  const sx = (v) => left + ((v - xr[0]) / (xr[1] - xr[0])) * w;
  const sy = (v) => top + h - ((v - yr[0]) / (yr[1] - yr[0])) * h;
  ctx.font = TICK_FONT;
  ctx.fillStyle = INK;
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  const xt = niceTicks(xr[0], xr[1], xCount);
  const yt = niceTicks(yr[0], yr[1], yCount);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xt.ticks) {
    const x = Math.round(sx(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.stroke();
    ctx.fillText(xFormat ? xFormat(t, xt.step) : formatTick(t, xt.step), x, top + h + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yt.ticks) {
    const y = Math.round(sy(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + w, y);
    ctx.stroke();
    ctx.fillText(yFormat ? yFormat(t, yt.step) : formatTick(t, yt.step), left - 8, y);
  }
  ctx.strokeStyle = '#5b626c';
  ctx.lineWidth = 1.5;
  ctx.strokeRect(left, top, w, h);
  ctx.font = TITLE_FONT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xTitle, left + w / 2, height - 4);
  ctx.save();
  ctx.translate(16, top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
  return { sx, sy };
}

/** ScoreHistogram draws the two score histograms into a canvas (data-testid="score-histogram"). */
export class ScoreHistogram {
  constructor(canvas, scheduler) {
    this.canvas = canvas;
    this.scheduler = scheduler;
    this.split = null;
    this.threshold = NaN;
    this.log = false;
    this.dataChanged = false;
    this.selected = -1; // the bar chosen with the keyboard (chartkeys.js)
    observeWidth(canvas, () => scheduler.request(this));
  }

  /** bins is the number of bars as last drawn (0 before the first scores). */
  get bins() {
    return this.layout ? this.layout.edges.length - 1 : 0;
  }

  /** select highlights bar i (-1: none). */
  select(i) {
    this.selected = i;
    this.scheduler.request(this);
  }

  /** set takes the result of splitScores (null clears). */
  set(split) {
    this.split = split;
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  /**
   * binAt returns the bin under x (CSS pixels of the canvas) as last drawn: {i, lo, hi, last, log}
   * with the bin's edges (log10 of the score on a log scale), or null outside the plot.
   */
  binAt(x) {
    const l = this.layout;
    if (!l || x < l.box.left || x >= l.box.left + l.box.w) return null;
    const bins = l.edges.length - 1;
    const v = l.edges[0] + ((x - l.box.left) / l.box.w) * (l.edges[bins] - l.edges[0]);
    let i = 0;
    while (i < bins - 1 && v >= l.edges[i + 1]) i++;
    return this.bin(i);
  }

  /** bin returns bar i as binAt does, or null. */
  bin(i) {
    const l = this.layout;
    const bins = this.bins;
    if (!l || i < 0 || i >= bins) return null;
    return { i, lo: l.edges[i], hi: l.edges[i + 1], last: i === bins - 1, first: i === 0, log: l.log };
  }

  setThreshold(t) {
    this.threshold = t;
    this.scheduler.request(this);
  }

  setLog(log) {
    this.log = Boolean(log);
    this.scheduler.request(this);
  }

  render() {
    const width = Math.max(200, this.canvas.clientWidth);
    const cssHeight = Math.round(Math.min(420, Math.max(280, width * 0.5)));
    const { ctx, height } = fitCanvas(this.canvas, cssHeight);
    const box = { left: 74, top: 34, w: width - 74 - 18, h: height - 34 - 64, height };
    const s = this.split;
    const xTitle = `anomaly score: reconstruction error (MSE)${this.log ? ', log scale' : ''}`;
    if (!s || (s.normal.length === 0 && s.anomalous.length === 0)) {
      drawAxes(ctx, box, [0, 1], [0, 1], { xTitle, yTitle: 'share of the group', yFormat: (t) => `${Math.round(t * 100)}%` });
      ctx.font = TICK_FONT;
      ctx.fillStyle = '#3a4049';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the first scores…', box.left + box.w / 2, box.top + box.h / 2);
      return;
    }
    const hist = histograms(s.normal, s.anomalous, { bins: 32, clip: 0.99, log: this.log });
    const bins = hist.normal.length;
    this.layout = { box, edges: hist.edges, log: this.log }; // for binAt (a click on a bar)
    const ymax = Math.max(0.01, ...hist.normal, ...hist.anomalous) * 1.15;
    const xr = [hist.edges[0], hist.edges[bins]];
    const xFormat = this.log ? (t) => formatScore(10 ** t) : (t, step) => formatTick(t, step);
    const { sx, sy } = drawAxes(ctx, box, xr, [0, ymax], {
      xTitle,
      yTitle: 'share of the group',
      xFormat,
      yFormat: (t) => `${Math.round(t * 100)}%`,
      xCount: Math.max(3, Math.floor(box.w / 110)),
    });
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.w, box.h);
    ctx.clip();
    for (const [counts, anomalous] of [[hist.normal, false], [hist.anomalous, true]]) {
      for (let i = 0; i < bins; i++) {
        if (!counts[i]) continue;
        const x0 = sx(hist.edges[i]);
        const x1 = sx(hist.edges[i + 1]);
        const y = sy(counts[i]);
        drawBar(ctx, x0 + 1, y, x1 - x0 - 2, box.top + box.h - y, anomalous);
      }
    }
    // The flagged side of the threshold is shaded.
    const t = this.log ? Math.log10(this.threshold) : this.threshold;
    const tx = Number.isFinite(t) ? Math.round(sx(Math.min(xr[1], Math.max(xr[0], t)))) + 0.5 : NaN;
    if (Number.isFinite(tx)) {
      ctx.fillStyle = 'rgba(17, 20, 24, 0.07)';
      ctx.fillRect(tx, box.top, box.left + box.w - tx, box.h);
    }
    ctx.restore();
    if (this.selected >= 0 && this.selected < bins) {
      const x0 = sx(hist.edges[this.selected]);
      const x1 = sx(hist.edges[this.selected + 1]);
      drawSelection(ctx, x0 - 2, box.top - 2, x1 - x0 + 4, box.h + 4);
    }
    if (hist.overflow) {
      // The last bar also counts every higher score: a "+" above it says so.
      const last = Math.max(hist.normal[bins - 1], hist.anomalous[bins - 1]);
      ctx.font = TITLE_FONT;
      ctx.fillStyle = INK;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText('+', (sx(hist.edges[bins - 1]) + sx(hist.edges[bins])) / 2, sy(last) - 2);
    }
    if (Number.isFinite(tx)) {
      ctx.strokeStyle = INK;
      ctx.lineWidth = 3;
      ctx.setLineDash([8, 5]);
      ctx.beginPath();
      ctx.moveTo(tx, box.top - 4);
      ctx.lineTo(tx, box.top + box.h);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = TITLE_FONT;
      ctx.fillStyle = INK;
      ctx.textBaseline = 'bottom';
      const label = `threshold ${formatScore(this.threshold)}`;
      const half = ctx.measureText(label).width / 2;
      ctx.textAlign = 'center';
      ctx.fillText(label, Math.min(box.left + box.w - half, Math.max(box.left + half, tx)), box.top - 6);
      if (box.left + box.w - tx > 90) {
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText('flagged →', tx + 6, box.top + 4);
      }
    }
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.canvas);
    }
  }
}

/** formatScore writes a score with 2 significant digits (0.0123 → "0.012"). Pure. */
export function formatScore(v) {
  if (!Number.isFinite(v)) return '–';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(2)));
}

/** RocCurve draws the ROC curve into a canvas (data-testid="roc-chart"). */
export class RocCurve {
  constructor(canvas, scheduler) {
    this.canvas = canvas;
    this.scheduler = scheduler;
    this.roc = null;
    this.point = null;
    this.selected = -1; // the point chosen with the keyboard (chartkeys.js)
    this.dataChanged = false;
    observeWidth(canvas, () => scheduler.request(this));
  }

  /** set takes the roc points of an anomaly message ({fpr, tpr, threshold} from (0,0) to (1,1)). */
  set(roc) {
    this.roc = Array.isArray(roc) ? roc : null;
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  /** pointAt returns the ROC point drawn nearest (x, y) (CSS pixels) inside the plot, or null. */
  pointAt(x, y) {
    const b = this.box;
    if (!b || !Array.isArray(this.roc) || x < b.left || x > b.left + b.w || y < b.top || y > b.top + b.h) return null;
    let best = null;
    let bestD = Infinity;
    for (const p of this.roc) {
      const d = (b.left + p.fpr * b.w - x) ** 2 + (b.top + (1 - p.tpr) * b.h - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    return best;
  }

  /** select highlights point i of the curve (-1: none). */
  select(i) {
    this.selected = i;
    this.scheduler.request(this);
  }

  /** setPoint marks the operating point {fpr, tpr} of the current threshold (null: none). */
  setPoint(p) {
    this.point = p;
    this.scheduler.request(this);
  }

  render() {
    const width = Math.max(200, this.canvas.clientWidth);
    const cssHeight = Math.round(Math.min(440, Math.max(260, width * 0.9)));
    const { ctx, height } = fitCanvas(this.canvas, cssHeight);
    const side = Math.min(width - 74 - 18, height - 14 - 64);
    const box = { left: 74, top: 14, w: side, h: side, height: 14 + side + 64 };
    this.box = box; // for pointAt (a click on the curve)
    const { sx, sy } = drawAxes(ctx, box, [0, 1], [0, 1], {
      xTitle: 'false-positive rate',
      yTitle: 'true-positive rate (recall)',
      xCount: 5,
      yCount: 5,
    });
    // Chance: a detector that flags at random.
    ctx.strokeStyle = '#5b626c';
    ctx.lineWidth = 2;
    ctx.setLineDash([8, 6]);
    ctx.beginPath();
    ctx.moveTo(sx(0), sy(0));
    ctx.lineTo(sx(1), sy(1));
    ctx.stroke();
    ctx.setLineDash([]);
    const roc = this.roc;
    if (roc && roc.length) {
      ctx.strokeStyle = NORMAL_COLOR;
      ctx.lineWidth = 3.5;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      roc.forEach((p, i) => (i ? ctx.lineTo(sx(p.fpr), sy(p.tpr)) : ctx.moveTo(sx(p.fpr), sy(p.tpr))));
      ctx.stroke();
    } else {
      ctx.font = TICK_FONT;
      ctx.fillStyle = '#3a4049';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the first scores…', box.left + box.w / 2, box.top + box.h / 3);
    }
    const q = roc?.[this.selected];
    if (q && Number.isFinite(q.fpr) && Number.isFinite(q.tpr)) drawSelection(ctx, sx(q.fpr) - 12, sy(q.tpr) - 12, 24, 24);
    const p = this.point;
    if (p && Number.isFinite(p.fpr) && Number.isFinite(p.tpr)) {
      ctx.beginPath();
      ctx.arc(sx(p.fpr), sy(p.tpr), 9, 0, 2 * Math.PI);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.lineWidth = 4;
      ctx.strokeStyle = ANOMALY_COLOR;
      ctx.stroke();
      ctx.lineWidth = 1;
      ctx.strokeStyle = INK;
      ctx.beginPath();
      ctx.arc(sx(p.fpr), sy(p.tpr), 11, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.canvas);
    }
  }
}
