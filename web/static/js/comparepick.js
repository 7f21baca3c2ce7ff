// Picking a test example on the compare page's latent scatters, by pointer or by keyboard, to see
// it with every run's reconstruction of it. Each scatter takes the focus (Tab; the page's focus
// ring), the arrow keys move a cursor from example to example (the nearest one that way, as in the
// latent explorer), a polite live line says which example it is on (its number, class and code),
// Enter or Space shows it, and Escape clears the cursor. A click on a marker shows its example too.
// Point i of every run's latent message is test example i of its dataset, so the cursor keeps its
// example when the focus moves to another run's scatter, and the example is marked on all of them.
// The example comes from POST /api/sessions/{id}/reconstruct (docs/api.md), once per run.

import { nextPoint } from './explorer-map.js';
import { nearestPoint } from './drill.js';
import { requestJSON, examplesOf } from './snapapi.js';
import { Tiles, tileAspect } from './tiles.js';
import { fitCanvas } from './frame.js';
import { formatLoss } from './format.js';
import { OKABE_ITO } from './palette.js';

/** describePoint says which example point i of a latent message is, for the live line. Pure. */
export function describePoint(latent, i, runLabel = '') {
  if (!latent || !Array.isArray(latent.x) || i < 0 || i >= latent.x.length) return '';
  const label = Array.isArray(latent.labels) ? latent.labels[i] : undefined;
  const names = latent.class_names || [];
  const cls = Number.isInteger(label) && label >= 0 ? `, class ${names[label] ?? label}` : '';
  const y = Array.isArray(latent.y) && latent.y.length ? latent.y[i] : null;
  const code = y === null ? formatLoss(latent.x[i]) : `${formatLoss(latent.x[i])}, ${formatLoss(y)}`;
  const where = runLabel ? ` in ${runLabel}` : '';
  return `Test example ${i}${cls}${where}: at (${code}). Enter shows it with every run's reconstruction.`;
}

/** pickSummary is the sentence under the picked example: each run's error on it. Pure. */
export function pickSummary(i, answers, classNames = []) {
  const ok = answers.filter((a) => a.body);
  if (ok.length === 0) return `Test example ${i}: no run could reconstruct it.`;
  const label = ok[0].body.labels?.[0];
  const cls = Number.isInteger(label) && label >= 0 ? `, class ${classNames[label] ?? label}` : '';
  const errs = ok.map((a) => `${a.label} ${a.body.mse?.[0] >= 0 ? formatLoss(a.body.mse[0]) : 'diverged'}`);
  return `Test example ${i}${cls}. Reconstruction error (MSE): ${errs.join('; ')}.`;
}

/**
 * ComparePick wires the scatters of the compare page (Latents: id → {scatter}) to the panel that
 * shows a picked example. runs are the page's runs ({id, label, color}); el holds the panel's
 * elements: live (polite line), result, canvas, text, list (links to the runs), error.
 */
export class ComparePick {
  constructor(scatters, runs, el) {
    this.scatters = scatters;
    this.runs = runs;
    this.el = el;
    this.cursor = -1; // the example the keyboard cursor is on
    this.picked = -1; // the example shown
    this.asked = 0; // number of the newest request, to drop older answers
    for (const run of runs) {
      const s = scatters.get(run.id)?.scatter;
      if (!s) continue;
      const c = s.canvas;
      c.setAttribute('tabindex', '0');
      c.setAttribute('role', 'application');
      c.setAttribute('aria-roledescription', 'scatter chart');
      c.setAttribute('aria-label', `Codes of test examples for ${run.label}. Arrow keys move from example to example; Enter shows it with every run's reconstruction.`);
      c.style.cursor = 'crosshair';
      c.addEventListener('keydown', (ev) => this.key(run, s, ev));
      c.addEventListener('focus', () => this.redrawAll());
      c.addEventListener('blur', () => this.redrawAll());
      c.addEventListener('click', (ev) => {
        const r = c.getBoundingClientRect();
        const i = nearestPoint(s.latent, (x, y) => s.toPixel(x, y), ev.clientX - r.left, ev.clientY - r.top);
        if (i < 0) return;
        this.cursor = i;
        this.pick(i);
      });
      // Mark the cursor and the picked example after each redraw of the scatter.
      const render = s.render.bind(s);
      s.render = () => {
        render();
        this.mark(s);
      };
    }
  }

  redrawAll() {
    for (const { scatter } of this.scatters.values()) scatter.scheduler.request(scatter);
  }

  /** pixels returns where scatter s drew its markers. */
  pixels(s) {
    const l = s.latent;
    return l ? l.x.map((x, i) => s.toPixel(x, l.y?.[i] ?? 0)) : [];
  }

  key(run, s, ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const n = s.latent?.x?.length || 0;
    if (ev.key === 'Escape') {
      if (this.cursor < 0) return; // nothing to clear: let the page have it (the presenter view)
      ev.preventDefault();
      this.cursor = -1;
      this.say('Cursor cleared.');
      this.redrawAll();
      return;
    }
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      if (this.cursor >= 0 && this.cursor < n) this.pick(this.cursor);
      else this.say(n > 0 ? 'No example under the cursor yet: use the arrow keys first.' : 'Nothing to pick yet: waiting for the first codes.');
      return;
    }
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[ev.key];
    if (!dir || !s.view || n === 0) return;
    ev.preventDefault();
    const pts = this.pixels(s);
    let i;
    if (this.cursor >= 0 && this.cursor < n) {
      i = nextPoint(pts, this.cursor, dir[0], dir[1]);
    } else {
      const r = s.canvas.getBoundingClientRect();
      i = nextPoint(pts, -1, 0, 0, r.width / 2, r.height / 2); // the example nearest the middle
    }
    this.cursor = i;
    s.canvas.dataset.cursor = String(i);
    this.say(describePoint(s.latent, i, run.label));
    this.redrawAll();
  }

  say(text) {
    if (this.el.live.textContent !== text) this.el.live.textContent = text;
  }

  /** pick shows test example i with every run's reconstruction of it. */
  async pick(i) {
    this.picked = i;
    const n = ++this.asked;
    this.el.root.dataset.picked = String(i);
    this.el.error.textContent = '';
    this.redrawAll();
    const runs = this.runs.filter((r) => i < (this.scatters.get(r.id)?.scatter.latent?.x?.length || 0));
    const answers = await Promise.all(
      runs.map(async (r) => {
        try {
          return { label: r.label, id: r.id, color: r.color, body: await requestJSON(`/api/sessions/${r.id}/reconstruct`, { examples: [i] }) };
        } catch (err) {
          return { label: r.label, id: r.id, color: r.color, error: err.message };
        }
      }),
    );
    if (n !== this.asked) return; // a newer pick is on its way
    this.show(i, answers);
  }

  show(i, answers) {
    const ok = answers.filter((a) => a.body);
    const failed = answers.filter((a) => a.error);
    this.el.error.textContent = failed.length ? `Could not reconstruct it for ${failed.map((a) => `${a.label} (${a.error})`).join('; ')}.` : '';
    const names = this.scatters.get(ok[0]?.id)?.scatter.classNames || [];
    this.el.text.textContent = pickSummary(i, answers, names);
    this.el.result.hidden = ok.length === 0;
    this.el.root.dataset.shown = String(i);
    this.el.root.dataset.runs = String(ok.length);
    if (ok.length === 0) return;
    // One row: the original, then each run's reconstruction under its label.
    const ex = examplesOf(ok[0].body, 'originals');
    const box = ex.kind === 'image' ? 96 : 128;
    const h = Math.round(box * tileAspect(ex));
    const gap = 14;
    const cells = [{ label: 'original', tiles: new Tiles(ex) }, ...ok.map((a) => ({ label: a.label, color: a.color, tiles: new Tiles(examplesOf(a.body, 'reconstructions')) }))];
    this.el.canvas.style.width = `${cells.length * (box + gap)}px`;
    const { ctx } = fitCanvas(this.el.canvas, h + 24);
    ctx.font = '15px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    cells.forEach((cell, k) => {
      const x = k * (box + gap);
      ctx.fillStyle = '#111418';
      ctx.fillText(cell.label, x, 0, box);
      cell.tiles.draw(ctx, 0, x, 22, box, h);
      if (cell.color) {
        ctx.fillStyle = cell.color;
        ctx.fillRect(x, 20, box, 2);
      }
    });
    this.el.canvas.setAttribute('aria-label', `Test example ${i} (first) and each run's reconstruction of it: ${ok.map((a) => a.label).join(', ')}`);
    this.el.list.replaceChildren(
      ...ok.map((a) => {
        const li = document.createElement('li');
        const link = document.createElement('a');
        link.href = `/sessions/${a.id}`;
        link.textContent = `Open ${a.label}`;
        li.append(link, document.createTextNode(`: error ${a.body.mse?.[0] >= 0 ? formatLoss(a.body.mse[0]) : 'diverged'}`));
        return li;
      }),
    );
  }

  /** mark draws the picked example (a ring) on scatter s, and the cursor (a square) if s has the focus. */
  mark(s) {
    const l = s.latent;
    if (!l || !s.view) return;
    const at = (i) => (i >= 0 && i < l.x.length ? s.toPixel(l.x[i], l.y?.[i] ?? 0) : null);
    const ctx = s.canvas.getContext('2d');
    ctx.save();
    const p = at(this.picked);
    if (p) {
      for (const [w, c, r] of [[3, '#111418', 9], [2, '#ffd23f', 12]]) {
        ctx.lineWidth = w;
        ctx.strokeStyle = c;
        ctx.beginPath();
        ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
        ctx.stroke();
      }
    }
    const q = document.activeElement === s.canvas ? at(this.cursor) : null;
    if (q) {
      for (const [w, c] of [[6, '#ffffff'], [3, OKABE_ITO.blue]]) {
        ctx.lineWidth = w;
        ctx.strokeStyle = c;
        ctx.strokeRect(q[0] - 11, q[1] - 11, 22, 22);
      }
    }
    ctx.restore();
  }
}
