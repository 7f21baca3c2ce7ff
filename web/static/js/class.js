// Class dashboard: one WebSocket (docs/protocol.md, "Class stream") feeds a tile per run, the
// counters and the class's rate–distortion chart. Tiles draw a loss sparkline, a latent thumbnail
// and a strip of reconstructions on small canvases; everything redraws at most once per frame.

import { ChartKeys } from './chartkeys.js';
import { installFoldEscape } from './folds.js';
import { connectLive, wsURL } from './ws.js';
import { createScheduler, bumpUpdates, fitCanvas } from './frame.js';
import { formatLoss, formatDuration } from './format.js';
import { classStyle, drawMarkers, markerSwatch } from './palette.js';
import { decodeBase64 } from './quant.js';
import { RDChart } from './rdchart.js';
import { runStyle } from './comparedata.js';
import { mergeTile, sortTiles, counts, countText, rdRuns, progressText, describeTile } from './classdata.js';
import { installPresenter } from './present.js';

const $ = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);
const LIVE = new Set(['queued', 'running', 'paused']);
const MAX_COMPARE = 8;

function readBoot() {
  try {
    return JSON.parse(document.getElementById('class-boot')?.textContent || '{}');
  } catch {
    return {};
  }
}

const boot = readBoot();
installPresenter();
installFoldEscape(); // Escape closes the lesson's summary when it holds the focus
const scheduler = createScheduler();
const tiles = new Map(); // id → tile
const students = new Set();
const selected = new Set();
let sortKey = 'loss';


function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'href' || k === 'type') e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

/** sparkline draws the training loss (log scale) with its axis range. */
function drawSpark(canvas, spark) {
  const { ctx, width, height } = fitCanvas(canvas);
  const vals = (spark || []).filter((v) => v > 0 && Number.isFinite(v));
  if (vals.length < 2) return;
  const lo = Math.log10(Math.min(...vals));
  const hi = Math.log10(Math.max(...vals));
  const span = hi - lo || 1;
  ctx.strokeStyle = '#0072B2';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  vals.forEach((v, i) => {
    const x = 2 + (i / (vals.length - 1)) * (width - 4);
    const y = 3 + (1 - (Math.log10(v) - lo) / span) * (height - 6);
    if (i) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
  });
  ctx.stroke();
}

/** drawLatent draws the thumbnail's points in their class colours and shapes. */
function drawLatent(canvas, lat) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.strokeStyle = '#8a929c';
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
  if (!lat) return;
  const xs = decodeBase64(lat.x);
  const ys = decodeBase64(lat.y);
  const groups = new Map();
  for (let i = 0; i < xs.length; i++) {
    const k = lat.labels?.[i] ?? -1;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push([5 + (xs[i] / 255) * (width - 10), 5 + (1 - ys[i] / 255) * (height - 10)]);
  }
  for (const [k, pts] of groups) drawMarkers(ctx, classStyle(k), pts, 2.6, 0.85);
}

/** drawStrip draws originals (top) over reconstructions (bottom): images in grey, vectors as lines. */
function drawStrip(canvas, r) {
  const { ctx, width, height } = fitCanvas(canvas);
  if (!r || !r.count) return;
  const orig = decodeBase64(r.originals);
  const rec = decodeBase64(r.reconstructions);
  const k = orig.length / r.count;
  const cw = width / r.count;
  const rh = height / 2;
  for (let i = 0; i < r.count; i++) {
    for (const [row, src] of [[0, orig], [1, rec]]) {
      const x0 = i * cw + 2;
      const y0 = row * rh + 2;
      const w = cw - 4;
      const h = rh - 4;
      if (r.kind === 'image' && r.width * r.height === k) {
        const img = ctx.createImageData(r.width, r.height);
        for (let j = 0; j < k; j++) {
          const v = src[i * k + j];
          img.data.set([v, v, v, 255], j * 4);
        }
        const off = new OffscreenCanvas(r.width, r.height);
        off.getContext('2d').putImageData(img, 0, 0);
        const s = Math.min(w / r.width, h / r.height);
        ctx.imageSmoothingEnabled = false;
        ctx.fillStyle = '#000';
        ctx.fillRect(x0, y0, w, h);
        ctx.drawImage(off, x0 + (w - r.width * s) / 2, y0 + (h - r.height * s) / 2, r.width * s, r.height * s);
      } else {
        ctx.strokeStyle = row ? '#D55E00' : '#0072B2';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        for (let j = 0; j < k; j++) {
          const x = x0 + (j / Math.max(1, k - 1)) * w;
          const y = y0 + (1 - src[i * k + j] / 255) * h;
          if (j) ctx.lineTo(x, y);
          else ctx.moveTo(x, y);
        }
        ctx.stroke();
      }
    }
  }
}

/** TileView is the DOM of one run's tile. */
class TileView {
  constructor(id) {
    this.id = id;
    this.name = el('a', { class: 'tile-student', href: `/sessions/${id}`, 'data-testid': 'tile-student' });
    this.state = el('span', { class: 'badge', 'data-testid': 'tile-state' });
    this.config = el('p', { class: 'tile-config', 'data-testid': 'tile-config' });
    this.progress = el('p', { class: 'tile-progress', 'data-testid': 'tile-progress' });
    this.loss = el('p', { class: 'tile-loss', 'data-testid': 'tile-loss' });
    this.spark = el('canvas', { class: 'tile-spark', 'data-testid': 'tile-spark', role: 'img', 'aria-label': 'Training loss so far, log scale' });
    this.latent = el('canvas', { class: 'tile-latent', 'data-testid': 'tile-latent', role: 'img', 'aria-label': 'Latent codes of test examples, coloured by class' });
    this.strip = el('canvas', { class: 'tile-strip', 'data-testid': 'tile-strip', role: 'img', 'aria-label': 'Test examples (top) and their reconstructions (bottom)' });
    const pics = el('div', { class: 'tile-pics' }, this.latent, this.strip);
    const head = el('div', { class: 'tile-head' }, this.name, this.state);
    this.root = el('li', { class: 'tile', 'data-testid': 'tile', 'data-run': id }, head, this.config, this.progress, this.loss,
      el('div', { class: 'tile-spark-row' }, this.spark, el('span', { class: 'tile-key' }, 'loss (log)')), pics,
      el('p', { class: 'tile-key' }, 'code · originals over reconstructions'));
    if (boot.teacher) {
      this.pick = el('input', { type: 'checkbox', 'aria-label': 'Select to compare', 'data-testid': 'tile-pick' });
      this.pick.addEventListener('change', () => toggleSelected(id, this.pick));
      this.stop = el('button', { type: 'button', class: 'button small danger', 'data-testid': 'tile-stop' }, 'Stop');
      this.stop.addEventListener('click', () => stopRun(id, this.stop));
      const show = el('a', { class: 'button small', href: `/sessions/${id}?present`, 'data-testid': 'tile-show' }, 'Show on the wall');
      this.root.append(el('div', { class: 'tile-actions' }, el('label', { class: 'toggle' }, this.pick, ' compare'), show, this.stop));
    }
    this.drawn = {};
  }

  update(t) {
    const set = (e, text) => {
      if (e.textContent !== text) e.textContent = text;
    };
    set(this.name, t.student);
    set(this.state, t.state);
    this.state.className = `badge state-${t.state}`;
    set(this.config, describeTile(t));
    set(this.progress, progressText(t) + (t.seconds > 0 ? ` · ${formatDuration(t.seconds)}` : ''));
    const loss = Number.isFinite(t.test_loss) ? `test loss ${formatLoss(t.test_loss)}` : Number.isFinite(t.train_loss) ? `training loss ${formatLoss(t.train_loss)}` : 'no loss yet';
    set(this.loss, loss + (Number.isFinite(t.pca) ? ` · PCA ${formatLoss(t.pca)}` : ''));
    this.root.dataset.state = t.state;
    this.root.dataset.testLoss = Number.isFinite(t.test_loss) ? String(t.test_loss) : '';
    if (this.stop) this.stop.disabled = !LIVE.has(t.state);
    if (this.drawn.spark !== t.spark) drawSpark(this.spark, (this.drawn.spark = t.spark));
    if (this.drawn.latent !== t.latent) drawLatent(this.latent, (this.drawn.latent = t.latent));
    if (this.drawn.recon !== t.recon) drawStrip(this.strip, (this.drawn.recon = t.recon));
  }
}

const views = new Map();
const list = $('tiles');
const rdRunsList = [];
const rd = new RDChart($('rd-chart'), scheduler, rdRunsList, { logToggle: $('rd-log'), lossName: boot.loss_label || 'test loss' });

/** legend names the chart's runs with their markers (up to a dozen; beyond, hover names them). */
let legendKey = '';
function legend(runs) {
  const ul = $('rd-students');
  const shown = runs.slice(0, 12);
  const key = shown.map((r) => `${r.id}:${r.student}`).join('|') + (runs.length > 12 ? '+' : '');
  if (key === legendKey) return;
  legendKey = key;
  ul.replaceChildren(...shown.map((r, i) => el('li', {}, markerSwatch(runStyle(i), 20), `${r.student} (M = ${r.bottleneck})`)));
  if (runs.length > 12) ul.append(el('li', {}, `and ${runs.length - 12} more: hover a dot or use the arrow keys on the chart to see whose`));
}

const board = {
  render() {
    const all = sortTiles([...tiles.values()], sortKey);
    $('no-runs').hidden = all.length > 0;
    all.forEach((t, i) => {
      let v = views.get(t.id);
      if (!v) {
        v = new TileView(t.id);
        views.set(t.id, v);
      }
      // In the page first, so that its canvases have a size to draw at.
      if (list.children[i] !== v.root) list.insertBefore(v.root, list.children[i] ?? null);
      v.update(t);
    });
    const c = counts(all, students.size);
    $('count-students').textContent = countText(c.students, 'student');
    $('count-running').textContent = `${c.running} running`;
    $('count-runs').textContent = countText(c.runs, 'run');
    rdRunsList.length = 0;
    rdRunsList.push(...rdRuns(all, boot.dataset));
    // Drawn in this frame with the tiles (not one frame later), so the chart never lags them.
    rd.dataChanged = true;
    rd.render();
    legend(rdRunsList);
    bumpUpdates(list);
  },
};

function showClass(info) {

  const badge = $('class-open');
  badge.textContent = info.open ? 'open' : 'closed';
  badge.className = `badge ${info.open ? 'state-running' : 'state-stopped'}`;
  const btn = $('btn-open-close');
  if (btn) {
    btn.textContent = info.open ? 'Close the class' : 'Open the class';
    btn.dataset.open = String(info.open);
  }
}

function actionError(msg) {
  const e = $('action-error');
  if (e) e.textContent = msg;
}

async function post(url) {
  const res = await fetch(url, { method: 'POST', credentials: 'same-origin' });
  if (!res.ok) {
    let msg = `${res.status}`;
    try {
      msg = (await res.json()).error || msg;
    } catch {}
    throw new Error(msg);
  }
  return res.status === 204 ? null : res.json();
}

async function stopRun(id, btn) {
  btn.disabled = true;
  try {
    await post(`/api/sessions/${id}/stop`);
    actionError('');
  } catch (err) {
    actionError(`Could not stop the run: ${err.message}`);
    btn.disabled = false;
  }
}

function toggleSelected(id, box) {
  if (box.checked && selected.size >= MAX_COMPARE) {
    box.checked = false;
    actionError(`At most ${MAX_COMPARE} runs can be compared at once.`);
    return;
  }
  if (box.checked) selected.add(id);
  else selected.delete(id);
  const form = $('compare-form');
  form.querySelectorAll('input[name="sessions"]').forEach((i) => i.remove());
  for (const s of selected) form.append(el('input', { type: 'hidden', name: 'sessions', value: s }));
  $('btn-compare').disabled = selected.size < 2;
}

$('btn-open-close')?.addEventListener('click', async (ev) => {
  const open = ev.currentTarget.dataset.open === 'true';
  try {
    showClass(await post(`${boot.api_url}/${open ? 'close' : 'open'}`));
    actionError('');
  } catch (err) {
    actionError(`Could not ${open ? 'close' : 'open'} the class: ${err.message}`);
  }
});

$('sort').addEventListener('change', (ev) => {
  sortKey = ev.target.value;
  scheduler.request(board);
});

/** rdRunText names a run of the rate–distortion chart with its numbers. */
function rdRunText(run) {
  return `${run.student}: M = ${run.bottleneck}, test loss ${formatLoss(run.testLoss ?? run.train[0]?.loss)}${Number.isFinite(run.pca) ? `, PCA ${formatLoss(run.pca)}` : ''}`;
}

// Name the run under the pointer on the rate–distortion chart.
const rdCanvas = $('rd-chart');
rdCanvas.addEventListener('pointermove', (ev) => {
  const r = rdCanvas.getBoundingClientRect();
  const x = ev.clientX - r.left;
  const y = ev.clientY - r.top;
  let best = null;
  let bd = 16 * 16;
  for (const h of rd.hits || []) {
    const d = (h.x - x) ** 2 + (h.y - y) ** 2;
    if (d < bd) [best, bd] = [h, d];
  }
  const out = $('rd-hover');
  if (!best) {
    out.textContent = '';
    rdCanvas.title = '';
    return;
  }
  const text = rdRunText(rdRunsList[best.index]);
  out.textContent = text;
  out.style.color = runStyle(best.index).color === '#F0E442' ? '#111418' : '';
  rdCanvas.title = text;
});

// By keyboard: Tab reaches the chart, the arrow keys go from dot to dot (left to right), each
// named in the polite line under it, and Enter opens that run's page, as its tile's name does.
const rdByX = () => [...(rd.hits || [])].sort((a, b) => a.x - b.x || a.y - b.y);
new ChartKeys(rdCanvas, {
  label: 'Test loss of every run against its bottleneck width, with the PCA error at the same width. Left and right arrows go from run to run; Enter opens its page.',
  roledescription: 'scatter chart',
  count: () => rdByX().length,
  describe(i) {
    const hits = rdByX();
    return `Run ${i + 1} of ${hits.length}, ${rdRunText(rdRunsList[hits[i].index])}. Enter opens it.`;
  },
  onMove(i) {
    rd.selected = i < 0 ? -1 : (rdByX()[i]?.index ?? -1);
    rdCanvas.dataset.selectedRun = rd.selected >= 0 ? rdRunsList[rd.selected].id : '';
    scheduler.request(rd);
  },
  onActivate(i) {
    const run = rdRunsList[rdByX()[i]?.index];
    if (run) location.assign(`/sessions/${run.id}`);
  },
  live: $('rd-hover'),
});

connectLive({
  url: wsURL(boot.ws_url),
  onMessage(msg) {
    switch (msg.type) {
      case 'snapshot':
        showClass(msg.class);
        students.clear();
        for (const s of msg.students || []) students.add(s.name);
        break;
      case 'run':
        tiles.set(msg.run.id, mergeTile(tiles.get(msg.run.id), msg.run));
        break;
      case 'student':
        students.add(msg.student.name);
        break;
      case 'class':
        showClass(msg.class);
        break;
      default:
        return;
    }
    scheduler.request(board);
  },
  onStatus(status) {
    const c = $('connection');
    c.dataset.status = status;
    c.textContent = status === 'live' ? 'live' : status === 'closed' ? 'disconnected' : 'connecting…';
  },
});
