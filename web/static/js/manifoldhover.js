// Hover a tile of the latent explorer's manifold grid to read its code. The grid's geometry is
// ManifoldView's (explorer-views.js: a 62 px left margin, square tiles filling the rest of the
// width less 8 px); tile (r, c) decodes z1 = lo₁ + c/(C−1)·(hi₁ − lo₁), z2 = hi₂ − r/(R−1)·(hi₂ − lo₂)
// (docs/api.md, manifold). Pure helpers unit-tested in manifoldhover.test.js.

import { formatCode } from './explorer-views.js';

const LEFT = 62;
const RIGHT = 8;

/** tileAt returns {r, c} of the tile under (px, py) (CSS pixels of a canvas `width` wide), or null. */
export function tileAt(body, width, px, py) {
  if (!body?.rows || !body?.cols) return null;
  const side = Math.max(200, width) - LEFT - RIGHT;
  if (px < LEFT || px >= LEFT + side || py < 0 || py >= side) return null;
  return { r: Math.floor((py / side) * body.rows), c: Math.floor(((px - LEFT) / side) * body.cols) };
}

/** tileCode is the code tile (r, c) decodes. */
export function tileCode(body, r, c) {
  const [lo1, lo2] = body.bounds.lo;
  const [hi1, hi2] = body.bounds.hi;
  const f = (i, n) => (n > 1 ? i / (n - 1) : 0.5);
  return [lo1 + f(c, body.cols) * (hi1 - lo1), hi2 - f(r, body.rows) * (hi2 - lo2)];
}

/**
 * installManifoldHover shows, in `readout`, the code of the tile under the pointer of the manifold
 * view's canvas (and clears it when the pointer leaves).
 */
export function installManifoldHover(view, readout) {
  const canvas = view.canvas;
  canvas.addEventListener('pointermove', (ev) => {
    const b = view.body;
    const rect = canvas.getBoundingClientRect();
    const t = b && tileAt(b, canvas.clientWidth, ev.clientX - rect.left, ev.clientY - rect.top);
    if (!t) {
      readout.textContent = '';
      return;
    }
    const z = tileCode(b, t.r, t.c);
    readout.textContent = `Tile in row ${t.r + 1}, column ${t.c + 1}: code z = ${formatCode(z)}`;
  });
  canvas.addEventListener('pointerleave', () => {
    readout.textContent = '';
  });
}
