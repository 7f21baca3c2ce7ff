// Rate–distortion chart on a canvas: for each run, its latest test loss (filled marker in the run's
// colour and shape) against its bottleneck width M on a log-2 axis, and the PCA test MSE at k = M
// (hollow marker, dashed line). Under each width the compression ratio K/M. The autoencoder points
// are joined only when the runs differ in nothing but the width (a sweep).

import { drawSelection } from './chartkeys.js';
import { extent, niceTicks } from './ticks.js';
import { formatLoss, formatRatio, formatTick } from './format.js';
import { addMarker, drawMarkers } from './palette.js';
import { rdPoints, runStyle, log2Ticks } from './comparedata.js';
import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';

const M = { left: 86, right: 22, top: 16, bottom: 84 };
const TICK_FONT = '15px system-ui, sans-serif';
const TITLE_FONT = 'bold 17px system-ui, sans-serif';
const INK = '#111418';

function logTicks(lo, hi) {
  const out = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

/** RDChart draws the runs (see compare.js) into a canvas (data-testid="rd-chart"). */
export class RDChart {
  constructor(canvas, scheduler, runs, { logToggle, joinAE = false, lossName = 'test loss' } = {}) {
    this.canvas = canvas;
    this.scheduler = scheduler;
    this.runs = runs;
    this.log = Boolean(logToggle?.checked);
    this.joinAE = joinAE;
    this.lossName = lossName;
    this.dataChanged = false;
    this.selected = -1; // the run the keyboard has chosen (an index into runs), framed
    logToggle?.addEventListener('change', () => {
      this.log = logToggle.checked;
      this.scheduler.request(this);
    });
    observeWidth(canvas, () => this.scheduler.request(this), true);
  }

  changed() {
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  render() {
    const pts = rdPoints(this.runs);
    const { ctx, width, height } = fitCanvas(this.canvas);
    const pw = width - M.left - M.right;
    const ph = height - M.top - M.bottom;
    if (pw < 40 || ph < 40) return;

    // Scales: x log2 over the widths, y over both losses.
    const ms = pts.map((p) => p.m);
    const mLo = ms.length ? Math.min(...ms) : 1;
    const mHi = ms.length ? Math.max(...ms) : 64;
    const x0 = Math.log2(mLo) - 0.5;
    const x1 = Math.log2(Math.max(mHi, mLo * 2)) + 0.5;
    const sx = (m) => M.left + ((Math.log2(m) - x0) / (x1 - x0)) * pw;
    const vals = pts.flatMap((p) => [p.ae, p.pca]).filter((v) => Number.isFinite(v) && (!this.log || v > 0));
    let y0;
    let y1;
    let yt;
    if (this.log) {
      const lo = vals.length ? Math.min(...vals) : 0.01;
      const hi = vals.length ? Math.max(...vals) : 1;
      y0 = Math.log10(lo) - 0.08;
      y1 = Math.log10(hi) + 0.08;
      yt = { ticks: logTicks(10 ** y0, 10 ** y1), step: 0 };
    } else {
      const [, hi] = extent(vals.length ? vals : [0, 1], 0.08);
      y0 = 0;
      y1 = hi > 0 ? hi : 1;
      yt = niceTicks(y0, y1, Math.max(3, Math.floor(ph / 55)));
    }
    const yv = (v) => (this.log ? Math.log10(v) : v);
    const sy = (v) => M.top + ph - ((yv(v) - y0) / (y1 - y0)) * ph;

    // Grid and axes.
    ctx.font = TICK_FONT;
    ctx.fillStyle = INK;
    ctx.strokeStyle = '#d5d9df';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt.ticks) {
      const y = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(M.left, y);
      ctx.lineTo(M.left + pw, y);
      ctx.stroke();
      ctx.fillText(this.log ? formatLoss(t) : formatTick(t, yt.step), M.left - 8, y);
    }
    const sameK = new Set(this.runs.map((r) => r.features)).size === 1;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const m of log2Ticks(ms, 2 ** x0, 2 ** x1)) {
      const x = Math.round(sx(m)) + 0.5;
      ctx.strokeStyle = '#d5d9df';
      ctx.beginPath();
      ctx.moveTo(x, M.top);
      ctx.lineTo(x, M.top + ph);
      ctx.stroke();
      ctx.font = 'bold 15px system-ui, sans-serif';
      ctx.fillStyle = INK;
      ctx.fillText(String(m), x, M.top + ph + 6);
      if (sameK && this.runs[0]?.features > 0) {
        ctx.font = TICK_FONT;
        ctx.fillStyle = '#3a4049';
        ctx.fillText(formatRatio(this.runs[0].features / m), x, M.top + ph + 26);
      }
    }
    ctx.strokeStyle = '#5b626c';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(M.left, M.top, pw, ph);
    ctx.font = TITLE_FONT;
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    const xTitle = sameK ? 'bottleneck width M (log scale), K/M below' : 'bottleneck width M (log scale)';
    ctx.fillText(xTitle, M.left + pw / 2, height - 4, pw + M.left);
    ctx.save();
    ctx.translate(18, M.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(`${this.lossName}${this.log ? ' (log scale)' : ''}`, 0, 0);
    ctx.restore();

    const aePts = pts.filter((p) => Number.isFinite(p.ae) && (!this.log || p.ae > 0));
    const pcaPts = pts.filter((p) => Number.isFinite(p.pca) && (!this.log || p.pca > 0));
    if (aePts.length === 0 && pcaPts.length === 0) {
      ctx.font = TICK_FONT;
      ctx.fillStyle = '#3a4049';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the first test losses…', M.left + pw / 2, M.top + ph / 2);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left - 12, M.top - 12, pw + 24, ph + 24);
    ctx.clip();
    // PCA: dashed line through one point per width, hollow diamonds in the run colours.
    const pcaByM = new Map();
    for (const p of pcaPts) if (!pcaByM.has(p.m)) pcaByM.set(p.m, p);
    const pcaLine = [...pcaByM.values()];
    if (pcaLine.length > 1) {
      ctx.beginPath();
      pcaLine.forEach((p, k) => (k ? ctx.lineTo(sx(p.m), sy(p.pca)) : ctx.moveTo(sx(p.m), sy(p.pca))));
      ctx.setLineDash([9, 7]);
      ctx.strokeStyle = '#3a4049';
      ctx.lineWidth = 2.5;
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const p of pcaPts) {
      const { color } = runStyle(p.index);
      ctx.beginPath();
      addMarker(ctx, 'diamond', sx(p.m), sy(p.pca), 8);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.lineWidth = 3;
      ctx.strokeStyle = color;
      ctx.stroke();
    }
    // Autoencoders: solid line (a sweep), filled markers in each run's colour and shape.
    if (this.joinAE && aePts.length > 1) {
      ctx.beginPath();
      aePts.forEach((p, k) => (k ? ctx.lineTo(sx(p.m), sy(p.ae)) : ctx.moveTo(sx(p.m), sy(p.ae))));
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
    // Provisional points (training loss before the first test) are faded.
    for (const p of aePts) drawMarkers(ctx, runStyle(p.index), [[sx(p.m), sy(p.ae)]], 8, p.provisional ? 0.4 : 1);
    ctx.restore();
    // Where each run's marker is (CSS pixels), for pages that name the run under the pointer.
    this.hits = aePts.map((p) => ({ x: sx(p.m), y: sy(p.ae), index: p.index }));
    const sel = this.hits.find((h) => h.index === this.selected);
    if (sel) drawSelection(ctx, sel.x - 13, sel.y - 13, 26, 26);

    this.canvas.dataset.points = String(aePts.length);
    this.canvas.dataset.provisional = String(aePts.filter((p) => p.provisional).length);
    this.canvas.dataset.pcaPoints = String(pcaPts.length);
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.canvas);
    }
  }
}
