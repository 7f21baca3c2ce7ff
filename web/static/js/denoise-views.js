// The denoising lab's image grids: rows of the same test examples (noisy input, clean original,
// denoised output…), each row titled on the left, each column headed by its class, with the PSNR
// of each image against the clean one beneath it.

import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';
import { decodeBase64, dequantise } from './quant.js';
import { examplesOf, psnrFromMSE } from './snapapi.js';
import { Tiles, tileLayout } from './tiles.js';

const FONT = '15px system-ui, sans-serif';
const BOLD = 'bold 16px system-ui, sans-serif';

/** titleLines breaks a row title into lines of at most `width` pixels (at word boundaries). */
function titleLines(ctx, text, width) {
  const lines = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && ctx.measureText(`${lines[last]} ${word}`).width <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** meanSquaredError of two equal-length arrays. Pure. */
export function meanSquaredError(a, b) {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i] - b[i]) ** 2;
  return n ? s / n : NaN;
}

/**
 * rowsFrom decodes the base64 sets `fields` of a message (e.g. inputs, originals,
 * reconstructions), all quantised over the message's lo–hi, and measures each example's PSNR
 * against the set `clean` (peak: the width of the value range, 1 for images in [0, 1]).
 * Returns [{tiles, psnr: [dB per example]}] in the order of fields. Pure but for the canvases.
 */
export function rowsFrom(msg, fields, clean, peak = 1) {
  const lo = Number.isFinite(msg.lo) ? msg.lo : 0;
  const hi = Number.isFinite(msg.hi) ? msg.hi : 1;
  const size = Math.max(1, (msg.width | 0) * Math.max(1, msg.height | 0));
  const ref = dequantise(decodeBase64(msg[clean]), lo, hi);
  return fields.map((f) => {
    const vals = dequantise(decodeBase64(msg[f]), lo, hi);
    const psnr = [];
    for (let i = 0; i < (msg.count | 0); i++) {
      psnr.push(f === clean ? NaN : psnrFromMSE(meanSquaredError(vals.subarray(i * size, (i + 1) * size), ref.subarray(i * size, (i + 1) * size)), peak));
    }
    return { tiles: new Tiles(examplesOf(msg, f)), psnr };
  });
}

/**
 * RowsView draws rows of examples into a canvas (data-updates counts the data changes).
 * set({headers: [column titles], rows: [{title, tiles, psnr}]}) replaces the picture.
 */
export class RowsView {
  constructor(canvas, scheduler, placeholder) {
    this.canvas = canvas;
    this.scheduler = scheduler;
    this.placeholder = placeholder;
    this.data = null;
    this.changed = false;
    observeWidth(canvas, () => this.scheduler.request(this));
  }

  set(data) {
    this.data = data;
    this.changed = true;
    this.scheduler.request(this);
  }

  render() {
    this.draw();
    if (this.changed) {
      this.changed = false;
      bumpUpdates(this.canvas);
    }
  }

  draw() {
    const width = Math.max(240, this.canvas.clientWidth);
    const d = this.data;
    if (!d || d.rows.length === 0) {
      const { ctx } = fitCanvas(this.canvas, 140);
      ctx.fillStyle = '#e7e9ed';
      ctx.fillRect(0, 0, width, 140);
      ctx.font = FONT;
      ctx.fillStyle = '#3a4049';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.placeholder, width / 2, 70, width - 12);
      return;
    }
    const ex = d.rows[0].tiles.ex;
    const titleW = width < 700 ? 110 : 150;
    const gap = 6;
    const w = ex.kind === 'image' ? ex.width : 48;
    const h = ex.kind === 'image' ? ex.height : 32;
    const lay = tileLayout(ex.count, w, h, width - titleW, { gap, minScale: 1.5, maxScale: 4 });
    const headH = 24;
    const noteH = 22;
    const rowH = lay.cellH + noteH + 4;
    const blockH = headH + d.rows.length * rowH + 14;
    const blocks = Math.ceil(ex.count / lay.cols);
    const { ctx } = fitCanvas(this.canvas, blocks * blockH);
    for (let b = 0; b < blocks; b++) {
      const top = b * blockH;
      ctx.fillStyle = '#111418';
      ctx.font = BOLD;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      d.rows.forEach((r, k) => titleLines(ctx, r.title, titleW - 8).forEach((line, n, all) =>
        ctx.fillText(line, 0, top + headH + k * rowH + lay.cellH / 2 + (n - (all.length - 1) / 2) * 19, titleW - 8)));
      for (let c = 0; c < lay.cols; c++) {
        const i = b * lay.cols + c;
        if (i >= ex.count) break;
        const x = titleW + c * (lay.cellW + gap);
        ctx.fillStyle = '#111418';
        ctx.font = BOLD;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'bottom';
        ctx.fillText(d.headers[i] ?? '', x + lay.cellW / 2, top + headH - 3, lay.cellW + gap);
        d.rows.forEach((r, k) => {
          const y = top + headH + k * rowH;
          r.tiles.draw(ctx, i, x, y, lay.cellW, lay.cellH);
          const p = r.psnr?.[i];
          if (Number.isFinite(p)) {
            ctx.font = FONT;
            ctx.fillStyle = '#3a4049';
            ctx.textBaseline = 'top';
            ctx.fillText(lay.cellW >= 64 ? `${p.toFixed(1)} dB` : p.toFixed(1), x + lay.cellW / 2, y + lay.cellH + 2, lay.cellW + gap - 2);
          }
        });
      }
    }
  }
}
