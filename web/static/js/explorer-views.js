// The latent explorer's pictures, each drawn from an answer of the snapshot API: one decoded
// example, the manifold grid, the interpolation strip and the per-unit variance bars. Each keeps a
// data-updates counter (frame.js) that the browser tests read.

import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';
import { examplesOf } from './snapapi.js';
import { Tiles, tileAspect, tileLayout } from './tiles.js';
import { niceTicks } from './ticks.js';
import { formatTick } from './format.js';
import { OKABE_ITO } from './palette.js';
import { drawSelection } from './chartkeys.js';

const FONT = '16px system-ui, sans-serif';
const BOLD = 'bold 17px system-ui, sans-serif';
const INK = '#111418';
const SOFT = '#3a4049';

/** formatValue writes one latent value briefly (1.23, 0.045, 123) with a true minus sign. */
export function formatValue(v) {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  const t = a >= 100 || a === 0 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
  return t.replace('-', '−');
}

/** formatCode writes a latent code for people: (1.23, −0.45). */
export function formatCode(z) {
  return `(${z.map(formatValue).join(', ')})`;
}

/** View is a canvas drawn from the latest answer, redrawn when resized. */
class View {
  constructor(canvas, scheduler) {
    this.canvas = canvas;
    this.scheduler = scheduler;
    this.body = null;
    this.tiles = null;
    this.changed = false;
    observeWidth(canvas, () => this.scheduler.request(this));
  }

  set(body, field = 'data') {
    this.body = body;
    this.tiles = body ? new Tiles(examplesOf(body, field)) : null;
    this.changed = true;
    this.scheduler.request(this);
  }

  waiting(ctx, width, height, text) {
    ctx.fillStyle = '#e7e9ed';
    ctx.fillRect(0, 0, width, height);
    ctx.font = FONT;
    ctx.fillStyle = SOFT;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, width / 2, height / 2, width - 12);
  }

  render() {
    this.draw();
    if (this.changed) {
      this.changed = false;
      bumpUpdates(this.canvas);
    }
  }
}

/** DecodedView shows one decoded example, as large as its box allows. */
export class DecodedView extends View {
  constructor(canvas, scheduler, placeholder) {
    super(canvas, scheduler);
    this.placeholder = placeholder;
  }

  draw() {
    const width = Math.max(60, this.canvas.clientWidth);
    const ex = this.tiles?.ex;
    const h = ex ? Math.round(width * tileAspect(ex)) : width;
    const { ctx } = fitCanvas(this.canvas, h);
    if (!this.tiles) return this.waiting(ctx, width, h, this.placeholder);
    this.tiles.draw(ctx, 0, 0, 0, width, h);
  }
}

/**
 * ManifoldView draws the decoded grid with its axes: z1 from left to right, z2 from bottom to
 * top, the bounds written at the ends. The tile nearest `mark` ([z1, z2]) is framed.
 */
export class ManifoldView extends View {
  constructor(canvas, scheduler) {
    super(canvas, scheduler);
    this.mark = null;
    this.selected = -1; // the tile chosen with the keyboard (chartkeys.js): row · cols + column
  }

  /** select highlights tile i (-1: none). */
  select(i) {
    this.selected = i;
    this.scheduler.request(this);
  }

  setMark(z) {
    this.mark = z;
    this.scheduler.request(this);
  }

  draw() {
    const b = this.body;
    const width = Math.max(200, this.canvas.clientWidth);
    const left = 62;
    const bottom = 48;
    const side = width - left - 8;
    const { ctx } = fitCanvas(this.canvas, side + bottom + 4);
    if (!b || !this.tiles) return this.waiting(ctx, width, side + bottom, 'Waiting for the model…');
    const cw = side / b.cols;
    const ch = side / b.rows;
    for (let r = 0; r < b.rows; r++) {
      for (let c = 0; c < b.cols; c++) this.tiles.draw(ctx, r * b.cols + c, left + c * cw, r * ch, Math.ceil(cw), Math.ceil(ch));
    }
    const [lo1, lo2] = b.bounds.lo;
    const [hi1, hi2] = b.bounds.hi;
    ctx.fillStyle = INK;
    ctx.font = FONT;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(formatValue(lo1), left, side + 4);
    ctx.textAlign = 'right';
    ctx.fillText(formatValue(hi1), left + side, side + 4);
    ctx.textAlign = 'center';
    ctx.font = BOLD;
    ctx.fillText('z1 →', left + side / 2, side + 22);
    ctx.save();
    ctx.translate(20, side / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText('z2 →', 0, 0);
    ctx.restore();
    ctx.font = FONT;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(formatValue(hi2), left - 4, 0);
    ctx.textBaseline = 'bottom';
    ctx.fillText(formatValue(lo2), left - 4, side);
    // Frame the tile nearest the decoded point (when it lies within half a tile of the grid).
    const z = this.mark;
    if (z && hi1 > lo1 && hi2 > lo2) {
      const c = Math.round(((z[0] - lo1) / (hi1 - lo1)) * (b.cols - 1));
      const r = Math.round(((hi2 - z[1]) / (hi2 - lo2)) * (b.rows - 1));
      if (c >= 0 && c < b.cols && r >= 0 && r < b.rows) {
        const x = left + c * cw;
        const y = r * ch;
        ctx.lineWidth = 5;
        ctx.strokeStyle = '#ffffff';
        ctx.strokeRect(x + 2, y + 2, cw - 4, ch - 4);
        ctx.lineWidth = 3;
        ctx.strokeStyle = OKABE_ITO.vermillion;
        ctx.strokeRect(x + 2, y + 2, cw - 4, ch - 4);
      }
    }
    const k = this.selected;
    if (k >= 0 && k < b.rows * b.cols) drawSelection(ctx, left + (k % b.cols) * cw + 3, Math.floor(k / b.cols) * ch + 3, cw - 6, ch - 6);
  }
}

/** InterpolationView draws the strip from A to B, labelled with the two examples' classes. */
export class InterpolationView extends View {
  constructor(canvas, scheduler, classNames) {
    super(canvas, scheduler);
    this.classNames = classNames;
  }

  draw() {
    const b = this.body;
    const width = Math.max(200, this.canvas.clientWidth);
    if (!b || !this.tiles) {
      const { ctx } = fitCanvas(this.canvas, 120);
      return this.waiting(ctx, width, 120, 'Pick two examples, A and B…');
    }
    const ex = this.tiles.ex;
    const w = ex.kind === 'image' ? ex.width : 48;
    const lay = tileLayout(ex.count, w, w * tileAspect(ex), width, { cols: ex.count, gap: 4, maxScale: 5 });
    const top = 26;
    const rowH = lay.cellH + top + 8;
    const { ctx } = fitCanvas(this.canvas, lay.rows * rowH);
    const name = (l) => (Number.isInteger(l) && l >= 0 ? this.classNames()[l] ?? `class ${l}` : '');
    ctx.font = BOLD;
    ctx.fillStyle = INK;
    ctx.textBaseline = 'bottom';
    for (let i = 0; i < ex.count; i++) {
      const x = (i % lay.cols) * (lay.cellW + 4);
      const y = Math.floor(i / lay.cols) * rowH + top;
      this.tiles.draw(ctx, i, x, y, lay.cellW, lay.cellH);
      ctx.textAlign = 'center';
      if (i === 0) ctx.fillText(`A: ${name(b.labels[0])}`, x + lay.cellW / 2, y - 3, lay.cellW + 30);
      else if (i === ex.count - 1) ctx.fillText(`B: ${name(b.labels[1])}`, x + lay.cellW / 2, y - 3, lay.cellW + 30);
    }
  }
}

/** VarianceView draws one bar per latent unit; a dead unit gets a grey stub and the word "dead". */
export class VarianceView extends View {
  set(stats) {
    this.body = stats;
    this.changed = true;
    this.scheduler.request(this);
  }

  draw() {
    const s = this.body;
    const width = Math.max(200, this.canvas.clientWidth);
    const height = 260;
    const { ctx } = fitCanvas(this.canvas, height);
    if (!s) return this.waiting(ctx, width, height, 'Waiting for the model…');
    const m = s.variance.length;
    const M = { left: 70, right: 10, top: 12, bottom: 52 };
    const pw = width - M.left - M.right;
    const ph = height - M.top - M.bottom;
    const top = Math.max(...s.variance, 1e-12);
    const yt = niceTicks(0, top * 1.08, 4);
    const yMax = Math.max(top * 1.08, yt.ticks[yt.ticks.length - 1] ?? 0);
    const sy = (v) => M.top + ph - (v / yMax) * ph;
    ctx.font = FONT;
    ctx.strokeStyle = '#d5d9df';
    ctx.fillStyle = INK;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt.ticks) {
      const y = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(M.left, y);
      ctx.lineTo(M.left + pw, y);
      ctx.stroke();
      ctx.fillText(formatTick(t, yt.step), M.left - 6, y);
    }
    const slot = pw / m;
    const bw = Math.max(2, Math.min(60, slot * 0.7));
    const every = Math.ceil(m / Math.max(1, Math.floor(pw / 34)));
    for (let j = 0; j < m; j++) {
      const x = M.left + j * slot + (slot - bw) / 2;
      const y = sy(s.variance[j]);
      if (s.dead[j]) {
        ctx.fillStyle = '#767676';
        ctx.fillRect(x, M.top + ph - 4, bw, 4);
        ctx.fillStyle = INK;
        ctx.save();
        ctx.translate(x + bw / 2 + 6, M.top + ph - 8);
        ctx.rotate(-Math.PI / 2);
        ctx.font = BOLD;
        ctx.textAlign = 'left';
        ctx.fillText('dead', 0, 0);
        ctx.restore();
      } else {
        ctx.fillStyle = OKABE_ITO.blue;
        ctx.fillRect(x, y, bw, M.top + ph - y);
      }
      if (j % every === 0) {
        ctx.fillStyle = INK;
        ctx.font = FONT;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'top';
        ctx.fillText(`z${j + 1}`, x + bw / 2, M.top + ph + 6);
      }
    }
    ctx.strokeStyle = '#5b626c';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(M.left, M.top, pw, ph);
    ctx.font = BOLD;
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText('latent unit', M.left + pw / 2, height - 2, pw);
  }
}
