// Reconstructions on a canvas. Images: originals in the top row, reconstructions beneath, scaled by
// whole device pixels with smoothing off (crisp pixels), each column labelled with its class and its
// MSE. Vectors: one small line plot per example, original vs reconstruction. Points of 2-D or 3-D
// data (the toy sets): point clouds, one panel per pair of coordinates, originals in grey and
// reconstructions in their class's marker, a line joining each pair, so that what the network does
// to the whole shape (the swiss roll unrolled or flattened) can be seen.

import { decodeBase64, dequantise, examples } from './quant.js';
import { formatLoss } from './format.js';
import { SERIES, classStyle, drawMarkers } from './palette.js';
import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';

const FONT = '15px system-ui, sans-serif';
const BOLD = 'bold 15px system-ui, sans-serif';

/**
 * imageLayout chooses columns and an integer device-pixel scale for `count` images of w×h pixels in
 * `avail` device pixels: as many columns as fit with each pixel at least `minScale` device pixels
 * wide, capped at `maxScale`. Pure; exported for tests.
 */
export function imageLayout(count, w, avail, gap, minScale, maxScale) {
  let cols = Math.max(1, count);
  let scale = 1;
  for (; cols >= 1; cols--) {
    scale = Math.floor((avail - gap * (cols - 1)) / (cols * w));
    if (scale >= minScale || cols === 1) break;
  }
  scale = Math.max(1, Math.min(maxScale, scale));
  return { cols, rows: Math.ceil(count / cols), scale };
}

/** coordinatePairs lists the pairs of coordinates a point cloud of n-D data is shown in. Pure. */
export function coordinatePairs(n) {
  const out = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

/** CLOUD_MAX_K is the widest data shown as point clouds (3 pairs of coordinates). */
export const CLOUD_MAX_K = 3;

/** Recon draws reconstructions messages into a canvas (data-testid="recon-canvas"). */
export class Recon {
  constructor(canvas, legend, caption, scheduler, classNames = () => []) {
    this.canvas = canvas;
    this.legend = legend;
    this.caption = caption;
    this.scheduler = scheduler;
    this.classNames = classNames;
    this.msg = null;
    this.decoded = null;
    this.dataChanged = false;
    this.legendKind = null;
    observeWidth(canvas, () => this.scheduler.request(this));
  }

  /** set replaces the reconstructions (null clears). Decoding waits until the next draw. */
  set(msg) {
    this.msg = msg && typeof msg === 'object' ? msg : null;
    this.decoded = null;
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  decode() {
    if (this.decoded || !this.msg) return this.decoded;
    const m = this.msg;
    const size = Math.max(1, (m.width | 0) * Math.max(1, m.height | 0));
    const count = Math.max(0, m.count | 0);
    this.decoded = {
      size,
      count,
      orig: decodeBase64(m.originals),
      rec: decodeBase64(m.reconstructions),
      // A run trained on corrupted inputs (a denoising autoencoder) also sends what it was given.
      inp: typeof m.inputs === 'string' && m.inputs !== '' ? decodeBase64(m.inputs) : null,
    };
    return this.decoded;
  }

  label(i) {
    const l = this.msg?.labels?.[i];
    if (!Number.isInteger(l) || l < 0) return '';
    return this.classNames()[l] ?? `class ${l}`;
  }

  render() {
    const m = this.msg;
    const legend = m && isCloud(m, this.decode()) ? 'cloud' : m?.kind;
    this.renderLegend(legend === 'image' && this.decode()?.inp ? 'image-noisy' : legend);
    if (!m) {
      const { ctx, width, height } = fitCanvas(this.canvas, 120);
      ctx.font = FONT;
      ctx.fillStyle = '#3a4049';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the first reconstructions…', width / 2, height / 2);
      this.caption.textContent = 'The same test examples every time, and what the network makes of them. Waiting for data…';
    } else {
      const d = this.decode();
      if (m.kind === 'image') this.renderImages(m, d);
      else if (isCloud(m, d)) this.renderClouds(m, d);
      else this.renderVectors(m, d);
      const mse = Array.isArray(m.mse) ? m.mse.filter(Number.isFinite) : [];
      const mean = mse.length ? mse.reduce((a, b) => a + b, 0) / mse.length : NaN;
      const when = Number.isFinite(m.epoch) ? `Taken at epoch ${m.epoch.toFixed(2)}. ` : '';
      this.caption.textContent = `${when}Mean MSE over these ${d.count} examples: ${formatLoss(mean)}.`;
    }
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.canvas);
    }
  }

  renderLegend(kind) {
    if (kind === this.legendKind) return;
    this.legendKind = kind;
    const item = (cls, text) => {
      const s = document.createElement('span');
      s.className = `item key ${cls}`;
      s.textContent = text;
      return s;
    };
    if (kind === 'image') {
      this.legend.replaceChildren(item('', 'Top row: originals'), item('', 'Bottom row: reconstructions'));
    } else if (kind === 'image-noisy') {
      this.legend.replaceChildren(item('', 'Top row: noisy inputs'), item('', 'Middle row: outputs'), item('', 'Bottom row: clean targets'));
    } else if (kind === 'cloud') {
      this.legend.replaceChildren(item('key-cloud-orig', 'originals (grey)'), item('key-cloud-recon', 'reconstructions (class markers)'),
        item('key-cloud-link', 'a line joins each pair'));
    } else if (kind === 'vector') {
      this.legend.replaceChildren(item('key-orig', 'original'), item('key-recon', 'reconstruction'));
    } else {
      this.legend.replaceChildren();
    }
  }

  renderImages(m, d) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, m.width | 0);
    const h = Math.max(1, m.height | 0);
    const cssWidth = Math.max(100, this.canvas.clientWidth);
    const labelW = 150; // css px for the row titles
    const gap = Math.round(10 * dpr);
    const avail = Math.floor((cssWidth - labelW) * dpr);
    // The presenter view keeps the two rows within about 30% of the screen's height.
    const present = this.canvas.closest('.present');
    const maxScale = present ? Math.max(1, Math.floor(((window.innerHeight * 0.3 - 68) / (2 * h)) * dpr)) : Math.round(8 * dpr);
    const { cols, rows, scale } = imageLayout(d.count, w, avail, gap, Math.min(maxScale, Math.ceil(2 * dpr)), maxScale);
    const cell = w * scale;
    const cellH = h * scale;
    const textH = Math.round(24 * dpr);
    // Rows of each block: originals over reconstructions, or for a run trained on corrupted
    // inputs the noisy input, the output and the clean target.
    const shown = d.inp
      ? [['noisy input', d.inp], ['output', d.rec], ['clean target', d.orig]]
      : [['original', d.orig], ['reconstruction', d.rec]];
    const n = shown.length;
    const rowGap = Math.round(6 * dpr);
    const block = textH + n * cellH + (n - 1) * rowGap + textH + Math.round(14 * dpr);
    const cssHeight = Math.ceil((rows * block) / dpr);
    const { ctx } = fitCanvas(this.canvas, cssHeight);
    ctx.setTransform(1, 0, 0, 1, 0, 0); // device pixels from here on: crisp integer scaling
    ctx.imageSmoothingEnabled = false;

    const strip = (bytes) => {
      const c = document.createElement('canvas');
      c.width = w * d.count;
      c.height = h;
      const cx = c.getContext('2d');
      const img = cx.createImageData(c.width, h);
      for (let e = 0; e < d.count; e++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const b = bytes[e * d.size + y * w + x] ?? 0;
            const o = (y * c.width + e * w + x) * 4;
            img.data[o] = b;
            img.data[o + 1] = b;
            img.data[o + 2] = b;
            img.data[o + 3] = 255;
          }
        }
      }
      cx.putImageData(img, 0, 0);
      return c;
    };
    const strips = shown.map(([, bytes]) => strip(bytes));

    const x0 = Math.round(labelW * dpr);
    ctx.fillStyle = '#111418';
    ctx.font = BOLD.replace('15px', `${Math.round(15 * dpr)}px`);
    for (let r = 0; r < rows; r++) {
      const top = r * block;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      shown.forEach(([title], k) => ctx.fillText(title, 0, top + textH + k * (cellH + rowGap) + cellH / 2));
    }
    ctx.font = FONT.replace('15px', `${Math.round(15 * dpr)}px`);
    ctx.textAlign = 'center';
    for (let e = 0; e < d.count; e++) {
      const r = Math.floor(e / cols);
      const c = e % cols;
      const x = x0 + c * (cell + gap);
      const top = r * block;
      const y1 = top + textH;
      const y2 = y1 + (n - 1) * (cellH + rowGap); // the last row
      strips.forEach((s, k) => ctx.drawImage(s, e * w, 0, w, h, x, y1 + k * (cellH + rowGap), cell, cellH));
      ctx.fillStyle = '#111418';
      ctx.textBaseline = 'bottom';
      ctx.fillText(this.label(e), x + cell / 2, y1 - Math.round(3 * dpr), cell + gap);
      ctx.textBaseline = 'top';
      const mse = m.mse?.[e];
      ctx.fillText(Number.isFinite(mse) ? formatLoss(mse) : '', x + cell / 2, y2 + cellH + Math.round(3 * dpr), cell + gap);
    }
    ctx.fillStyle = '#3a4049';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    for (let r = 0; r < rows; r++) {
      ctx.fillText('MSE:', 0, r * block + textH + n * cellH + (n - 1) * rowGap + Math.round(3 * dpr));
    }
    this.canvas.dataset.rows = String(n);
  }

  renderVectors(m, d) {
    const n = d.size;
    const lo = Number.isFinite(m.lo) ? m.lo : 0;
    const hi = Number.isFinite(m.hi) && m.hi !== lo ? m.hi : lo + 1;
    const orig = examples(dequantise(d.orig, lo, hi), d.count, n);
    const rec = examples(dequantise(d.rec, lo, hi), d.count, n);
    const cssWidth = Math.max(200, this.canvas.clientWidth);
    const cols = Math.max(1, Math.min(d.count, Math.floor(cssWidth / 240)));
    const rows = Math.ceil(d.count / cols);
    const cellW = cssWidth / cols;
    // The presenter view keeps the rows within about 30% of the screen's height, as for images.
    const present = this.canvas.closest('.present');
    const cellH = present ? Math.max(72, Math.min(150, Math.floor((window.innerHeight * 0.3) / rows))) : 150;
    const { ctx } = fitCanvas(this.canvas, rows * cellH);
    const pad = { l: 10, r: 10, t: 26, b: 10 };
    for (let e = 0; e < d.count; e++) {
      const cx = (e % cols) * cellW;
      const cy = Math.floor(e / cols) * cellH;
      const pw = cellW - pad.l - pad.r - 8;
      const ph = cellH - pad.t - pad.b;
      const px = cx + pad.l;
      const py = cy + pad.t;
      ctx.strokeStyle = '#c9ced6';
      ctx.lineWidth = 1;
      ctx.strokeRect(px + 0.5, py + 0.5, pw, ph);
      ctx.fillStyle = '#111418';
      ctx.font = FONT;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      const mse = m.mse?.[e];
      const title = [this.label(e), Number.isFinite(mse) ? `MSE ${formatLoss(mse)}` : ''].filter(Boolean).join(' · ');
      ctx.fillText(title, px, py - 4, pw);
      const X = (i) => px + (n > 1 ? (i / (n - 1)) * pw : pw / 2);
      const Y = (v) => py + ph - ((v - lo) / (hi - lo)) * ph;
      const line = (vals, color, dash) => {
        ctx.beginPath();
        for (let i = 0; i < vals.length; i++) {
          if (i === 0) ctx.moveTo(X(i), Y(vals[i]));
          else ctx.lineTo(X(i), Y(vals[i]));
        }
        ctx.setLineDash(dash);
        ctx.strokeStyle = color;
        ctx.lineWidth = 2.5;
        ctx.stroke();
        ctx.setLineDash([]);
        if (vals.length <= 32) {
          ctx.fillStyle = color;
          ctx.beginPath();
          for (let i = 0; i < vals.length; i++) {
            ctx.moveTo(X(i) + 3, Y(vals[i]));
            ctx.arc(X(i), Y(vals[i]), 3, 0, 2 * Math.PI);
          }
          ctx.fill();
        }
      };
      line(orig[e], SERIES.a, []);
      line(rec[e], SERIES.b, [7, 5]);
    }
  }

  renderClouds(m, d) {
    const n = d.size;
    const lo = Number.isFinite(m.lo) ? m.lo : 0;
    const hi = Number.isFinite(m.hi) && m.hi !== lo ? m.hi : lo + 1;
    const orig = examples(dequantise(d.orig, lo, hi), d.count, n);
    const rec = examples(dequantise(d.rec, lo, hi), d.count, n);
    const pairs = coordinatePairs(n);
    const cssWidth = Math.max(200, this.canvas.clientWidth);
    const gap = 16;
    const cols = Math.max(1, Math.min(pairs.length, Math.floor((cssWidth + gap) / 220)));
    const rows = Math.ceil(pairs.length / cols);
    // The presenter view keeps the rows within about 30% of the screen's height, as for images.
    const tall = this.canvas.closest('.present') ? Math.max(120, (window.innerHeight * 0.3) / rows - gap) : 360;
    const side = Math.min(360, tall, (cssWidth - gap * (cols - 1)) / cols);
    const pad = { l: 34, b: 30, t: 6, r: 6 };
    const { ctx } = fitCanvas(this.canvas, rows * (side + gap));
    const labels = this.msg?.labels || [];
    pairs.forEach(([a, b], pi) => {
      const x0 = (pi % cols) * (side + gap);
      const y0 = Math.floor(pi / cols) * (side + gap);
      const pw = side - pad.l - pad.r;
      const ph = side - pad.t - pad.b;
      const X = (v) => x0 + pad.l + ((v - lo) / (hi - lo)) * pw;
      const Y = (v) => y0 + pad.t + ph - ((v - lo) / (hi - lo)) * ph;
      ctx.strokeStyle = '#8a929c';
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + pad.l + 0.5, y0 + pad.t + 0.5, pw, ph);
      ctx.fillStyle = '#111418';
      ctx.font = BOLD;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText(`x${a + 1}`, x0 + pad.l + pw / 2, y0 + side);
      ctx.save();
      ctx.translate(x0 + 14, y0 + pad.t + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(`x${b + 1}`, 0, 6);
      ctx.restore();
      // Lines from each original to its reconstruction, then the originals, then the reconstructions on top.
      ctx.strokeStyle = 'rgba(58, 64, 73, 0.35)';
      ctx.beginPath();
      for (let e = 0; e < d.count; e++) {
        ctx.moveTo(X(orig[e][a]), Y(orig[e][b]));
        ctx.lineTo(X(rec[e][a]), Y(rec[e][b]));
      }
      ctx.stroke();
      ctx.fillStyle = 'rgba(118, 118, 118, 0.55)';
      ctx.beginPath();
      for (let e = 0; e < d.count; e++) {
        ctx.moveTo(X(orig[e][a]) + 2.5, Y(orig[e][b]));
        ctx.arc(X(orig[e][a]), Y(orig[e][b]), 2.5, 0, 2 * Math.PI);
      }
      ctx.fill();
      const byClass = new Map();
      for (let e = 0; e < d.count; e++) {
        const l = Number.isInteger(labels[e]) ? labels[e] : -1;
        if (!byClass.has(l)) byClass.set(l, []);
        byClass.get(l).push([X(rec[e][a]), Y(rec[e][b])]);
      }
      for (const [l, pts] of byClass) drawMarkers(ctx, classStyle(l), pts, 4);
    });
    this.canvas.dataset.kind = 'cloud';
  }
}

/** isCloud reports whether a reconstructions message is drawn as point clouds (2-D or 3-D data). */
function isCloud(m, d) {
  return m?.kind === 'vector' && (m.height | 0) <= 1 && d && d.size >= 2 && d.size <= CLOUD_MAX_K;
}
