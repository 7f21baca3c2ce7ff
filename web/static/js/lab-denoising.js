// Denoising lab (/labs/denoising): follows the denoising autoencoder (and the plain one trained
// beside it for comparison) live. Triplets noisy / clean / denoised from the reconstructions
// messages, the PSNR of the noisy inputs and of the denoised outputs per epoch from the metrics
// messages, and a test-time noise slider that runs both trained models on a noise level of the
// student's choice (POST /api/sessions/{id}/denoise, docs/api.md).

import { createScheduler } from './frame.js';
import { followSession, h, isTerminal, panel, readLabBoot } from './labstream.js';
import { oneInFlight, requestJSON } from './snapapi.js';
import { MetricChart } from './metricchart.js';
import { RowsView, rowsFrom } from './denoise-views.js';
import { OKABE_ITO } from './palette.js';

const REFRESH_MS = 4000;
const KINDS = [['gaussian', 'Gaussian'], ['masking', 'masking'], ['salt_pepper', 'salt and pepper']];
const COLORS = { noisy: OKABE_ITO.vermillion, denoised: OKABE_ITO.blue, plain: OKABE_ITO.black };

/** noiseText names a noise for people: "Gaussian σ = 0.50", "masking 30%". Pure. */
export function noiseText(kind, level) {
  if (kind === 'gaussian') return `Gaussian σ = ${Number(level).toFixed(2)}`;
  const name = kind === 'salt_pepper' ? 'salt and pepper' : kind;
  return `${name} ${Math.round(100 * level)}%`;
}

/** metricPoints turns metric points ({epoch, value}) into chart points ({x, y}). Pure. */
export function metricPoints(pts) {
  return Array.isArray(pts) ? pts.filter((p) => p && Number.isFinite(p.epoch)).map((p) => ({ x: p.epoch, y: p.value })) : [];
}

const dB = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} dB` : '–');

function main() {
  const boot = readLabBoot();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const [den, plain] = boot.sessions;
  const scheduler = createScheduler();
  const statuses = h('div', { class: 'lab-statuses' });
  const grid = h('div', { class: 'denoising' });
  fig.replaceChildren(statuses, grid);
  statuses.scrollIntoView({ block: 'start' }); // just started: show the figure, not the form
  let classNames = [];
  let trained = null; // {kind, level} of the denoiser's training

  // Triplets.
  const triP = panel('Noisy input → clean original → denoised output', 'triplets-panel', 'triplets-panel');
  const tc = h('canvas', { class: 'rows-canvas', dataset: { testid: 'triplets' } });
  const tcap = h('p', { class: 'caption', dataset: { testid: 'triplets-caption' } });
  triP.body.append(tc, tcap);
  const triplets = new RowsView(tc, scheduler, 'Waiting for the first reconstructions…');

  // PSNR per epoch.
  const psnrP = panel('PSNR per epoch (higher is better)', 'psnr-panel', 'psnr-panel');
  const pc = h('div', { class: 'loss-chart psnr-chart', dataset: { testid: 'psnr-chart' } });
  const pcap = h('p', { class: 'caption', dataset: { testid: 'psnr-caption' } },
    'Mean PSNR over the test digits of the noisy inputs and of the denoised outputs, against the clean originals.');
  psnrP.body.append(pc, pcap);
  let epochs = 0;
  const psnr = new MetricChart(pc, scheduler, {
    xLabel: 'epoch', yLabel: 'PSNR (dB)', fmt: (v) => v.toFixed(1), xFmt: (v) => String(Number(v.toFixed(2))),
    xRange: (min, max) => [0, Math.max(epochs, Number.isFinite(max) ? max : 1, 0.01)],
    yRange: (min, max) => (Number.isFinite(min) ? [Math.max(0, Math.floor(min - 2)), Math.ceil(max + 2)] : [0, 30]),
    series: [{ label: 'noisy input', stroke: COLORS.noisy, dash: [10, 6] }, { label: 'denoised output', stroke: COLORS.denoised }],
  });
  const metrics = { psnr_noisy: [], psnr_denoised: [] };
  const showMetrics = () => psnr.set([metricPoints(metrics.psnr_noisy), metricPoints(metrics.psnr_denoised)]);

  // Test-time noise.
  const testP = panel('Try the trained network on another noise level', 'test-panel', 'test-panel');
  const kind = h('select', { dataset: { testid: 'test-noise-kind' } }, ...KINDS.map(([v, t]) => h('option', { value: v }, t)));
  const slider = h('input', { type: 'range', min: 0, max: 1, step: 0.05, value: 0.5, dataset: { testid: 'test-noise-slider' }, 'aria-label': 'test-time noise level' });
  const levelOut = h('output', { class: 'level-out' }, '0.50');
  const result = h('p', { class: 'test-noise-result', role: 'status', dataset: { testid: 'test-noise-result' } }, 'Waiting for the trained model…');
  const trainedNote = h('p', { class: 'caption', dataset: { testid: 'trained-noise' } });
  const rc = h('canvas', { class: 'rows-canvas', dataset: { testid: 'test-noise-canvas' } });
  const terr = h('p', { class: 'lab-error', role: 'status' });
  testP.body.append(h('div', { class: 'test-noise-controls' },
    h('label', { class: 'inline-field' }, 'noise ', kind),
    h('label', { class: 'inline-field slider-field' }, 'level ', slider, levelOut)), result, trainedNote, rc, terr);
  const testRows = new RowsView(rc, scheduler, 'Move the slider…');

  // PSNR against the test-time noise level.
  const sweepP = panel('PSNR against the test-time noise level', 'sweep-panel', 'sweep-panel');
  const sweepBtn = h('button', { type: 'button', class: 'button', dataset: { testid: 'sweep' } }, 'Measure every level');
  sweepP.head.append(sweepBtn);
  const sc = h('div', { class: 'loss-chart psnr-chart', dataset: { testid: 'sweep-chart' } });
  const scap = h('p', { class: 'caption', dataset: { testid: 'sweep-caption' } }, 'Measured when the training ends, or now with the button.');
  sweepP.body.append(sc, scap);
  const sweepSeries = [{ label: 'noisy input', stroke: COLORS.noisy, dash: [10, 6] }, { label: 'denoising autoencoder', stroke: COLORS.denoised }];
  if (plain) sweepSeries.push({ label: 'plain autoencoder', stroke: COLORS.plain, dash: [3, 4], fill: COLORS.plain, points: 7 });
  const sweep = new MetricChart(sc, scheduler, {
    xLabel: 'test-time noise level', yLabel: 'PSNR (dB)', fmt: (v) => v.toFixed(1), xFmt: (v) => v.toFixed(1),
    xRange: () => [0, 1], yRange: (min, max) => (Number.isFinite(min) ? [Math.max(0, Math.floor(min - 2)), Math.ceil(max + 2)] : [0, 30]),
    series: sweepSeries,
  });
  grid.append(triP.root, psnrP.root, testP.root, sweepP.root);

  const sessions = plain ? [den, plain] : [den];
  const ask = (k, level, count) => Promise.all(sessions.map((s) => requestJSON(`${s.api_url}/denoise`, { kind: k, level, count })));
  const testCtl = oneInFlight(([k, level]) => ask(k, level, 8), {
    onResult(answers, [k, level]) {
      terr.textContent = '';
      const [d, p] = answers;
      const rows = rowsFrom({ ...d, inputs: d.noisy }, ['inputs', 'denoised'], 'clean');
      rows[0].title = 'noisy input';
      rows[1].title = 'denoising AE';
      const parts = [`noisy input ${dB(d.mean_psnr_noisy)}`, `denoising AE ${dB(d.mean_psnr_denoised)}`];
      if (p) {
        const pr = rowsFrom({ ...p, inputs: p.noisy }, ['denoised'], 'clean')[0];
        pr.title = 'plain AE';
        rows.push(pr);
        parts.push(`plain AE ${dB(p.mean_psnr_denoised)}`);
      }
      testRows.set({ headers: d.labels.map((l) => classNames[l] ?? String(l)), rows });
      result.textContent = `${noiseText(k, level)}: ${parts.join(' · ')} (mean over ${d.count} test digits, model at step ${d.step})`;
    },
    onError(err) {
      terr.textContent = err.retryable ? `${err.message} (trying again in a few seconds)` : `Could not ask the model: ${err.message}`;
    },
  });
  const test = () => testCtl.push([kind.value, Number(slider.value)]);
  slider.addEventListener('input', () => {
    levelOut.textContent = Number(slider.value).toFixed(2);
    test();
  });
  kind.addEventListener('change', () => {
    test();
    sweepCtl.push(kind.value);
  });

  const sweepCtl = oneInFlight(async (k) => {
    sweepBtn.disabled = true;
    const pts = sweepSeries.map(() => []);
    try {
      for (let i = 1; i <= 10; i++) {
        const level = i / 10;
        const answers = await ask(k, level, 10);
        pts[0].push({ x: level, y: answers[0].mean_psnr_noisy });
        answers.forEach((a, j) => pts[j + 1].push({ x: level, y: a.mean_psnr_denoised }));
        sweep.set(pts);
      }
      return sweepCaption(k);
    } finally {
      sweepBtn.disabled = false;
    }
  }, {
    onResult(text) {
      scap.textContent = text;
    },
    onError(err) {
      scap.textContent = `Could not measure: ${err.message}`;
    },
  });
  function sweepCaption(k) {
    const what = k === 'gaussian' ? 'Gaussian noise of σ from 0.1 to 1' : `${k === 'masking' ? 'masking' : 'salt and pepper'} noise hitting 10% to 100% of the pixels`;
    const at = trained && trained.kind === k ? ` The denoiser was trained at ${noiseText(trained.kind, trained.level)}.` : '';
    return `Mean PSNR over 10 test digits under ${what}.${at} Where the noisy input’s line lies above the others, the noise is milder than the blur of the network’s own reconstructions.`;
  }
  sweepBtn.addEventListener('click', () => sweepCtl.push(kind.value));

  // Follow both trainings.
  let timer = 0;
  let swept = false;
  const states = new Map();
  const onState = (id, st) => {
    states.set(id, st);
    const done = sessions.every((s) => isTerminal(states.get(s.id) ?? s.state));
    if (done) {
      clearInterval(timer);
      timer = 0;
      test();
      if (!swept) {
        swept = true;
        sweepCtl.push(kind.value);
      }
    } else if (!timer) {
      timer = setInterval(test, REFRESH_MS);
    }
  };
  followSession(den, statuses, scheduler, {
    label: 'Denoising autoencoder',
    onState: (st) => onState(den.id, st),
    onMessage(m) {
      if (m.type === 'snapshot') {
        const cfg = m.session?.config || {};
        epochs = Number(cfg.epochs) || 0;
        if (cfg.noise && !trained) {
          trained = { kind: cfg.noise.kind, level: cfg.noise.level };
          kind.value = trained.kind;
          slider.value = String(trained.level);
          levelOut.textContent = Number(trained.level).toFixed(2);
          trainedNote.textContent = `Trained on ${noiseText(trained.kind, trained.level)}. Move the slider to test it on weaker or stronger noise; the same noise is drawn every time for the same level.`;
          test();
        }
        if (m.latent?.class_names) classNames = m.latent.class_names;
        metrics.psnr_noisy = [...(m.metrics?.psnr_noisy || [])];
        metrics.psnr_denoised = [...(m.metrics?.psnr_denoised || [])];
        showMetrics();
        showTriplets(m.reconstructions);
      } else if (m.type === 'metrics') {
        for (const name of Object.keys(metrics)) metrics[name].push(...(m.points?.[name] || []));
        showMetrics();
      } else if (m.type === 'latent') {
        classNames = m.class_names || classNames;
      } else if (m.type === 'reconstructions') {
        showTriplets(m);
      }
    },
  });
  if (plain) followSession(plain, statuses, scheduler, { label: 'Plain autoencoder (for comparison)', onState: (st) => onState(plain.id, st) });

  function showTriplets(msg) {
    if (!msg || !msg.inputs) return;
    const rows = rowsFrom(msg, ['inputs', 'originals', 'reconstructions'], 'originals');
    ['noisy input', 'clean original', 'denoised output'].forEach((t, i) => (rows[i].title = t));
    triplets.set({ headers: (msg.labels || []).map((l) => classNames[l] ?? String(l)), rows });
    tcap.textContent = `The same test digits every time, with the noise the network was trained on. Under each image: its PSNR against the clean original, in dB. Taken at epoch ${Number(msg.epoch).toFixed(2)}.`;
  }
}

if (typeof document !== 'undefined') main();
