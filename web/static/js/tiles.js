// Tiles of decoded examples on a canvas: the latent explorer's manifold grid, interpolation strip
// and decoded points, and the denoising lab's triplets. Images are drawn pixel for pixel (smoothing
// off, so each pixel stays a crisp square, white strokes on black as in the reconstructions);
// vectors as small line plots.

import { dequantise } from './quant.js';
import { SERIES } from './palette.js';

/**
 * tileLayout fits `count` tiles of w×h pixels into `avail` CSS pixels of width, `gap` apart: with
 * `cols` columns when given (shrinking the tiles as needed), else as many columns as fit with
 * each pixel at least `minScale` CSS pixels wide. The scale (CSS pixels per pixel) is at most
 * `maxScale`. Returns {cols, rows, scale, cellW, cellH}. Pure; exported for tests.
 */
export function tileLayout(count, w, h, avail, { cols = 0, gap = 6, minScale = 2, maxScale = 8 } = {}) {
  const n = Math.max(1, count);
  let c = cols > 0 ? Math.min(cols, n) : n;
  const scaleFor = (k) => (avail - gap * (k - 1)) / (k * w);
  if (cols <= 0) {
    while (c > 1 && scaleFor(c) < minScale) c--;
  }
  const scale = Math.max(0.25, Math.min(maxScale, scaleFor(c)));
  return { cols: c, rows: Math.ceil(n / c), scale, cellW: w * scale, cellH: h * scale };
}

/** examplesStrip draws every image of `ex` (see snapapi.examplesOf) side by side, one pixel per pixel. */
export function examplesStrip(ex) {
  const c = document.createElement('canvas');
  c.width = Math.max(1, ex.width * ex.count);
  c.height = ex.height;
  const cx = c.getContext('2d');
  const img = cx.createImageData(c.width, c.height);
  for (let e = 0; e < ex.count; e++) {
    for (let y = 0; y < ex.height; y++) {
      for (let x = 0; x < ex.width; x++) {
        const b = ex.bytes[e * ex.size + y * ex.width + x] ?? 0;
        const o = (y * c.width + e * ex.width + x) * 4;
        img.data[o] = b;
        img.data[o + 1] = b;
        img.data[o + 2] = b;
        img.data[o + 3] = 255;
      }
    }
  }
  cx.putImageData(img, 0, 0);
  return c;
}

/**
 * Tiles draws example sets: create one per set (it caches the pixel strip), then draw example i
 * into any box of a 2-D context.
 */
export class Tiles {
  constructor(ex) {
    this.ex = ex;
    this.strip = ex.kind === 'image' && ex.count > 0 ? examplesStrip(ex) : null;
    this.values = ex.kind === 'image' ? null : dequantise(ex.bytes, ex.lo, ex.hi);
  }

  /** draw puts example i in the box (x, y, w, h) (CSS pixels of ctx). */
  draw(ctx, i, x, y, w, h) {
    const ex = this.ex;
    if (i < 0 || i >= ex.count) return;
    if (this.strip) {
      const smooth = ctx.imageSmoothingEnabled;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.strip, i * ex.width, 0, ex.width, ex.height, x, y, w, h);
      ctx.imageSmoothingEnabled = smooth;
      return;
    }
    const vals = this.values.subarray(i * ex.size, (i + 1) * ex.size);
    const span = ex.hi - ex.lo || 1;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = '#8a929c';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    ctx.beginPath();
    for (let k = 0; k < vals.length; k++) {
      const px = x + 3 + (vals.length > 1 ? (k / (vals.length - 1)) * (w - 6) : (w - 6) / 2);
      const py = y + h - 3 - ((vals[k] - ex.lo) / span) * (h - 6);
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.strokeStyle = SERIES.a;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
}

/** tileAspect is the height over the width of one drawn example (vectors get a 2:3 box). */
export function tileAspect(ex) {
  return ex.kind === 'image' ? ex.height / ex.width : 2 / 3;
}
