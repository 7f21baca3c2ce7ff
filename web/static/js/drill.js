// Drill-down on the latent scatter: click a marker (or type an example's number) to see that test
// example, the network's reconstruction of it and its error, from POST /api/sessions/{id}/reconstruct
// (docs/api.md). Point i of the latent message is test example i. While the run trains, the shown
// example is asked for again when a new latent frame arrives, so its reconstruction improves with it.

import { requestJSON, oneInFlight, examplesOf } from './snapapi.js';
import { Tiles } from './tiles.js';
import { fitCanvas } from './frame.js';
import { formatLoss } from './format.js';

/**
 * nearestPoint returns the index of the latent point drawn nearest to (px, py) in CSS pixels, within
 * `radius`, or -1. toPixel maps data coordinates to pixels as last drawn (Scatter.toPixel). Pure.
 */
export function nearestPoint(latent, toPixel, px, py, radius = 12) {
  if (!latent || !Array.isArray(latent.x)) return -1;
  const ys = Array.isArray(latent.y) && latent.y.length ? latent.y : null;
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < latent.x.length; i++) {
    const p = toPixel(latent.x[i], ys ? ys[i] : 0);
    if (!p) return -1;
    const d = (p[0] - px) ** 2 + (p[1] - py) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** describeExample is the sentence under the pictures (also the canvas's text alternative). Pure. */
export function describeExample(r, classNames = []) {
  const i = r.indices?.[0];
  const label = r.labels?.[0];
  const cls = label >= 0 ? `, class ${classNames[label] ?? label}` : '';
  const code = (r.codes?.[0] || []).slice(0, 8).map((v) => formatLoss(v)).join(', ');
  const more = (r.codes?.[0]?.length || 0) > 8 ? ', …' : '';
  const err = r.mse?.[0] >= 0 ? `reconstruction error (MSE) ${formatLoss(r.mse[0])}` : 'the model diverged: no finite reconstruction';
  return `Test example ${i}${cls}: ${err}; code (${code}${more}); weights of step ${r.step}.`;
}

/** Drill shows the example behind a clicked point of the latent scatter. */
export class Drill {
  /**
   * root holds the form, result and error (data-testid drill); scatter is the Scatter whose canvas
   * is clicked; apiURL the session's API address.
   */
  constructor(root, scatter, apiURL) {
    this.root = root;
    this.scatter = scatter;
    this.apiURL = apiURL;
    this.form = root.querySelector('[data-testid="drill-form"]');
    this.input = root.querySelector('[data-testid="drill-index"]');
    this.result = root.querySelector('[data-testid="drill-result"]');
    this.canvas = root.querySelector('[data-testid="drill-canvas"]');
    this.text = root.querySelector('[data-testid="drill-text"]');
    this.error = root.querySelector('[data-testid="drill-error"]');
    this.selected = -1;
    this.last = null;
    this.fetcher = oneInFlight((i) => requestJSON(`${apiURL}/reconstruct`, { examples: [i] }), {
      onResult: (r, i) => {
        if (i === this.selected) this.show(r);
      },
      onError: (err, i) => {
        if (i === this.selected) this.fail(err.message);
      },
    });
    const canvas = scatter.canvas;
    canvas.style.cursor = 'crosshair';
    canvas.addEventListener('click', (ev) => {
      const rect = canvas.getBoundingClientRect();
      const i = nearestPoint(scatter.latent, (x, y) => scatter.toPixel(x, y), ev.clientX - rect.left, ev.clientY - rect.top);
      if (i >= 0) this.select(i);
    });
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = this.count();
      const v = this.input.value.trim();
      const i = Number(v);
      if (v === '' || !Number.isInteger(i) || i < 0 || (n > 0 && i >= n)) {
        this.fail(n > 0 ? `Type a whole number from 0 to ${n - 1}: the scatter shows test examples 0 to ${n - 1}.` : 'Type a whole number: the number of a test example.');
        this.input.setAttribute('aria-invalid', 'true');
        this.input.focus();
        return;
      }
      this.input.removeAttribute('aria-invalid');
      this.select(i);
    });
    // Mark the chosen point on the scatter after each of its redraws.
    const render = scatter.render.bind(scatter);
    scatter.render = () => {
      render();
      this.mark();
    };
  }

  /** count is how many points the scatter shows (0 before the first frame). */
  count() {
    return this.scatter.latent?.x?.length || 0;
  }

  /** select shows test example i. */
  select(i) {
    this.selected = i;
    this.input.value = String(i);
    this.error.textContent = '';
    this.root.dataset.selected = String(i);
    this.fetcher.push(i);
    this.scatter.scheduler.request(this.scatter);
  }

  /** refresh asks again for the shown example (new weights). */
  refresh() {
    if (this.selected >= 0) this.fetcher.push(this.selected);
  }

  show(r) {
    this.last = r;
    const ex = examplesOf(r, 'originals');
    const rec = examplesOf(r, 'reconstructions');
    this.result.hidden = false;
    const tilesO = new Tiles(ex);
    const tilesR = new Tiles(rec);
    const box = ex.kind === 'image' ? Math.min(168, Math.max(84, ex.width * 6)) : 168;
    const h = ex.kind === 'image' ? Math.round((box * ex.height) / ex.width) : 112;
    const gap = 16;
    this.canvas.style.width = `${2 * box + gap}px`;
    const { ctx } = fitCanvas(this.canvas, h + 22);
    ctx.font = '15px system-ui, sans-serif';
    ctx.fillStyle = '#111418';
    ctx.textBaseline = 'top';
    ctx.fillText('original', 0, 0);
    ctx.fillText('reconstruction', box + gap, 0);
    tilesO.draw(ctx, 0, 0, 22, box, h);
    tilesR.draw(ctx, 0, box + gap, 22, box, h);
    const text = describeExample(r, this.scatter.classNames);
    this.text.textContent = text;
    this.canvas.setAttribute('aria-label', `Test example ${r.indices[0]} (left) and its reconstruction (right)`);
    this.root.dataset.shown = String(r.indices[0]);
  }

  fail(message) {
    this.error.textContent = `Could not show that example: ${message}`;
  }

  /** mark rings the selected point on the scatter's canvas. */
  mark() {
    const l = this.scatter.latent;
    const i = this.selected;
    if (!l || i < 0 || i >= (l.x?.length || 0)) return;
    const p = this.scatter.toPixel(l.x[i], Array.isArray(l.y) && l.y.length ? l.y[i] : 0);
    if (!p) return;
    const ctx = this.scatter.canvas.getContext('2d');
    ctx.save();
    ctx.lineWidth = 3;
    ctx.strokeStyle = '#111418';
    ctx.beginPath();
    ctx.arc(p[0], p[1], 10, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = '#ffd23f';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(p[0], p[1], 13, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }
}
