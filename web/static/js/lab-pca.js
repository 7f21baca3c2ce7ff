// "Against PCA" lab (/labs/pca): a linear autoencoder and a non-linear one with the same k-unit
// code, beside PCA with k components on the same digits. Three scatters of the same test digits
// (PCA from GET /api/sessions/{id}/pca-projection, the two autoencoders from their streams' latent
// messages), the test errors as bars, and both test-loss curves under the dashed PCA line.

import { createScheduler, bumpUpdates } from './frame.js';
import { followSession, h, panel, readLabBoot } from './labstream.js';
import { requestJSON } from './snapapi.js';
import { Scatter } from './scatter.js';
import { MetricChart } from './metricchart.js';
import { OKABE_ITO } from './palette.js';
import { formatLoss } from './format.js';

const COLORS = { pca: OKABE_ITO.black, linear: OKABE_ITO.vermillion, deep: OKABE_ITO.blue };

/** lossPoints turns loss points ({epoch, loss}) into chart points ({x, y}). Pure. */
export function lossPoints(pts) {
  return Array.isArray(pts) ? pts.filter((p) => p && Number.isFinite(p.epoch) && Number.isFinite(p.loss)).map((p) => ({ x: p.epoch, y: p.loss })) : [];
}

/**
 * zoomRange is the loss axis: around the PCA line and the lowest loss, so that a gap of a few
 * percent shows, with the untrained model's high first losses running off the top. Pure.
 */
export function zoomRange(min, max, pca) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return Number.isFinite(pca) ? [0, 2 * pca] : [0, 0.1];
  if (!Number.isFinite(pca)) return [0, max * 1.05];
  const lo = Math.min(min, pca);
  const span = Math.max(pca - lo, 0.1 * pca);
  return [Math.max(0, lo - 0.6 * span), Math.min(Math.max(max, pca) * 1.02, pca + 2.5 * span)];
}

/** versus says how an error compares with PCA's in words: "0.4% above PCA". Pure. */
export function versus(mse, pca) {
  if (!Number.isFinite(mse) || !Number.isFinite(pca) || pca <= 0) return '';
  const d = (mse - pca) / pca;
  if (Math.abs(d) < 0.005) return 'the same as PCA';
  return `${Math.abs(100 * d).toFixed(1)}% ${d > 0 ? 'above' : 'below'} PCA`;
}

function main() {
  const boot = readLabBoot();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length < 2) return;
  const [lin, deep] = boot.sessions;
  const k = Number(lin.bottleneck) || 0;
  const scheduler = createScheduler();
  const statuses = h('div', { class: 'lab-statuses' });
  const grid = h('div', { class: 'pca-lab' });
  fig.replaceChildren(statuses, grid);
  statuses.scrollIntoView({ block: 'start' });

  // Scatters: PCA, linear AE, non-linear AE.
  const scP = panel(`The same 1,000 test digits, coded with k = ${k} numbers`, 'pca-scatters', 'scatters-panel');
  const legend = h('ul', { class: 'legend', dataset: { testid: 'pca-lab-legend' } });
  const row = h('div', { class: 'pca-scatters' });
  const mk = (title, testid, own, note) => {
    const canvas = h('canvas', { class: 'latent-canvas', dataset: { testid }, role: 'img', 'aria-label': title });
    const caption = h('p', { class: 'caption' });
    // PCA's points are not codes of a network: scatter.js's caption would misname them.
    row.append(h('figure', { class: 'pca-scatter' }, h('figcaption', {}, title), canvas, note || caption));
    return new Scatter(canvas, own ? legend : h('ul'), caption, scheduler);
  };
  const pcaNote = h('p', { class: 'caption', dataset: { testid: 'pca-scatter-caption' } }, 'Fitting PCA on the training digits…');
  const pcaScatter = mk('PCA, first two components', 'pca-scatter', true, pcaNote);
  const linScatter = mk('Linear autoencoder', 'ae-scatter-linear', false);
  const deepScatter = mk('Non-linear autoencoder (ReLU)', 'ae-scatter', false);
  scP.body.append(row, legend, h('p', { class: 'caption' },
    `Each marker is a test digit; colour and shape give its class. PCA’s axes are its first two principal components. ${k > 2 ? `The autoencoders’ codes have ${k} numbers, so they are shown along their own first two principal components.` : 'The autoencoders’ axes are their two code units.'} The linear autoencoder finds PCA’s plane, often rotated, stretched or mirrored; the non-linear one can bend it.`));

  // Error bars.
  const barsP = panel('Test reconstruction error (MSE, lower is better)', 'error-panel', 'error-panel');
  const bars = h('div', { class: 'error-bars', dataset: { testid: 'error-bars' }, role: 'img', 'aria-label': 'test errors of PCA and of both autoencoders' });
  const barsCap = h('p', { class: 'caption', dataset: { testid: 'error-caption' } }, 'Waiting for the first test losses…');
  barsP.body.append(bars, barsCap);

  // Loss curves with the PCA line.
  const lossP = panel('Test loss per epoch against PCA', 'loss-panel', 'loss-panel');
  const lc = h('div', { class: 'loss-chart', dataset: { testid: 'pca-loss-chart' } });
  const lossCap = h('p', { class: 'caption', dataset: { testid: 'pca-loss-caption' } },
    `The dashed line is PCA’s test error with k = ${k}: the best any linear code of that size can do. The linear autoencoder’s curve comes down onto it; the non-linear one can go below.`);
  lossP.body.append(lc, lossCap);
  let epochs = 5;
  let pcaMSE = NaN;
  const chart = new MetricChart(lc, scheduler, {
    xLabel: 'epoch', yLabel: 'test MSE', fmt: formatLoss, xFmt: (v) => String(Number(v.toFixed(2))),
    xRange: (min, max) => [0, Math.max(epochs, Number.isFinite(max) ? max : 1)],
    yRange: (min, max) => zoomRange(min, max, pcaMSE),
    series: [
      { label: `PCA, k = ${k}`, stroke: COLORS.pca, dash: [12, 8], points: 4 },
      { label: 'linear autoencoder', stroke: COLORS.linear, dash: [4, 4] },
      { label: 'non-linear autoencoder', stroke: COLORS.deep },
    ],
  });
  grid.append(scP.root, barsP.root, lossP.root);

  // The start form shows what this page runs, for "Start again".
  const showOptions = (cfg) => {
    const set = (name, v) => {
      const el = document.querySelector(`[data-testid="lab-start-form"] [name="${name}"]`);
      if (el && v !== undefined && v !== null && [...(el.options || [{ value: String(v) }])].some((o) => o.value === String(v))) el.value = String(v);
    };
    set('bottleneck', k);
    if (cfg?.train_size) set('train_size', cfg.train_size);
  };
  showOptions(null);

  const runs = [
    { s: lin, name: 'linear autoencoder', color: COLORS.linear, test: [], last: NaN, scatter: linScatter },
    { s: deep, name: 'non-linear autoencoder', color: COLORS.deep, test: [], last: NaN, scatter: deepScatter },
  ];

  function redraw() {
    const end = Math.max(epochs, ...runs.flatMap((r) => r.test.map((p) => p.epoch)));
    const line = Number.isFinite(pcaMSE) ? [{ x: 0, y: pcaMSE }, { x: end, y: pcaMSE }] : [];
    chart.set([line, ...runs.map((r) => lossPoints(r.test))]);
    drawBars();
  }

  function drawBars() {
    const items = [{ name: `PCA, k = ${k}`, color: COLORS.pca, v: pcaMSE, cls: 'bar-pca' },
      ...runs.map((r) => ({ name: r.name, color: r.color, v: r.last, cls: r === runs[0] ? 'bar-linear' : 'bar-deep' }))];
    const top = Math.max(...items.map((it) => (Number.isFinite(it.v) ? it.v : 0)), 1e-12);
    bars.replaceChildren(...items.map((it) => h('div', { class: `error-bar ${it.cls}` },
      h('span', { class: 'error-bar-name' }, it.name),
      h('span', { class: 'error-bar-track' }, h('span', { class: 'error-bar-fill', style: `width: ${Number.isFinite(it.v) ? (100 * it.v) / top : 0}%; background: ${it.color}` })),
      h('span', { class: 'error-bar-value' }, Number.isFinite(it.v) ? formatLoss(it.v) : '…'))));
    const parts = runs.filter((r) => Number.isFinite(r.last)).map((r) => `${r.name}: ${versus(r.last, pcaMSE) || formatLoss(r.last)}`);
    barsCap.textContent = Number.isFinite(pcaMSE)
      ? `Mean squared error over the test digits, the same measure for all three. ${parts.join('; ')}${parts.length ? '.' : ''}`
      : 'Fitting PCA on the training digits (a few seconds)…';
    bumpUpdates(bars);
  }

  // PCA: fetched once (it does not depend on the training), retried while the server is busy.
  async function loadPCA() {
    try {
      const p = await requestJSON(`${lin.api_url}/pca-projection`);
      pcaMSE = p.mse;
      pcaScatter.set(p);
      pcaNote.textContent = `Principal components fitted on ${p.fit_rows.toLocaleString('en')} training digits; ${(100 * p.explained.reduce((a, b) => a + b, 0)).toFixed(0)}% of the variance lies in the first ${p.components}.`;
      redraw();
    } catch (err) {
      barsCap.textContent = `PCA: ${err.message}${err.retryable ? ' (trying again in a few seconds)' : ''}`;
      if (err.retryable) setTimeout(loadPCA, 4000);
    }
  }
  loadPCA();

  for (const r of runs) {
    followSession(r.s, statuses, scheduler, {
      label: r.name[0].toUpperCase() + r.name.slice(1),
      onMessage(m) {
        if (m.type === 'snapshot') {
          epochs = Number(m.session?.config?.epochs) || epochs;
          showOptions(m.session?.config);
          r.test = [...(m.test_loss || [])];
          if (m.latent) r.scatter.set(m.latent);
        } else if (m.type === 'loss') {
          r.test.push(...(m.test || []));
        } else if (m.type === 'latent') {
          r.scatter.set(m);
        } else {
          return;
        }
        const pts = lossPoints(r.test);
        r.last = pts.length ? pts[pts.length - 1].y : NaN;
        redraw();
      },
    });
  }
  redraw();
}

if (typeof document !== 'undefined') main();
