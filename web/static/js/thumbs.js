// Dataset picker thumbnails: a few examples of each dataset from GET /api/datasets/{name}/samples
// (docs/api.md), drawn small on the card's canvas: a grid of images, a point cloud coloured and
// shaped by class, or a few mini line plots. Cards that use colour get a legend of their classes.

import { decodeBase64, dequantise, examples } from './quant.js';
import { addMarker, classStyle, isStroked, markerSwatch } from './palette.js';
import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';

/** How many examples to ask for: a 2 × 8 grid of images, or six curves. */
export function samplesWanted(ds) {
  return ds && ds.height > 1 ? 16 : 6;
}

/**
 * gridLayout places `count` cells of w×h in a W×H box, `gap` apart, choosing the number of
 * columns that makes them largest. Returns {cols, rows, scale}. Pure; exported for tests.
 */
export function gridLayout(count, w, h, W, H, gap) {
  let best = { cols: 1, rows: Math.max(1, count), scale: 0 };
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const scale = Math.min((W - gap * (cols - 1)) / (cols * w), (H - gap * (rows - 1)) / (rows * h));
    if (scale > best.scale) best = { cols, rows, scale };
  }
  return best;
}

/**
 * project maps a point of 1 to 3 features to the page: (x1, x2) as they are, and for three
 * features a fixed oblique view along the second one, so a rolled-up sheet such as the swiss
 * roll shows its spiral with some depth. Returns [x, y] with y pointing up. Pure.
 */
export function project(p) {
  const x = p[0] ?? 0;
  const y = p[1] ?? 0;
  if (p.length >= 3) return [x + 0.45 * y, p[2] + 0.3 * y];
  return [x, p.length >= 2 ? y : 0];
}

/**
 * fitPoints scales 2-D points into a W×H box with `pad` around, the same scale on both axes
 * (so shapes are not distorted) and y flipped to screen coordinates. Pure.
 */
export function fitPoints(pts, W, H, pad) {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const [x, y] of pts) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (!(x1 >= x0)) return [];
  const sx = x1 > x0 ? (W - 2 * pad) / (x1 - x0) : Infinity;
  const sy = y1 > y0 ? (H - 2 * pad) / (y1 - y0) : Infinity;
  let s = Math.min(sx, sy);
  if (!Number.isFinite(s)) s = 1;
  const ox = (W - (x1 - x0) * s) / 2;
  const oy = (H - (y1 - y0) * s) / 2;
  return pts.map(([x, y]) => [ox + (x - x0) * s, H - (oy + (y - y0) * s)]);
}

function drawImages(ctx, W, H, m, bytes) {
  const w = Math.max(1, m.width | 0);
  const h = Math.max(1, m.height | 0);
  const { cols, rows, scale } = gridLayout(m.count, w, h, W, H, 3);
  const strip = document.createElement('canvas');
  strip.width = w * m.count;
  strip.height = h;
  const sctx = strip.getContext('2d');
  const img = sctx.createImageData(strip.width, h);
  for (let e = 0; e < m.count; e++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const b = bytes[e * w * h + y * w + x] ?? 0;
        const o = (y * strip.width + e * w + x) * 4;
        img.data[o] = img.data[o + 1] = img.data[o + 2] = b;
        img.data[o + 3] = 255;
      }
    }
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  const cw = w * scale;
  const ch = h * scale;
  const ox = (W - cols * cw - 3 * (cols - 1)) / 2;
  const oy = (H - rows * ch - 3 * (rows - 1)) / 2;
  for (let e = 0; e < m.count; e++) {
    const x = ox + (e % cols) * (cw + 3);
    const y = oy + Math.floor(e / cols) * (ch + 3);
    ctx.drawImage(strip, e * w, 0, w, h, x, y, cw, ch);
  }
}

function drawPoints(ctx, W, H, m, values) {
  const dims = Math.max(1, m.width | 0);
  const pts = examples(values, m.count, dims).map((p) => project(Array.from(p)));
  const screen = fitPoints(pts, W, H, 5);
  const groups = new Map();
  screen.forEach((p, i) => {
    const l = Number.isInteger(m.labels?.[i]) ? m.labels[i] : -1;
    if (!groups.has(l)) groups.set(l, []);
    groups.get(l).push(p);
  });
  const r = screen.length < 60 ? 4 : screen.length < 250 ? 3 : 2.4;
  // Small markers without the outlines of the big scatter: at this size outlines would be all
  // one sees. Shapes still tell the classes apart.
  for (const l of [...groups.keys()].sort((a, b) => a - b)) {
    const style = classStyle(l);
    ctx.beginPath();
    for (const [x, y] of groups.get(l)) addMarker(ctx, style.shape, x, y, r);
    ctx.globalAlpha = 0.85;
    if (isStroked(style.shape)) {
      ctx.strokeStyle = style.color;
      ctx.lineWidth = 1.4;
      ctx.stroke();
    } else {
      ctx.fillStyle = style.color;
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }
}

function drawCurves(ctx, W, H, m, values, lo, hi) {
  const n = Math.max(1, m.width | 0);
  const curves = examples(values, m.count, n);
  const { cols, rows } = gridLayout(m.count, 2, 1, W, H, 4);
  const cw = (W - 4 * (cols - 1)) / cols;
  const ch = (H - 4 * (rows - 1)) / rows;
  curves.forEach((c, e) => {
    const x0 = (e % cols) * (cw + 4);
    const y0 = Math.floor(e / cols) * (ch + 4);
    ctx.strokeStyle = '#c9ced6';
    ctx.lineWidth = 1;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, cw - 1, ch - 1);
    ctx.beginPath();
    for (let i = 0; i < c.length; i++) {
      const x = x0 + 2 + (n > 1 ? (i / (n - 1)) * (cw - 4) : (cw - 4) / 2);
      const y = y0 + ch - 2 - ((c[i] - lo) / (hi - lo)) * (ch - 4);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.strokeStyle = classStyle(Number.isInteger(m.labels?.[e]) ? m.labels[e] : -1).color;
    ctx.lineWidth = 1.6;
    ctx.stroke();
  });
}

/** drawThumb draws a samples answer on the canvas; it returns false when there is nothing to draw. */
export function drawThumb(canvas, m) {
  const { ctx, width, height } = fitCanvas(canvas); // its height comes from the CSS (.dataset-thumb)
  if (!m || !(m.count > 0)) return false;
  const bytes = decodeBase64(m.data);
  const lo = Number.isFinite(m.lo) ? m.lo : 0;
  const hi = Number.isFinite(m.hi) && m.hi > lo ? m.hi : lo + 1;
  if (m.kind === 'image') drawImages(ctx, width, height, m, bytes);
  else if (m.kind === 'points') drawPoints(ctx, width, height, m, dequantise(bytes, lo, hi));
  else drawCurves(ctx, width, height, m, dequantise(bytes, lo, hi), lo, hi);
  canvas.dataset.kind = m.kind;
  bumpUpdates(canvas);
  return true;
}

/** describe says in words what a thumbnail shows, for screen readers and the tooltip. */
export function describe(m, title) {
  if (m.kind === 'image') return `${m.count} example images from ${title}`;
  if (m.kind === 'points') {
    const axes = Array.isArray(m.axes) && m.axes.length ? ` (${m.axes.join(', ')})` : '';
    const coloured = m.class_names?.length ? ', coloured by class' : '';
    return `${m.count} points of ${title}${axes}${coloured}`;
  }
  return `${m.count} example curves from ${title}${m.class_names?.length ? ', coloured by class' : ''}`;
}

/** legendFor turns the card's class list into a legend with the thumbnail's markers (≤ 10 classes). */
function legendFor(card, m) {
  const names = m.class_names || [];
  const slot = card.querySelector('.dataset-classes');
  if (!slot || m.kind === 'image' || names.length === 0 || names.length > 10) return;
  const items = names.map((name, i) => {
    const s = document.createElement('span');
    s.className = 'thumb-key';
    s.append(markerSwatch(classStyle(i), 16), document.createTextNode(name));
    return s;
  });
  slot.replaceChildren(document.createTextNode('Classes: '), ...items);
  slot.classList.add('with-keys');
}

/** loadThumb fetches and draws the samples of one card's canvas, redrawing when its width changes. */
export async function loadThumb(canvas, datasets) {
  const name = canvas.dataset.dataset;
  const ds = datasets.get(name);
  try {
    const res = await fetch(`/api/datasets/${encodeURIComponent(name)}/samples?n=${samplesWanted(ds)}`, {
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const m = await res.json();
    if (!drawThumb(canvas, m)) return;
    canvas.setAttribute('aria-label', describe(m, ds?.title || name));
    canvas.title = describe(m, ds?.title || name);
    const card = canvas.closest('.dataset-card');
    if (card) legendFor(card, m);
    observeWidth(canvas, () => drawThumb(canvas, m));
  } catch (err) {
    canvas.hidden = true; // the card still names the dataset; a missing sketch is no reason to fail
    console.warn(`no thumbnail for ${name}:`, err);
  }
}

/** loadThumbs draws every dataset thumbnail under root. */
export function loadThumbs(root, datasets) {
  for (const c of root.querySelectorAll('canvas.dataset-thumb[data-dataset]')) loadThumb(c, datasets);
}
