// Pretraining lab (/labs/pretraining): follows the lab's autoencoder and, when it has finished
// training (or when the button is pressed, on its current weights), asks
// POST /api/sessions/{id}/pretrain (docs/api.md) to train two classifiers on the same few labels,
// one started from the encoder and one from random weights, and draws their test accuracy epoch
// by epoch side by side with the final accuracies.

import { createScheduler, bumpUpdates } from './frame.js';
import { followSession, h, isTerminal, panel, readLabBoot } from './labstream.js';
import { enhanceStartForm } from './labform.js';
import { requestJSON } from './snapapi.js';
import { AccuracyChart, percent } from './labchart.js';
import { OKABE_ITO } from './palette.js';
import { formatInt } from './format.js';
import { pretrainRequest, pretrainSeries } from './fewlabels.js';

function main() {
  const boot = readLabBoot();
  enhanceStartForm();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const s = boot.sessions[0];
  const scheduler = createScheduler();

  const statuses = h('div', { class: 'lab-statuses' });
  const controlsP = panel('Two classifiers, the same few labels', 'pretrain-controls');
  const field = (label, input) => h('label', { class: 'inline-field' }, label, input);
  const labels = h('input', { type: 'number', name: 'labels', min: 10, max: 5000, value: 100, inputmode: 'numeric',
    dataset: { testid: 'labels-field' } });
  const epochs = h('input', { type: 'number', name: 'epochs', min: 1, max: 200, value: 50, inputmode: 'numeric' });
  const head = h('select', { name: 'head' },
    h('option', { value: 'zero' }, 'zero (usual for a new head)'), h('option', { value: 'random' }, 'random'));
  const run = h('button', { type: 'button', class: 'button primary', dataset: { testid: 'pretrain-run' } }, 'Compare now');
  const note = h('p', { class: 'lab-note', role: 'status', dataset: { testid: 'pretrain-note' } },
    'The comparison runs when the autoencoder finishes training; “Compare now” runs it with the encoder as it is now.');
  controlsP.body.append(h('div', { class: 'lab-controls' },
    field('Labelled examples', labels), field('Epochs', epochs), field('New output layer starts', head), run), note);

  const chartP = panel('Test accuracy while the classifiers learn', 'pretrain');
  const chartEl = h('div', { class: 'pretrain-chart', dataset: { testid: 'pretrain-chart' } });
  const result = h('p', { class: 'pretrain-result', dataset: { testid: 'pretrain-result' }, 'aria-live': 'polite' });
  const caption = h('p', { class: 'caption' });
  chartP.body.append(chartEl, result, caption);
  const chart = new AccuracyChart(chartEl, scheduler, {
    xLabel: 'epoch',
    xInteger: true,
    series: [
      { label: 'pretrained (starts from the encoder)', stroke: OKABE_ITO.blue, width: 4, points: false },
      { label: 'random start', stroke: OKABE_ITO.vermillion, dash: [12, 6], width: 4, points: false },
      { label: 'chance', stroke: '#767676', dash: [1, 7], width: 3, points: false },
    ],
  });
  chart.set([], [[], [], []]);
  fig.replaceChildren(statuses, controlsP.root, chartP.root);

  let busy = false;
  let state = s.state;
  let ranAtEnd = false;
  async function compare() {
    const st = pretrainRequest({ labels: labels.value, epochs: epochs.value, head: head.value });
    if (st.error) {
      note.textContent = st.error;
      return;
    }
    if (busy) return;
    busy = true;
    run.disabled = true;
    note.textContent = `Training both classifiers on ${formatInt(st.body.labels)} labels for ${st.body.epochs} epochs… (a few seconds)`;
    try {
      const res = await requestJSON(`${s.api_url}/pretrain`, st.body);
      const { xs, ys } = pretrainSeries(res);
      chart.set(xs, ys);
      const diff = res.pretrained.final - res.random.final;
      result.replaceChildren(
        `After ${res.epochs} epochs on ${formatInt(res.labels)} labels: pretrained `, h('strong', {}, percent(res.pretrained.final)),
        ', random start ', h('strong', {}, percent(res.random.final)),
        ` (${diff >= 0 ? '+' : '−'}${Math.abs(diff * 100).toFixed(1)} points; chance ${percent(res.chance)}).`);
      bumpUpdates(result);
      caption.textContent = `Both networks: ${res.sizes.join(' → ')}, Adam (learning rate ${res.learning_rate}), batches of ${res.batch_size}, the same examples in the same order; tested on ${formatInt(res.test_examples)} test examples after every epoch. The encoder had trained for ${formatInt(res.step)} steps${isTerminal(res.state) ? '' : ' (still training)'}.`;
      note.textContent = 'Done. Change the number of labels or epochs and compare again.';
    } catch (err) {
      note.textContent = `Could not compare: ${err.message}${err.retryable ? ' (trying again in a few seconds)' : ''}`;
      if (err.retryable) setTimeout(compare, 5000);
    } finally {
      busy = false;
      run.disabled = false;
    }
  }
  run.addEventListener('click', compare);

  followSession(s, statuses, scheduler, {
    label: 'the autoencoder (no labels)',
    onState(st) {
      state = st;
      if ((st === 'completed' || st === 'stopped') && !ranAtEnd) {
        ranAtEnd = true;
        compare();
      }
    },
  });
  if ((state === 'completed' || state === 'stopped') && !ranAtEnd) {
    ranAtEnd = true;
    compare();
  }
}

main();
