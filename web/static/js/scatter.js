// Latent scatter on a canvas: one marker per test example at its code (or its PCA projection),
// coloured AND shaped by class, auto-scaled axes with ticks and titles, an HTML legend of the
// class names and a caption saying which projection is shown.

import { extent, niceTicks } from './ticks.js';
import { formatTick } from './format.js';
import { classStyle, drawMarkers, markerSwatch } from './palette.js';
import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';

const M = { left: 78, right: 18, top: 14, bottom: 62 };
const TICK_FONT = '15px system-ui, sans-serif';
const TITLE_FONT = 'bold 17px system-ui, sans-serif';

/** captionFor explains the projection of a latent message in words. */
export function captionFor(latent) {
  if (!latent) return 'Each marker is one test example placed at its code. Waiting for data…';
  const when = Number.isFinite(latent.epoch) ? ` Taken at epoch ${latent.epoch.toFixed(2)}.` : '';
  if (latent.projection === 'pca') {
    return `PCA projection: the codes have more than 2 numbers, so they are shown along their first two principal components (the directions in which they vary most).${when}`;
  }
  return `Identity: the code units themselves are the axes, no projection.${when}`;
}

/** Scatter draws latent messages into a canvas (data-testid="latent-canvas"). */
export class Scatter {
  constructor(canvas, legend, caption, scheduler) {
    this.canvas = canvas;
    this.legend = legend;
    this.caption = caption;
    this.scheduler = scheduler;
    this.latent = null;
    this.legendKey = null;
    this.range = null;
    this.dataChanged = false;
    observeWidth(canvas, () => this.scheduler.request(this), true);
  }

  /** set replaces the latent data (null clears the plot). */
  set(latent) {
    this.latent = latent && Array.isArray(latent.x) ? latent : null;
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  /** classNames are the latest class names (the reconstructions view borrows them). */
  get classNames() {
    return this.latent?.class_names || [];
  }

  /**
   * toData maps a point of the canvas (CSS pixels from its top left) to data coordinates as last
   * drawn, or null before the first draw or outside the plot area.
   */
  toData(px, py) {
    const v = this.view;
    if (!v || px < M.left || px > M.left + v.pw || py < M.top || py > M.top + v.ph) return null;
    return [v.x0 + ((px - M.left) / v.pw) * (v.x1 - v.x0), v.y0 + ((M.top + v.ph - py) / v.ph) * (v.y1 - v.y0)];
  }

  /** toPixel maps data coordinates to canvas CSS pixels as last drawn (null before the first draw). */
  toPixel(x, y) {
    const v = this.view;
    if (!v) return null;
    return [M.left + ((x - v.x0) / (v.x1 - v.x0)) * v.pw, M.top + v.ph - ((y - v.y0) / (v.y1 - v.y0)) * v.ph];
  }

  render() {
    const l = this.latent;
    this.caption.textContent = captionFor(l);
    this.renderLegend(l);
    const { ctx, width, height } = fitCanvas(this.canvas);
    const pw = width - M.left - M.right;
    const ph = height - M.top - M.bottom;
    if (pw < 20 || ph < 20) return;
    const xs = l ? l.x : [];
    const ys = l ? (Array.isArray(l.y) && l.y.length ? l.y : xs.map(() => 0)) : [];
    // A caller may fix the axes (this.range = {x: [x0, x1], y: [y0, y1]}), e.g. to share them
    // between scatters drawn side by side; otherwise they fit the points.
    const [x0, x1] = this.range?.x ?? extent(xs);
    const [y0, y1] = this.range?.y ?? extent(ys);
    const sx = (v) => M.left + ((v - x0) / (x1 - x0)) * pw;
    const sy = (v) => M.top + ph - ((v - y0) / (y1 - y0)) * ph;
    this.view = { x0, x1, y0, y1, pw, ph };

    // Grid, ticks and tick labels.
    ctx.font = TICK_FONT;
    ctx.fillStyle = '#111418';
    ctx.strokeStyle = '#d5d9df';
    ctx.lineWidth = 1;
    const xt = niceTicks(x0, x1, Math.max(3, Math.floor(pw / 80)));
    const yt = niceTicks(y0, y1, Math.max(3, Math.floor(ph / 60)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xt.ticks) {
      const x = Math.round(sx(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, M.top);
      ctx.lineTo(x, M.top + ph);
      ctx.stroke();
      ctx.fillText(formatTick(t, xt.step), x, M.top + ph + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt.ticks) {
      const y = Math.round(sy(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(M.left, y);
      ctx.lineTo(M.left + pw, y);
      ctx.stroke();
      ctx.fillText(formatTick(t, yt.step), M.left - 8, y);
    }
    ctx.strokeStyle = '#5b626c';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(M.left, M.top, pw, ph);

    // Axis titles.
    const axes = Array.isArray(l?.axes) ? l.axes : ['', ''];
    ctx.font = TITLE_FONT;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(axes[0] || 'x', M.left + pw / 2, height - 4);
    ctx.save();
    ctx.translate(18, M.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(axes[1] || 'y', 0, 0);
    ctx.restore();

    if (!l || xs.length === 0) {
      ctx.font = TICK_FONT;
      ctx.fillStyle = '#3a4049';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the first codes…', M.left + pw / 2, M.top + ph / 2);
    } else {
      // Group by class so each class is one path: fast even for thousands of points.
      const groups = new Map();
      const labels = Array.isArray(l.labels) ? l.labels : [];
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        const y = ys[i];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const c = Number.isInteger(labels[i]) ? labels[i] : -1;
        if (!groups.has(c)) groups.set(c, []);
        groups.get(c).push([sx(x), sy(y)]);
      }
      const r = xs.length > 1500 ? 3.5 : xs.length > 500 ? 4.5 : 6;
      ctx.save();
      ctx.beginPath();
      ctx.rect(M.left, M.top, pw, ph);
      ctx.clip();
      const order = [...groups.keys()].sort((a, b) => a - b);
      for (const c of order) drawMarkers(ctx, classStyle(c), groups.get(c), r, 0.85);
      ctx.restore();
    }
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.canvas);
    }
  }

  renderLegend(l) {
    const names = l?.class_names || [];
    const hasUnlabelled = Array.isArray(l?.labels) && l.labels.some((v) => v < 0);
    const key = `${names.join('\u0000')}|${hasUnlabelled}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    const items = names.map((name, i) => {
      const li = document.createElement('li');
      li.append(markerSwatch(classStyle(i)), document.createTextNode(name));
      return li;
    });
    if (hasUnlabelled) {
      const li = document.createElement('li');
      li.append(markerSwatch(classStyle(-1)), document.createTextNode('unlabelled'));
      items.push(li);
    }
    this.legend.replaceChildren(...items);
  }
}
