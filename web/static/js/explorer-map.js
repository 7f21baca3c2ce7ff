// The latent explorer's map: the live latent scatter (scatter.js) under a transparent canvas that
// takes the pointer. With a 2-unit bottleneck a click or a drag decodes the point under the
// pointer; in any case the pointer can pick the two examples of the interpolation (the nearest
// marker). The overlay marks the decoded point and the examples A and B, joined by the line
// that the interpolation follows (a straight line in the code space stays straight under PCA).
// By keyboard: in the Pick A / Pick B modes the arrow keys move a cursor from example to
// example (the nearest one that way), a live line says which example it is on, and Enter picks
// it; in any mode the keys A and B pick the example under the cursor (or nearest the decoded
// point) as A or B.

import { Scatter } from './scatter.js';
import { fitCanvas, observeWidth } from './frame.js';
import { OKABE_ITO } from './palette.js';

/** nearestPoint returns the index of the point nearest to (px, py) within `radius`, or -1. Pure. */
export function nearestPoint(pts, px, py, radius) {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (!p) continue;
    const d = (p[0] - px) ** 2 + (p[1] - py) ** 2;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/**
 * nextPoint returns the index of the point to move a cursor to from point `from` in direction
 * (dx, dy) (pixels, y down): the nearest one within 60° either side of that direction, else the
 * nearest one on that side, else `from`. With from < 0, the point nearest (cx, cy). Pure.
 */
export function nextPoint(pts, from, dx, dy, cx = 0, cy = 0) {
  if (from < 0 || !pts[from]) return nearestPoint(pts, cx, cy, Infinity);
  const [x0, y0] = pts[from];
  let best = from;
  let bestScore = Infinity;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (!p || i === from) continue;
    const vx = p[0] - x0;
    const vy = p[1] - y0;
    const along = vx * dx + vy * dy;
    if (along <= 0) continue;
    const across = Math.abs(vx * dy - vy * dx);
    // Within the cone a point scores its distance; outside it (on that side still) far more.
    const d = Math.hypot(vx, vy);
    const score = across <= along * Math.sqrt(3) ? d : 1e6 + d;
    if (score < bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/**
 * ExplorerMap wires a Scatter and its overlay. Callbacks: onDecode([z1, z2]) for a point to
 * decode, onPick('a' | 'b', index) for a picked example.
 */
export class ExplorerMap {
  constructor({ canvas, overlay, legend, caption, scheduler, decodable, onDecode, onPick, onCursor }) {
    this.scatter = new Scatter(canvas, legend, caption, scheduler);
    const render = this.scatter.render.bind(this.scatter);
    this.scatter.render = () => {
      render();
      this.drawOverlay();
    };
    this.overlay = overlay;
    this.decodable = decodable;
    this.onDecode = onDecode;
    this.onPick = onPick;
    this.onCursor = onCursor || (() => {});
    this.cursor = -1; // the example the keyboard cursor is on
    this.mode = decodable ? 'decode' : 'a';
    this.point = null; // [z1, z2] being decoded
    this.picks = { a: -1, b: -1 };
    this.dragging = false;
    observeWidth(overlay, () => this.drawOverlay(), true);
    overlay.addEventListener('pointerdown', (e) => this.pointer(e, 'down'));
    overlay.addEventListener('pointermove', (e) => this.pointer(e, 'move'));
    overlay.addEventListener('pointerup', (e) => this.pointer(e, 'up'));
    overlay.addEventListener('pointercancel', (e) => this.pointer(e, 'up'));
    overlay.addEventListener('keydown', (e) => this.key(e));
    overlay.addEventListener('focus', () => this.drawOverlay());
    overlay.addEventListener('blur', () => this.drawOverlay());
  }

  /** set takes a latent message (or the snapshot's latent). */
  set(latent) {
    this.scatter.set(latent);
  }

  /** setMode chooses what the pointer does: 'decode', 'a' or 'b'. */
  setMode(mode) {
    this.mode = mode === 'decode' && !this.decodable ? 'a' : mode;
    this.overlay.dataset.mode = this.mode;
  }

  setPicks(a, b) {
    this.picks = { a, b };
    this.drawOverlay();
  }

  setPoint(z) {
    this.point = z;
    this.drawOverlay();
  }

  local(e) {
    const r = this.overlay.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  pointer(e, phase) {
    const [px, py] = this.local(e);
    if (this.mode === 'decode') {
      if (phase === 'down') {
        this.dragging = true;
        this.overlay.setPointerCapture?.(e.pointerId);
      }
      if (phase === 'up') this.dragging = false;
      if ((phase === 'down' || (phase === 'move' && this.dragging)) && this.decodeAt(px, py)) e.preventDefault();
      return;
    }
    if (phase !== 'down') return;
    const l = this.scatter.latent;
    if (!l) return;
    const pts = l.x.map((x, i) => this.scatter.toPixel(x, l.y?.[i] ?? 0));
    const i = nearestPoint(pts, px, py, 28);
    if (i >= 0) this.onPick(this.mode, i);
  }

  decodeAt(px, py) {
    const z = this.scatter.toData(px, py);
    if (!z) return false;
    this.setPoint(z);
    this.onDecode(z);
    return true;
  }

  /** pixels returns the markers' positions on the overlay. */
  pixels() {
    const l = this.scatter.latent;
    return l ? l.x.map((x, i) => this.scatter.toPixel(x, l.y?.[i] ?? 0)) : [];
  }

  /** moveCursor puts the keyboard cursor on example i and says which it is. */
  moveCursor(i) {
    this.cursor = i;
    this.drawOverlay();
    if (i >= 0) this.onCursor(i);
  }

  /**
   * key handles the keyboard: A / B pick the example under the cursor (or nearest the decoded
   * point); in the pick modes the arrows move the cursor and Enter picks; in the decode mode the
   * arrows move the decoded point (2% of the visible range per press).
   */
  key(e) {
    if (!this.scatter.view || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key.toLowerCase();
    if (k === 'a' || k === 'b') {
      let i = this.cursor;
      if (this.mode === 'decode' && this.point) {
        const p = this.scatter.toPixel(this.point[0], this.point[1]);
        if (p) i = nearestPoint(this.pixels(), p[0], p[1], Infinity);
      }
      if (i < 0) i = this.startCursor();
      if (i < 0) return;
      e.preventDefault();
      this.cursor = i;
      this.onPick(k, i);
      return;
    }
    if (this.mode !== 'decode') {
      const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
      if (dir) {
        e.preventDefault();
        this.moveCursor(this.cursor < 0 ? this.startCursor() : nextPoint(this.pixels(), this.cursor, dir[0], dir[1]));
      } else if ((e.key === 'Enter' || e.key === ' ') && this.cursor >= 0) {
        e.preventDefault();
        this.onPick(this.mode, this.cursor);
      }
      return;
    }
    const v = this.scatter.view;
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const z = this.point ?? [(v.x0 + v.x1) / 2, (v.y0 + v.y1) / 2];
    const next = [z[0] + d[0] * 0.02 * (v.x1 - v.x0), z[1] + d[1] * 0.02 * (v.y1 - v.y0)];
    this.setPoint(next);
    this.onDecode(next);
  }

  /** startCursor is where the cursor starts: the current pick of the mode, else the middle. */
  startCursor() {
    const pts = this.pixels();
    const own = this.mode === 'b' ? this.picks.b : this.picks.a;
    if (own >= 0 && pts[own]) return own;
    const r = this.overlay.getBoundingClientRect();
    return nearestPoint(pts, r.width / 2, r.height / 2, Infinity);
  }

  drawOverlay() {
    const { ctx } = fitCanvas(this.overlay);
    const s = this.scatter;
    const l = s.latent;
    if (!s.view) return;
    const focused = document.activeElement === this.overlay;
    const at = (i) => (l && i >= 0 && i < l.x.length ? s.toPixel(l.x[i], l.y?.[i] ?? 0) : null);
    const pa = at(this.picks.a);
    const pb = at(this.picks.b);
    if (pa && pb) {
      ctx.lineWidth = 6;
      ctx.strokeStyle = '#ffffff';
      ctx.beginPath();
      ctx.moveTo(...pa);
      ctx.lineTo(...pb);
      ctx.stroke();
      ctx.lineWidth = 3;
      ctx.setLineDash([8, 5]);
      ctx.strokeStyle = '#111418';
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const [p, name] of [[pa, 'A'], [pb, 'B']]) {
      if (!p) continue;
      ring(ctx, p, 11);
      ctx.font = 'bold 20px system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.lineWidth = 4;
      ctx.strokeStyle = '#ffffff';
      ctx.strokeText(name, p[0] + 10, p[1] - 8);
      ctx.fillStyle = '#111418';
      ctx.fillText(name, p[0] + 10, p[1] - 8);
    }
    if (this.point) {
      const p = s.toPixel(this.point[0], this.point[1]);
      if (p) crosshair(ctx, p);
    }
    const pc = focused && this.mode !== 'decode' ? at(this.cursor) : null;
    if (pc) cursorMark(ctx, pc);
  }
}

/** cursorMark marks the keyboard cursor: a blue square haloed in white, unlike A, B and the crosshair. */
function cursorMark(ctx, [x, y]) {
  for (const [w, c] of [[7, '#ffffff'], [3.5, OKABE_ITO.blue]]) {
    ctx.lineWidth = w;
    ctx.strokeStyle = c;
    ctx.strokeRect(x - 14, y - 14, 28, 28);
  }
}

function ring(ctx, [x, y], r) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.lineWidth = 7;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  ctx.lineWidth = 3.5;
  ctx.strokeStyle = '#111418';
  ctx.stroke();
}

/** crosshair marks the decoded point: a vermillion ring with arms, haloed in white. */
function crosshair(ctx, [x, y]) {
  const arms = () => {
    ctx.beginPath();
    ctx.arc(x, y, 10, 0, 2 * Math.PI);
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      ctx.moveTo(x + dx * 10, y + dy * 10);
      ctx.lineTo(x + dx * 20, y + dy * 20);
    }
  };
  arms();
  ctx.lineWidth = 7;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  arms();
  ctx.lineWidth = 3.5;
  ctx.strokeStyle = OKABE_ITO.vermillion;
  ctx.stroke();
}
