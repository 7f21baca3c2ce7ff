// Feature-extraction lab (/labs/features): follows the sweep of autoencoders (one per code width)
// and, when each finishes training (or when the button is pressed, on the current weights), asks
// POST /api/sessions/{id}/features (docs/api.md) how well a simple classifier trained on a few
// labels does on the latent codes, on PCA features of the same width and on the raw inputs. It
// shows the accuracies against the code width in a chart and in a table, with the purity of
// k-means clusters of the codes.

import { createScheduler } from './frame.js';
import { followSession, h, isTerminal, panel, readLabBoot } from './labstream.js';
import { enhanceStartForm } from './labform.js';
import { requestJSON } from './snapapi.js';
import { AccuracyChart, percent } from './labchart.js';
import { OKABE_ITO } from './palette.js';
import { formatInt } from './format.js';
import { featureRequest, featureSeries } from './fewlabels.js';

function main() {
  const boot = readLabBoot();
  enhanceStartForm();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const scheduler = createScheduler();
  const rows = [...boot.sessions]
    .map((s) => ({ s, width: Number(s.bottleneck) || 0, result: null, error: '', busy: false, state: s.state }))
    .sort((a, b) => a.width - b.width);

  const statuses = h('div', { class: 'lab-statuses' });
  const controlsP = panel('Few labels, simple classifier', 'features-controls');
  const field = (label, input) => h('label', { class: 'inline-field' }, label, input);
  const labels = h('input', { type: 'number', name: 'labels_per_class', min: 1, max: 100, value: 10, inputmode: 'numeric' });
  const classifier = h('select', { name: 'classifier' },
    h('option', { value: 'knn' }, 'k nearest neighbours'), h('option', { value: 'logreg' }, 'logistic regression'));
  const k = h('input', { type: 'number', name: 'k', min: 1, max: 50, value: 5, inputmode: 'numeric' });
  const kField = field('k', k);
  const compute = h('button', { type: 'button', class: 'button primary', dataset: { testid: 'features-compute' } }, 'Measure now');
  const note = h('p', { class: 'lab-note', role: 'status', dataset: { testid: 'features-note' } },
    'Each network is measured when it finishes training. “Measure now” measures every network with its current weights.');
  controlsP.body.append(h('div', { class: 'lab-controls' }, field('Labels per class', labels), field('Classifier', classifier), kField, compute), note);

  const grid = h('div', { class: 'features-grid' });
  const chartP = panel('Test accuracy against code width', 'accuracy');
  const chartEl = h('div', { class: 'features-chart', dataset: { testid: 'accuracy-chart' } });
  const chartCaption = h('p', { class: 'caption' });
  chartP.body.append(chartEl, chartCaption);
  const chart = new AccuracyChart(chartEl, scheduler, {
    xLabel: 'code width (bottleneck units)',
    xLog2: true,
    series: [
      { label: 'latent codes', stroke: OKABE_ITO.blue, width: 4 },
      { label: 'PCA, same width', stroke: OKABE_ITO.vermillion, dash: [12, 6] },
      { label: 'raw pixels', stroke: OKABE_ITO.black, dash: [3, 5], width: 3 },
      { label: 'chance', stroke: '#767676', dash: [1, 7], width: 3, points: false },
    ],
  });
  const tableP = panel('Results', 'features-results');
  const tbody = h('tbody');
  const table = h('table', { class: 'data-table', dataset: { testid: 'features-table' } },
    h('caption', { class: 'visually-hidden' }, 'Test accuracy of the classifier on each kind of features, and k-means purity, per code width'),
    h('thead', {},
      h('tr', {}, h('th', { scope: 'col' }, 'Code width'), h('th', { scope: 'col' }, 'Codes'), h('th', { scope: 'col' }, 'PCA'),
        h('th', { scope: 'col' }, 'Raw pixels'), h('th', { scope: 'col' }, 'Purity: codes'), h('th', { scope: 'col' }, 'Purity: PCA'),
        h('th', { scope: 'col' }, 'Weights'))),
    tbody);
  const tableCaption = h('p', { class: 'caption' },
    'Accuracy: the share of test examples the classifier gets right; the best of the three in each row is in bold and underlined. Purity: k-means puts the test examples’ codes (or PCA features) into as many clusters as there are classes, without labels; purity is the share of examples that belong to the main class of their cluster.');
  tableP.body.append(h('div', { class: 'table-wrap' }, table), tableCaption);
  grid.append(chartP.root, tableP.root);
  fig.replaceChildren(statuses, controlsP.root, grid);

  const settings = () => featureRequest({ labels: labels.value, classifier: classifier.value, k: k.value });
  let lastBody = null;

  function redraw() {
    const { xs, ys } = featureSeries(rows);
    chart.set(xs, ys);
    const any = rows.find((r) => r.result)?.result;
    chartCaption.textContent = any
      ? `${any.classifier === 'knn' ? `k nearest neighbours (k = ${any.k})` : 'Logistic regression'} trained on ${any.labels_per_class} labelled examples per class (${formatInt(any.train_examples)} in all), tested on ${formatInt(any.test_examples)} test examples. PCA is fitted on ${formatInt(any.pca_examples)} training examples.`
      : 'Waiting for the first network to finish training…';
    tbody.replaceChildren(...rows.map((r) => {
      const x = r.result;
      const accs = x ? [x.accuracy.latent, x.accuracy.pca, x.accuracy.raw] : [];
      const best = accs.length ? Math.max(...accs) : NaN;
      const cell = (v) => h('td', { class: v === best ? 'best' : '' }, percent(v));
      const when = r.busy ? 'measuring…' : r.error ? r.error : x ? `step ${formatInt(x.step)}${isTerminal(x.state) ? '' : ' (still training)'}` : r.state;
      return h('tr', { dataset: { testid: `features-row-${r.width}` } },
        h('th', { scope: 'row' }, String(r.width)),
        ...(x ? accs.map(cell) : [h('td', {}, '–'), h('td', {}, '–'), h('td', {}, '–')]),
        h('td', {}, x ? percent(x.kmeans.purity.latent) : '–'), h('td', {}, x ? percent(x.kmeans.purity.pca) : '–'),
        h('td', { class: r.error ? 'lab-error' : '' }, when));
    }));
  }

  // One request at a time: the server runs at most one or two of these at once anyway.
  const queue = [];
  let running = false;
  async function pump() {
    if (running) return;
    running = true;
    while (queue.length) {
      const r = queue.shift();
      const body = lastBody;
      r.busy = true;
      redraw();
      try {
        r.result = await requestJSON(`${r.s.api_url}/features`, body);
        r.error = '';
      } catch (err) {
        r.error = err.message;
        if (err.retryable) setTimeout(() => enqueue(r), 5000);
      }
      r.busy = false;
      redraw();
    }
    running = false;
  }
  function enqueue(r) {
    if (!queue.includes(r)) queue.push(r);
    pump();
  }
  function measure(which) {
    const st = settings();
    if (st.error) {
      note.textContent = st.error;
      return;
    }
    lastBody = st.body;
    note.textContent = 'Each network is measured when it finishes training. “Measure now” measures every network with its current weights.';
    for (const r of which) enqueue(r);
  }

  classifier.addEventListener('change', () => {
    kField.hidden = classifier.value === 'logreg';
  });
  compute.addEventListener('click', () => measure(rows.filter((r) => r.state !== 'failed' && r.state !== 'queued')));
  for (const el of [labels, classifier, k]) {
    el.addEventListener('change', () => measure(rows.filter((r) => r.result || r.state === 'completed' || r.state === 'stopped')));
  }

  for (const r of rows) {
    followSession(r.s, statuses, scheduler, {
      label: `code width ${r.width}`,
      onState(st) {
        r.state = st;
        if (st === 'completed' || st === 'stopped') measure([r]);
        redraw();
      },
    });
    if (r.state === 'completed' || r.state === 'stopped') measure([r]);
  }
  redraw();
}

main();
