// Compression lab (/labs/compression): one autoencoder per code width M (a sweep comparison,
// also shown at /compare/{id}). While they train and when each ends, it asks every one
// GET /api/sessions/{id}/compression (docs/api.md): bits per example (K·8 pixels, M·32 float32
// code, M·8 8-bit code), the compression ratios, and the reconstruction quality (MSE, PSNR) of
// float32 and of 8-bit codes. A table, PSNR against bits per example, and one test digit decoded
// from each width's float32 and 8-bit codes.

import { createScheduler, bumpUpdates } from './frame.js';
import { followSession, h, isTerminal, panel, readLabBoot } from './labstream.js';
import { requestJSON } from './snapapi.js';
import { MetricChart } from './metricchart.js';
import { RowsView, meanSquaredError } from './denoise-views.js';
import { Tiles } from './tiles.js';
import { decodeBase64, dequantise } from './quant.js';
import { psnrFromMSE } from './snapapi.js';
import { OKABE_ITO } from './palette.js';
import { formatInt, formatLoss, formatRatio } from './format.js';

const REFRESH_MS = 5000;
const COLORS = { float: OKABE_ITO.blue, quant: OKABE_ITO.vermillion };

/**
 * combine joins the three-image examples of several answers ({example: {count: 3, lo, hi, data…}})
 * into three rows (original, float32 code, 8-bit code) of one column per answer, requantised over
 * a common range, with each decoding's PSNR against the original. Pure but for the Tiles.
 */
export function combine(answers) {
  const ex0 = answers[0].example;
  const size = Math.max(1, ex0.width * ex0.height);
  const lo = Math.min(...answers.map((a) => a.example.lo));
  const hi = Math.max(...answers.map((a) => a.example.hi));
  const rows = [0, 1, 2].map(() => new Uint8Array(answers.length * size));
  const psnr = [[], [], []];
  answers.forEach((a, c) => {
    const vals = dequantise(decodeBase64(a.example.data), a.example.lo, a.example.hi);
    const orig = vals.subarray(0, size);
    for (let r = 0; r < 3; r++) {
      const v = vals.subarray(r * size, (r + 1) * size);
      for (let i = 0; i < size; i++) rows[r][c * size + i] = Math.round(((v[i] - lo) / (hi - lo || 1)) * 255);
      psnr[r].push(r === 0 ? NaN : psnrFromMSE(meanSquaredError(v, orig), 1));
    }
  });
  const ex = (bytes) => ({ kind: ex0.kind, width: ex0.width, height: ex0.height, size, count: answers.length, lo, hi, bytes });
  return ['original', 'float32 code', '8-bit code'].map((title, r) => ({ title, tiles: new Tiles(ex(rows[r])), psnr: psnr[r] }));
}

function main() {
  const boot = readLabBoot();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const scheduler = createScheduler();
  const comparison = new URLSearchParams(location.search).get('c');
  const runs = [...boot.sessions].map((s) => ({ s, m: Number(s.bottleneck) || 0, state: s.state, answer: null, error: '' }))
    .sort((a, b) => a.m - b.m);

  const statuses = h('div', { class: 'lab-statuses' });
  const grid = h('div', { class: 'compression-lab' });
  const links = h('p', { class: 'lab-note' });
  if (comparison) {
    links.append('The same trainings on the comparison page (loss curves, PCA lines, latent scatters): ',
      h('a', { href: `/compare/${encodeURIComponent(comparison)}`, dataset: { testid: 'compare-link' } }, 'open the comparison'), '.');
  }
  fig.replaceChildren(statuses, links, grid);
  statuses.scrollIntoView({ block: 'start' });

  // Table.
  const tableP = panel('Bits per example and reconstruction quality', 'compression-results', 'compression-table-panel');
  const tbody = h('tbody');
  const th = (t, extra = {}) => h('th', { scope: 'col', ...extra }, t);
  const table = h('table', { class: 'data-table compression-table', dataset: { testid: 'compression-table' } },
    h('caption', { class: 'visually-hidden' }, 'Bits per example, compression ratio and reconstruction quality per code width'),
    h('thead', {},
      h('tr', {}, th('Code width M', { rowspan: 2 }), th('Pixels K × 8', { rowspan: 2 }),
        th('float32 code (M × 32)', { colspan: 4, class: 'group-float' }), th('8-bit code (M × 8)', { colspan: 4, class: 'group-quant' }), th('Weights', { rowspan: 2 })),
      h('tr', {}, th('bits'), th('ratio'), th('MSE'), th('PSNR'), th('bits'), th('ratio'), th('MSE'), th('PSNR'))),
    tbody);
  const tableCap = h('p', { class: 'caption', dataset: { testid: 'compression-caption' } }, 'Waiting for the first measurements…');
  tableP.body.append(h('div', { class: 'table-wrap' }, table), tableCap);

  // Rate–quality chart: x = log2(bits per example), labelled in bits.
  const chartP = panel('Quality against bits per example', 'rate-quality', 'rate-panel');
  const chartEl = h('div', { class: 'loss-chart', dataset: { testid: 'rate-quality-chart' } });
  chartP.body.append(chartEl, h('p', { class: 'caption' },
    'PSNR of the decoded test digits (higher is better) against the bits each digit’s code takes, on a doubling scale. Each point is one code width; the 8-bit code of a width sits four times further left than its float32 code, usually at almost the same height. The raw digit takes 6,272 bits.'));
  const chart = new MetricChart(chartEl, scheduler, {
    xLabel: 'bits per example (doubling scale)', yLabel: 'PSNR (dB)',
    fmt: (v) => v.toFixed(1),
    xFmt: (v) => (Math.abs(v - Math.round(v)) < 1e-6 ? formatInt(2 ** Math.round(v)) : ''),
    xRange: (min, max) => (Number.isFinite(min) ? [Math.floor(min) - 0.5, Math.ceil(max) + 0.5] : [4, 12]),
    yRange: (min, max) => (Number.isFinite(min) ? [Math.max(0, Math.floor(min - 1)), Math.ceil(max + 1)] : [0, 30]),
    series: [{ label: 'float32 code', stroke: COLORS.float }, { label: '8-bit code', stroke: COLORS.quant, dash: [10, 6], fill: COLORS.quant }],
  });

  // One test digit through every width.
  const reconP = panel('One test digit, decoded from each code width', 'compression-recons-panel', 'recons-panel');
  const rc = h('canvas', { class: 'rows-canvas', dataset: { testid: 'compression-recons' } });
  const rcap = h('p', { class: 'caption' }, 'Columns: code widths. Rows: the original, its decoding from the float32 code, and from the 8-bit code. Under each decoding: its PSNR against the original.');
  reconP.body.append(rc, rcap);
  const recons = new RowsView(rc, scheduler, 'Waiting for the first trained weights…');
  grid.append(tableP.root, chartP.root, reconP.root);

  const cell = (v, fmt) => h('td', {}, Number.isFinite(v) && v >= 0 ? fmt(v) : '–');
  function redraw() {
    tbody.replaceChildren(...runs.map((r) => {
      const a = r.answer;
      const when = r.error ? r.error : a ? `step ${formatInt(a.step)}${isTerminal(r.state) ? '' : ' (training)'}` : r.state;
      return h('tr', { dataset: { testid: `compression-row-${r.m}` } },
        h('th', { scope: 'row' }, String(r.m)),
        cell(a?.bits_per_example.input, formatInt),
        cell(a?.bits_per_example.float32, formatInt), cell(a?.ratio.float32, formatRatio), cell(a?.float32.mse, formatLoss), cell(a?.float32.psnr, (v) => `${v.toFixed(1)} dB`),
        cell(a?.bits_per_example.quantized, formatInt), cell(a?.ratio.quantized, formatRatio), cell(a?.quantized.mse, formatLoss), cell(a?.quantized.psnr, (v) => `${v.toFixed(1)} dB`),
        h('td', { class: r.error ? 'lab-error' : '' }, when));
    }));
    bumpUpdates(table);
    const done = runs.filter((r) => r.answer);
    chart.set([
      done.map((r) => ({ x: Math.log2(r.answer.bits_per_example.float32), y: r.answer.float32.psnr })),
      done.map((r) => ({ x: Math.log2(r.answer.bits_per_example.quantized), y: r.answer.quantized.psnr })),
    ]);
    if (done.length) {
      const a = done[0].answer;
      tableCap.textContent = `Measured on the first ${formatInt(a.examples)} test digits. A digit is ${formatInt(a.features)} pixels × 8 bits = ${formatInt(a.bits_per_example.input)} bits; the ratio is those bits over the code’s. The 8-bit code rounds each code unit to one of 256 levels between its lowest and highest value over these digits (those two numbers per unit are stored once, not per digit). PSNR: peak signal-to-noise ratio in dB, the mean over the digits.`;
      recons.set({ headers: done.map((r) => `M = ${r.m}`), rows: combine(done.map((r) => r.answer)) });
    }
  }

  // Measure each network in turn, never two requests at once: every few seconds while it trains,
  // and once more with its final weights.
  let busy = false;
  async function measureAll(which) {
    if (busy) return;
    busy = true;
    for (const r of which) {
      const ended = isTerminal(r.state);
      try {
        r.answer = await requestJSON(`${r.s.api_url}/compression?bits=8&example=0`);
        r.error = '';
        if (ended) r.final = true;
      } catch (err) {
        r.error = err.retryable ? '' : err.message;
        if (!err.retryable) r.final = true;
      }
      redraw();
    }
    busy = false;
  }
  const todo = () => runs.filter((r) => r.state === 'running' || r.state === 'paused' || (isTerminal(r.state) && r.state !== 'failed' && !r.final));
  const tick = () => {
    const which = todo();
    if (which.length) measureAll(which);
  };
  setInterval(tick, REFRESH_MS);

  // The start form shows what this page runs, for "Start again".
  const setOption = (name, v) => {
    const el = document.querySelector(`[data-testid="lab-start-form"] [name="${name}"]`);
    if (el) el.value = String(v);
  };
  setOption('widths', runs.map((r) => r.m).join(', '));

  for (const r of runs) {
    followSession(r.s, statuses, scheduler, {
      label: `code width M = ${r.m}`,
      onMessage(m) {
        if (m.type === 'snapshot' && m.session?.config?.train_size) setOption('train_size', m.session.config.train_size);
      },
      onState(st) {
        r.state = st;
        if (isTerminal(st)) tick();
        redraw();
      },
    });
  }
  redraw();
}

if (typeof document !== 'undefined') main();
