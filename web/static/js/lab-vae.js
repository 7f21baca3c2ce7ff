// Variational autoencoder lab (/labs/vae): two or three MNIST VAEs with a 2-D code that differ only
// in β (0.1, 1 and 4 by default), side by side, one column per β. Each column shows the two parts of the test loss
// (reconstruction and KL, from the stream's loss points), new digits decoded from codes drawn from
// the prior (POST /api/sessions/{id}/generate with one seed for all three, so each column decodes
// the same codes), the manifold over the prior's middle (GET …/manifold?span=prior, the same box
// for all three) and the scatter of the test digits' means μ (the stream's latent messages) on
// shared axes, with the manifold's box drawn on it. Pictures refresh every few seconds while the
// networks train and once more with their final weights.

import { bumpUpdates, createScheduler, fitCanvas, observeWidth } from './frame.js';
import { followSession, h, isTerminal, readLabBoot } from './labstream.js';
import { examplesOf, oneInFlight, requestJSON } from './snapapi.js';
import { Scatter } from './scatter.js';
import { ManifoldView } from './explorer-views.js';
import { Tiles, tileLayout } from './tiles.js';
import { OKABE_ITO } from './palette.js';
import { formatInt } from './format.js';

const REFRESH_MS = 2500;
const SAMPLES = 16; // new digits per column: two rows of eight
const SAMPLE_SEED = 7; // the same prior codes in every column and every refresh
const GRID = 8; // manifold rows and columns
const PRIOR_Z = 2.054; // the manifold's box: the 2%–98% quantiles of N(0, 1) (docs/api.md)
export const PART_COLORS = { reconstruction: OKABE_ITO.blue, kl: OKABE_ITO.orange };

/** formatBeta writes β for people: 0.1, 1, 4. Pure. */
export function formatBeta(b) {
  return Number.isFinite(b) ? String(Number(b.toPrecision(3))) : '?';
}

/**
 * betaHeading is a column's heading: its β, and when the owner changed β while it trained
 * (`change` messages, field "beta"), the β it started with. Pure.
 */
export function betaHeading(start, changes) {
  const last = Array.isArray(changes) ? changes.filter((c) => c && c.field === 'beta' && Number.isFinite(c.to)).at(-1) : undefined;
  if (!last || last.to === start) return `β = ${formatBeta(start)}`;
  return `β = ${formatBeta(last.to)} (from ${formatBeta(start)} at epoch ${Number(last.epoch).toFixed(1)})`;
}

/**
 * lastParts returns the reconstruction and KL parts of the latest loss point that has both, with
 * its epoch, or null. Pure.
 */
export function lastParts(points) {
  if (!Array.isArray(points)) return null;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p && Number.isFinite(p.reconstruction) && Number.isFinite(p.kl)) return { reconstruction: p.reconstruction, kl: p.kl, epoch: p.epoch, step: p.step };
  }
  return null;
}

/**
 * partWidths returns the bar widths in percent of the reconstruction and KL parts, on a scale whose
 * 100% is `top` (the largest total of the columns), so bars compare across columns. Pure.
 */
export function partWidths(parts, top) {
  if (!parts || !(top > 0)) return { reconstruction: 0, kl: 0 };
  const w = (v) => Math.max(0, Math.min(100, (100 * v) / top));
  return { reconstruction: w(parts.reconstruction), kl: w(parts.kl) };
}

/**
 * sharedRange returns axes that hold every scatter's points and the manifold's box, the same for
 * every column, so the spread of the codes compares at a glance: {x: [lo, hi], y: [lo, hi]}. Pure.
 */
export function sharedRange(latents, box = PRIOR_Z) {
  let lo = -box;
  let hi = box;
  for (const l of latents) {
    if (!l) continue;
    for (const arr of [l.x, l.y]) {
      if (!Array.isArray(arr)) continue;
      for (const v of arr) {
        if (Number.isFinite(v)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
  }
  const pad = 0.05 * (hi - lo);
  return { x: [lo - pad, hi + pad], y: [lo - pad, hi + pad] };
}

/** SamplesView draws the new digits: two rows of eight, white on black. */
class SamplesView {
  constructor(canvas, scheduler) {
    this.canvas = canvas;
    this.scheduler = scheduler;
    this.tiles = null;
    this.changed = false;
    observeWidth(canvas, () => scheduler.request(this));
  }

  set(body) {
    this.tiles = new Tiles(examplesOf(body));
    this.changed = true;
    this.scheduler.request(this);
  }

  render() {
    const width = Math.max(160, this.canvas.clientWidth);
    const gap = 3;
    const lay = tileLayout(SAMPLES, 28, 28, width, { cols: 8, gap, maxScale: 3 });
    const height = Math.ceil(lay.rows * (lay.cellH + gap));
    const { ctx } = fitCanvas(this.canvas, height);
    if (!this.tiles) {
      ctx.fillStyle = '#e7e9ed';
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = '#3a4049';
      ctx.font = '16px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('Waiting for the model…', width / 2, height / 2);
      return;
    }
    for (let i = 0; i < this.tiles.ex.count; i++) {
      this.tiles.draw(ctx, i, (i % lay.cols) * (lay.cellW + gap), Math.floor(i / lay.cols) * (lay.cellH + gap), lay.cellW, lay.cellH);
    }
    if (this.changed) {
      this.changed = false;
      bumpUpdates(this.canvas);
    }
  }
}

/** BoxScatter is the latent scatter with the manifold's box (the prior's middle) drawn dashed. */
class BoxScatter extends Scatter {
  render() {
    super.render();
    const a = this.toPixel(-PRIOR_Z, PRIOR_Z);
    const b = this.toPixel(PRIOR_Z, -PRIOR_Z);
    if (!a || !b) return;
    const ctx = this.canvas.getContext('2d');
    ctx.save();
    ctx.setLineDash([8, 5]);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = OKABE_ITO.black;
    ctx.strokeRect(a[0], a[1], b[0] - a[0], b[1] - a[1]);
    ctx.restore();
  }
}

function swatch(color, kl) {
  return h('span', { class: `vae-swatch${kl ? ' vae-kl' : ''}`, style: `background-color: ${color}`, 'aria-hidden': 'true' });
}

function main() {
  const boot = readLabBoot();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const scheduler = createScheduler();
  const runs = boot.sessions.map((s) => ({ s, beta: Number(s.beta), state: s.state, test: [], latent: null, final: false }))
    .sort((a, b) => a.beta - b.beta);

  const statuses = h('div', { class: 'lab-statuses vae-statuses' });
  const grid = h('div', { class: 'vae-lab', dataset: { testid: 'vae-lab' }, style: `--vae-cols: ${runs.length}` });
  const look = h('p', { class: 'lab-note vae-look', dataset: { testid: 'vae-look' } },
    'The scatters place 1,000 test digits at their codes’ means μ; the dashed box is where the manifold is drawn, the middle of the prior. What to look for: small β draws sharp digits back but scatters the codes far outside the prior’s box, with gaps, so many new digits are smudges; large β packs the codes into the box, fills it, and every new digit is a plausible one, only blurrier, with similar digits merged. The KL part says how far the codes are from the prior; the reconstruction part what that costs in drawing.');
  fig.replaceChildren(statuses, grid, look);

  // Row labels (the first column); the scatter's legend of digits sits in its label, the loss
  // parts' legend in every column (each bar's two numbers, by their swatches).
  const digitsLegend = h('ul', { class: 'legend vae-legend vae-digit-legend', dataset: { testid: 'vae-scatter-legend' } });
  const boxKey = h('p', { class: 'vae-box-key' }, h('span', { class: 'vae-dash', 'aria-hidden': 'true' }), 'manifold box');
  const label = (title, note, ...extra) => h('div', { class: 'vae-row-label' }, h('h2', {}, title), note ? h('p', { class: 'help' }, note) : null, ...extra);
  const rows = {
    head: [h('div', { class: 'vae-row-label vae-corner' }, h('h2', {}, 'KL weight'))],
    parts: [label('Test loss', 'per digit, in nats, at the latest epoch')],
    samples: [label('New digits', 'random codes, the same in each column')],
    manifold: [label('Manifold', `the decoder over ${GRID} × ${GRID} codes in the dashed box`)],
    scatter: [label('Codes μ', '', digitsLegend, boxKey)],
  };

  runs.forEach((r, i) => {
    const b = formatBeta(r.beta);
    r.heading = h('h2', { class: 'vae-beta', dataset: { testid: `vae-beta-${i}` } }, `β = ${b}`);
    r.changes = [];
    rows.head.push(r.heading);

    const recon = h('span', { class: 'vae-bar-part', style: `background-color: ${PART_COLORS.reconstruction}` });
    const kl = h('span', { class: 'vae-bar-part vae-kl', style: `background-color: ${PART_COLORS.kl}` });
    const reconValue = h('span', { class: 'vae-part-value' }, '…');
    const klValue = h('span', { class: 'vae-part-value' }, '…');
    const numbers = h('ul', { class: 'legend vae-legend vae-parts-numbers', dataset: { testid: `vae-parts-${i}` } },
      h('li', {}, swatch(PART_COLORS.reconstruction, false), 'reconstruction ', reconValue),
      h('li', {}, swatch(PART_COLORS.kl, true), '+ KL ', klValue));
    const bar = h('div', { class: 'vae-bar', role: 'img', 'aria-label': `reconstruction and KL parts of the test loss at β = ${b}` }, recon, kl);
    rows.parts.push(h('div', { class: 'vae-cell vae-parts' }, bar, numbers));
    r.parts = { recon, kl, reconValue, klValue, numbers, bar };

    const sc = h('canvas', { class: 'vae-samples', dataset: { testid: `vae-generated-${i}` }, role: 'img', 'aria-label': `new digits at β = ${b}` });
    const serr = h('p', { class: 'lab-error', role: 'alert' });
    rows.samples.push(h('div', { class: 'vae-cell' }, sc, serr));
    r.samples = new SamplesView(sc, scheduler);

    const mc = h('canvas', { class: 'manifold-canvas vae-manifold', dataset: { testid: `vae-manifold-${i}` }, role: 'img', 'aria-label': `manifold at β = ${b}` });
    const merr = h('p', { class: 'lab-error', role: 'alert' });
    rows.manifold.push(h('div', { class: 'vae-cell vae-manifold-cell' }, mc, merr));
    r.manifold = new ManifoldView(mc, scheduler);

    const lc = h('canvas', { class: 'latent-canvas vae-scatter', dataset: { testid: `vae-scatter-${i}` }, role: 'img', 'aria-label': `codes μ of the test digits at β = ${b}` });
    rows.scatter.push(h('div', { class: 'vae-cell' }, lc));
    r.scatter = new BoxScatter(lc, i === 0 ? digitsLegend : h('ul'), h('p'), scheduler);

    const api = r.s.api_url;
    r.genFlight = oneInFlight(() => requestJSON(`${api}/generate`, { n: SAMPLES, seed: SAMPLE_SEED }), {
      onResult: (body) => { serr.textContent = ''; r.samples.set(body); },
      onError: (err) => { if (!err.retryable) serr.textContent = err.message; },
    });
    r.manFlight = oneInFlight(() => requestJSON(`${api}/manifold?rows=${GRID}&cols=${GRID}&span=prior`), {
      onResult: (body) => { merr.textContent = ''; r.manifold.set(body); },
      onError: (err) => { if (!err.retryable) merr.textContent = err.message; },
    });
  });
  grid.append(...rows.head, ...rows.parts, ...rows.samples, ...rows.manifold, ...rows.scatter);

  function drawParts() {
    const all = runs.map((r) => lastParts(r.test));
    const top = Math.max(0, ...all.map((p) => (p ? p.reconstruction + p.kl : 0)));
    runs.forEach((r, i) => {
      const p = all[i];
      const w = partWidths(p, top);
      r.parts.recon.style.width = `${w.reconstruction}%`;
      r.parts.kl.style.width = `${w.kl}%`;
      if (p) {
        r.parts.reconValue.textContent = p.reconstruction.toFixed(1);
        r.parts.klValue.textContent = p.kl.toFixed(2);
        r.parts.numbers.dataset.epoch = String(Math.round(p.epoch));
        r.parts.bar.title = p.step === 0 ? 'the untrained network' : `after epoch ${formatInt(Math.round(p.epoch))}`;
      }
      bumpUpdates(r.parts.bar);
    });
  }

  function shareAxes() {
    const range = sharedRange(runs.map((r) => r.latent));
    for (const r of runs) {
      r.scatter.range = range;
      r.scatter.dataChanged = true;
      scheduler.request(r.scatter);
    }
  }

  const refresh = (r) => {
    r.genFlight.push();
    r.manFlight.push();
  };
  const live = (st) => st === 'running' || st === 'paused';
  setInterval(() => {
    for (const r of runs) if (live(r.state)) refresh(r);
  }, REFRESH_MS);

  const setOption = (name, v) => {
    const el = document.querySelector(`[data-testid="lab-start-form"] [name="${name}"]`);
    if (el) el.value = String(v);
  };

  for (const r of runs) {
    followSession(r.s, statuses, scheduler, {
      label: `β = ${formatBeta(r.beta)}`,
      onMessage(m) {
        if (m.type === 'snapshot') {
          if (m.session?.config?.train_size) setOption('train_size', m.session.config.train_size);
          r.test = [...(m.test_loss || [])];
          r.changes = [...(m.changes || [])];
          r.heading.textContent = betaHeading(r.beta, r.changes);
          if (m.latent) r.latent = m.latent;
          r.scatter.set(r.latent);
          shareAxes();
          drawParts();
        } else if (m.type === 'loss') {
          if (!m.test?.length) return;
          r.test.push(...m.test);
          drawParts();
        } else if (m.type === 'change') {
          r.changes.push(...(m.changes || []));
          r.heading.textContent = betaHeading(r.beta, r.changes);
        } else if (m.type === 'latent') {
          r.latent = m;
          r.scatter.set(m);
          shareAxes();
        }
      },
      onState(st) {
        r.state = st;
        if (live(st)) refresh(r);
        // Once more with the final weights (a failed run before its first step has none).
        if (isTerminal(st) && !r.final) {
          r.final = true;
          refresh(r);
        }
      },
    });
  }
  drawParts();
}

if (typeof document !== 'undefined') main();
