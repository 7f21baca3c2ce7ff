// Keyboard operation of the charts a click drills into (the anomaly lab's histogram bars and ROC
// points, the latent explorer's manifold tiles): the canvas takes the focus (Tab), the arrow keys
// move a highlighted selection, Home and End jump to the ends, Enter or Space does what a click on
// the selection does, and Escape clears it. Every move is said in a polite live region, so a screen
// reader follows along; the focus ring is the page's (:focus-visible in app.css).

/**
 * nextIndex returns the selection after `key` from `i` (-1: none yet) among `n` items laid out in
 * rows of `cols` (1 for a row of bars or points: Up and Down then move like Right and Left),
 * or undefined when the key does not move the selection. Pure.
 */
export function nextIndex(key, i, n, cols = 1) {
  if (n <= 0) return undefined;
  const grid = cols > 1;
  if (i < 0 || i >= n) {
    if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(key)) return key === 'End' ? n - 1 : 0;
    return undefined;
  }
  const clamp = (j) => Math.max(0, Math.min(n - 1, j));
  switch (key) {
    case 'ArrowLeft':
      return grid && i % cols === 0 ? i : clamp(i - 1);
    case 'ArrowRight':
      return grid && i % cols === cols - 1 ? i : clamp(i + 1);
    case 'ArrowUp':
      return grid ? (i - cols >= 0 ? i - cols : i) : clamp(i + 1);
    case 'ArrowDown':
      return grid ? (i + cols < n ? i + cols : i) : clamp(i - 1);
    case 'Home':
      return grid ? i - (i % cols) : 0;
    case 'End':
      return grid ? Math.min(n - 1, i - (i % cols) + cols - 1) : n - 1;
    case 'PageUp':
      return grid ? i % cols : clamp(i + 10);
    case 'PageDown':
      return grid ? n - cols + (i % cols) : clamp(i - 10);
    default:
      return undefined;
  }
}

/**
 * ChartKeys makes `canvas` operable by keyboard. Options: label (the canvas's name, with the keys
 * to use), roledescription, count() (items now; 0 before the data), cols() (items per row; 1 by
 * default), describe(i) (what item i is, said on each move), onMove(i) (highlight item i; -1
 * clears), onActivate(i) (what a click on it does), live (the polite live region).
 */
export class ChartKeys {
  constructor(canvas, { label, roledescription = 'chart', count, cols = () => 1, describe, onMove, onActivate, live }) {
    this.canvas = canvas;
    this.count = count;
    this.cols = cols;
    this.describe = describe;
    this.onMove = onMove;
    this.onActivate = onActivate;
    this.live = live;
    this.selected = -1;
    canvas.setAttribute('tabindex', '0');
    canvas.setAttribute('role', 'application');
    canvas.setAttribute('aria-roledescription', roledescription);
    canvas.setAttribute('aria-label', label);
    canvas.addEventListener('keydown', (ev) => this.key(ev));
  }

  key(ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const n = this.count();
    if (ev.key === 'Escape') {
      if (this.selected < 0) return; // nothing to close: let the page have it
      ev.preventDefault();
      this.select(-1);
      this.say('Selection cleared.');
      return;
    }
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      if (this.selected >= 0 && this.selected < n) this.onActivate(this.selected);
      else this.say(n > 0 ? 'Nothing selected yet: use the arrow keys first.' : 'Nothing to select yet: waiting for the data.');
      return;
    }
    const j = nextIndex(ev.key, this.selected, n, Math.max(1, this.cols()));
    if (j === undefined) return;
    ev.preventDefault();
    this.select(j);
    this.say(this.describe(j));
  }

  /** select highlights item i (-1: none) without saying it. */
  select(i) {
    this.selected = i;
    this.canvas.dataset.selected = String(i);
    this.onMove(i);
  }

  say(text) {
    if (this.live) this.live.textContent = text;
  }
}

/**
 * drawSelection frames what the keyboard has selected: a dark frame inside a yellow one, seen on
 * the bars and on white (the page's focus colours).
 */
export function drawSelection(ctx, x, y, w, h) {
  ctx.save();
  ctx.setLineDash([]);
  ctx.lineWidth = 6;
  ctx.strokeStyle = '#ffd23f';
  ctx.strokeRect(x - 2, y - 2, w + 4, h + 4);
  ctx.lineWidth = 3;
  ctx.strokeStyle = '#0b4f9c';
  ctx.strokeRect(x, y, w, h);
  ctx.restore();
}
