// Reconstructions of every run of a comparison on one canvas: the test images on top, then one row
// per run (narrowest code first) with its reconstructions of the same images, so the loss of detail
// as M shrinks is seen at a glance. Each row is named by its run (colour swatch, label, mean MSE).
// Images are scaled by whole device pixels with smoothing off; vectors are small line plots.

import { decodeBase64, dequantise } from './quant.js';
import { formatLoss } from './format.js';
import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';

const INK = '#111418';
const LABEL_W = 200; // css px for the row names

/** meanMSE is the mean of a reconstructions message's per-example MSE (NaN when none). */
function meanMSE(msg) {
  const v = Array.isArray(msg?.mse) ? msg.mse.filter((x) => Number.isFinite(x) && x >= 0) : [];
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** ReconRows draws the runs' `recon` messages (see compare.js) into a canvas (data-testid="compare-recon"). */
export class ReconRows {
  constructor(canvas, caption, scheduler, runs) {
    this.canvas = canvas;
    this.caption = caption;
    this.scheduler = scheduler;
    this.runs = runs;
    this.dataChanged = false;
    this.cache = new WeakMap(); // message → decoded bytes
    // The presenter view gives the canvas a box from the page's grid: the rows fit its height.
    this.present = Boolean(canvas.closest('.present'));
    observeWidth(canvas, () => this.scheduler.request(this), this.present);
  }

  changed() {
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  decoded(msg) {
    let d = this.cache.get(msg);
    if (!d) {
      d = { orig: decodeBase64(msg.originals), rec: decodeBase64(msg.reconstructions) };
      this.cache.set(msg, d);
    }
    return d;
  }

  /** rows lists what to draw: an originals row whenever the images change, then each run's row. */
  rows() {
    const out = [];
    let lastOrig = null;
    for (const r of this.runs) {
      const m = r.recon;
      if (!m || !(m.count > 0)) continue;
      if (m.originals !== lastOrig) {
        out.push({ kind: 'orig', msg: m, run: r });
        lastOrig = m.originals;
      }
      out.push({ kind: 'rec', msg: m, run: r });
    }
    return out;
  }

  render() {
    const rows = this.rows();
    const dpr = window.devicePixelRatio || 1;
    const runRows = rows.filter((x) => x.kind === 'rec').length;
    if (rows.length === 0) {
      const { ctx, width, height } = fitCanvas(this.canvas, this.present ? undefined : 120);
      ctx.font = '15px system-ui, sans-serif';
      ctx.fillStyle = '#3a4049';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the first reconstructions…', width / 2, height / 2);
    } else {
      const first = rows[0].msg;
      const count = Math.max(1, first.count | 0);
      const cssWidth = Math.max(300, this.canvas.clientWidth);
      const availCss = cssWidth - LABEL_W;
      const gapCss = 8;
      const image = first.kind === 'image';
      const w = Math.max(1, first.width | 0);
      const h = Math.max(1, first.height | 0);
      let cellW;
      let cellH;
      let scale = 1;
      // In the presenter's box each row may be no taller than its share of the box.
      const maxCellH = this.present ? Math.max(8, (this.canvas.clientHeight - 6) / rows.length - 14) : Infinity;
      if (image) {
        const avail = Math.floor(availCss * dpr);
        const gap = Math.round(gapCss * dpr);
        scale = Math.max(1, Math.min(Math.round(5 * dpr), Math.floor((avail - gap * (count - 1)) / (count * w)), Math.floor((maxCellH * dpr) / h)));
        cellW = (w * scale) / dpr;
        cellH = (h * scale) / dpr;
      } else {
        cellW = (availCss - gapCss * (count - 1)) / count;
        cellH = Math.min(56, maxCellH);
      }
      const rowH = cellH + 14;
      const { ctx } = fitCanvas(this.canvas, this.present ? undefined : Math.ceil(rows.length * rowH + 6));
      rows.forEach((row, k) => this.drawRow(ctx, row, k * rowH + 4, { count, cellW, cellH, gapCss, image, w, h, scale, dpr }));
      const when = rows.filter((x) => x.kind === 'rec').map((x) => x.msg.epoch).filter(Number.isFinite);
      const ep = when.length ? ` Latest at epoch ${Math.max(...when).toFixed(2)}.` : '';
      this.caption.textContent = `The same ${count} test ${image ? 'images' : 'examples'} for every run; under each run's name, its mean MSE over them.${ep}`;
    }
    this.canvas.dataset.rows = String(runRows);
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.canvas);
    }
  }

  drawRow(ctx, row, top, L) {
    const { msg, run } = row;
    const d = this.decoded(msg);
    const bytes = row.kind === 'orig' ? d.orig : d.rec;
    // The row's name.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const mid = top + L.cellH / 2;
    if (row.kind === 'orig') {
      ctx.font = 'bold 16px system-ui, sans-serif';
      ctx.fillStyle = INK;
      ctx.fillText('originals', 0, mid, LABEL_W - 8);
    } else {
      ctx.fillStyle = run.color;
      ctx.fillRect(0, mid - 18, 16, 16);
      ctx.strokeStyle = INK;
      ctx.lineWidth = 1;
      ctx.strokeRect(0.5, mid - 17.5, 15, 15);
      ctx.font = 'bold 16px system-ui, sans-serif';
      ctx.fillStyle = INK;
      ctx.fillText(run.label, 22, mid - 10, LABEL_W - 30);
      ctx.font = '14px system-ui, sans-serif';
      ctx.fillStyle = '#3a4049';
      ctx.fillText(`MSE ${formatLoss(meanMSE(msg))}`, 22, mid + 11, LABEL_W - 30);
    }
    const size = Math.max(1, (msg.width | 0) * Math.max(1, msg.height | 0));
    const n = Math.min(L.count, msg.count | 0);
    if (L.image) {
      const strip = document.createElement('canvas');
      strip.width = L.w * n;
      strip.height = L.h;
      const sctx = strip.getContext('2d');
      const img = sctx.createImageData(strip.width, L.h);
      for (let e = 0; e < n; e++) {
        for (let y = 0; y < L.h; y++) {
          for (let x = 0; x < L.w; x++) {
            const b = bytes[e * size + y * L.w + x] ?? 0;
            const o = (y * strip.width + e * L.w + x) * 4;
            img.data[o] = b;
            img.data[o + 1] = b;
            img.data[o + 2] = b;
            img.data[o + 3] = 255;
          }
        }
      }
      sctx.putImageData(img, 0, 0);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0); // device pixels: crisp integer scaling
      ctx.imageSmoothingEnabled = false;
      const gap = Math.round(L.gapCss * L.dpr);
      const x0 = Math.round(LABEL_W * L.dpr);
      const y0 = Math.round(top * L.dpr);
      for (let e = 0; e < n; e++) {
        ctx.drawImage(strip, e * L.w, 0, L.w, L.h, x0 + e * (L.w * L.scale + gap), y0, L.w * L.scale, L.h * L.scale);
      }
      ctx.restore();
      return;
    }
    // Vectors: one small line plot per example.
    const lo = Number.isFinite(msg.lo) ? msg.lo : 0;
    const hi = Number.isFinite(msg.hi) && msg.hi !== lo ? msg.hi : lo + 1;
    const vals = dequantise(bytes, lo, hi);
    for (let e = 0; e < n; e++) {
      const px = LABEL_W + e * (L.cellW + L.gapCss);
      ctx.strokeStyle = '#c9ced6';
      ctx.lineWidth = 1;
      ctx.strokeRect(px + 0.5, top + 0.5, L.cellW - 1, L.cellH - 1);
      ctx.beginPath();
      for (let i = 0; i < size; i++) {
        const x = px + 3 + (size > 1 ? (i / (size - 1)) * (L.cellW - 6) : L.cellW / 2);
        const y = top + L.cellH - 3 - ((vals[e * size + i] - lo) / (hi - lo)) * (L.cellH - 6);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.strokeStyle = row.kind === 'orig' ? INK : run.color;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
}
