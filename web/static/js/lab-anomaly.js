// Anomaly-detection lab (/labs/anomaly): follows the lab's session, which trains on the "normal"
// classes only and streams `anomaly` messages (docs/protocol.md), and redraws with each of them:
// the score histograms of normal and anomalous test examples, a threshold slider with precision,
// recall and F1 computed here from the streamed scores, the ROC curve with its AUC, and the
// gallery of the highest-scoring test examples. Before a start it names the classes of the
// chosen dataset in the start form.

import { createScheduler, bumpUpdates } from './frame.js';
import { followSession, h, panel, readLabBoot } from './labstream.js';
import { enhanceStartForm } from './labform.js';
import { bestF1, confusion, examplesInBin, prf, quantile, shareAtOrAbove, splitScores } from './anomalystats.js';
import { requestJSON } from './snapapi.js';
import { RocCurve, ScoreHistogram, formatScore, swatch } from './anomalyviews.js';
import { Recon } from './recon.js';
import { formatInt } from './format.js';
import { ChartKeys } from './chartkeys.js';

const STEPS = 1000; // slider positions: quantiles of the scores

const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');

/** relabelClasses names the options of the class picker after the chosen dataset's classes. */
function relabelClasses(info) {
  const pick = document.querySelector('select[name="anomaly"]');
  if (!pick || !info) return;
  const toy = info.name === 'sine_waves';
  pick.disabled = toy;
  const names = Array.isArray(info.class_names) ? info.class_names : [];
  for (const opt of pick.options) {
    const i = Number(opt.value);
    opt.hidden = !toy && i >= names.length;
    if (names[i] !== undefined) opt.textContent = info.name === 'mnist' ? `digit ${names[i]}` : names[i];
  }
  if (toy) pick.title = 'Sine waves: the network trains on the clean waves; the glitched ones are the anomalies.';
}

/** ThresholdPanel: the slider, what it flags, and precision / recall / F1 at that threshold. */
class ThresholdPanel {
  constructor(onChange) {
    this.onChange = onChange;
    this.sorted = [];
    this.split = null;
    this.auto = true; // follow the best-F1 threshold until the student moves the slider
    this.threshold = NaN;
    this.slider = h('input', { type: 'range', min: 0, max: STEPS, step: 1, value: STEPS / 2, id: 'threshold',
      dataset: { testid: 'threshold-slider' }, 'aria-describedby': 'threshold-readout' });
    this.readout = h('p', { class: 'threshold-readout', id: 'threshold-readout', 'aria-live': 'polite' }, 'Waiting for the first scores…');
    this.best = h('button', { type: 'button', class: 'button', dataset: { testid: 'best-f1' } }, 'Best F1');
    this.numbers = {};
    const cell = (key, label, extra = '') => {
      this.numbers[key] = h('strong', { class: 'prf-value' }, '–');
      return h('div', { class: `prf-cell ${extra}`.trim() }, h('span', { class: 'prf-label' }, label), this.numbers[key]);
    };
    this.counts = h('p', { class: 'prf-counts' });
    this.prf = h('div', { class: 'prf', dataset: { testid: 'prf' }, role: 'group', 'aria-label': 'precision, recall and F1 at this threshold' },
      cell('precision', 'Precision'), cell('recall', 'Recall'), cell('f1', 'F1', 'prf-f1'));
    this.root = h('div', { class: 'threshold-panel' },
      h('div', { class: 'threshold-row' },
        h('label', { for: 'threshold', class: 'threshold-label' }, 'Threshold'), this.slider, this.best),
      this.readout, this.prf, this.counts);
    this.slider.addEventListener('input', () => {
      this.auto = false;
      this.threshold = quantile(this.sorted, Number(this.slider.value) / STEPS);
      this.update();
    });
    this.best.addEventListener('click', () => {
      this.auto = true;
      this.follow();
      this.update();
    });
  }

  /** set takes new scores; the slider keeps its place among them (or follows the best F1). */
  set(split) {
    this.split = split;
    this.sorted = [...split.scores].sort((a, b) => a - b);
    if (this.auto) this.follow();
    else this.threshold = quantile(this.sorted, Number(this.slider.value) / STEPS);
    this.update();
  }

  follow() {
    if (!this.split) return;
    const b = bestF1(this.split.scores, this.split.positive);
    this.threshold = Number.isFinite(b.threshold) ? b.threshold : quantile(this.sorted, 0.9);
    this.slider.value = String(Math.round((1 - shareAtOrAbove(this.sorted, this.threshold)) * STEPS));
  }

  update() {
    if (!this.split || !this.sorted.length) return;
    const t = this.threshold;
    const c = confusion(this.split.scores, this.split.positive, t);
    const r = prf(c);
    const n = this.sorted.length;
    const flagged = c.tp + c.fp;
    this.readout.textContent = `Flag every score ≥ ${formatScore(t)}: ${formatInt(flagged)} of ${formatInt(n)} test examples (${pct(flagged / n)})${this.auto ? ' · the threshold with the best F1' : ''}`;
    this.slider.setAttribute('aria-valuetext', `threshold ${formatScore(t)}, flags ${pct(flagged / n)}`);
    this.numbers.precision.textContent = pct(r.precision);
    this.numbers.recall.textContent = pct(r.recall);
    this.numbers.f1.textContent = r.f1.toFixed(2);
    this.counts.textContent = `Anomalies caught ${formatInt(c.tp)}, missed ${formatInt(c.fn)} · false alarms ${formatInt(c.fp)}, normal passed ${formatInt(c.tn)}`;
    bumpUpdates(this.prf);
    this.onChange(t, { fpr: c.fp + c.tn ? c.fp / (c.fp + c.tn) : NaN, tpr: c.tp + c.fn ? c.tp / (c.tp + c.fn) : NaN });
  }
}

function main() {
  const boot = readLabBoot();
  enhanceStartForm({ onDataset: relabelClasses });
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const s = boot.sessions[0];
  const scheduler = createScheduler();
  let classNames = [];
  let normal = new Set();

  const statuses = h('div', { class: 'lab-statuses' });
  const grid = h('div', { class: 'anomaly-grid' });
  fig.replaceChildren(statuses, grid);

  // Histogram and threshold.
  const histP = panel('Anomaly scores of the test examples', 'score-histogram', 'anomaly-hist');
  const logToggle = h('input', { type: 'checkbox', id: 'log-scores', dataset: { testid: 'log-scores' } });
  histP.head.append(h('label', { class: 'toggle', for: 'log-scores' }, logToggle, 'log scale'));
  const histCanvas = h('canvas', { class: 'score-canvas', dataset: { testid: 'score-histogram' },
    role: 'img', 'aria-label': 'Histograms of the anomaly scores of normal and anomalous test examples' });
  const normalKey = h('span', { class: 'item' }, swatch(false), h('span', { dataset: { testid: 'key-normal' } }, 'normal'));
  const anomalyKey = h('span', { class: 'item' }, swatch(true), h('span', { dataset: { testid: 'key-anomaly' } }, 'anomaly'));
  const histLegend = h('p', { class: 'legend' }, normalKey, anomalyKey,
    h('span', { class: 'item key key-threshold' }, 'threshold'), h('span', { class: 'item key key-flagged' }, 'flagged'));
  const histCaption = h('p', { class: 'caption' },
    'Each bar shows what share of its group (normal or anomalous examples) has a score in that range; a bar marked + also counts every higher score. A good detector gives anomalies higher scores: the hatched bars sit to the right, in the shaded, flagged side.');
  const hist = new ScoreHistogram(histCanvas, scheduler);
  const histSays = h('p', { class: 'chart-keys-readout', 'aria-live': 'polite', dataset: { testid: 'histogram-keys' } });
  histP.body.append(histCanvas, histSays, histLegend, histCaption);
  logToggle.addEventListener('change', () => hist.setLog(logToggle.checked));

  // ROC and AUC.
  const rocP = panel('ROC curve', 'roc', 'anomaly-roc');
  const auc = h('p', { class: 'auc', dataset: { testid: 'auc' } }, 'AUC –');
  rocP.head.append(auc);
  const rocCanvas = h('canvas', { class: 'roc-canvas', dataset: { testid: 'roc-chart' }, role: 'img',
    'aria-label': 'ROC curve: true-positive rate against false-positive rate for every threshold' });
  const rocLegend = h('p', { class: 'legend' },
    h('span', { class: 'item key key-roc' }, 'this detector'),
    h('span', { class: 'item key key-chance' }, 'chance (AUC 0.5)'),
    h('span', { class: 'item key key-ring' }, 'current threshold'));
  const rocCaption = h('p', { class: 'caption' },
    'Every threshold at once: how many anomalies are caught (up) for how many normal examples flagged (right). AUC is the area under the curve: the chance that a random anomaly scores higher than a random normal example.');
  const roc = new RocCurve(rocCanvas, scheduler);
  const rocSays = h('p', { class: 'chart-keys-readout', 'aria-live': 'polite', dataset: { testid: 'roc-keys' } });
  rocP.body.append(rocCanvas, rocSays, rocLegend, rocCaption);

  const threshold = new ThresholdPanel((t, point) => {
    hist.setThreshold(t);
    roc.setPoint(point);
  });
  histP.body.insertBefore(threshold.root, histCaption);

  // Gallery.
  const galP = panel('The highest anomaly scores', 'anomaly-gallery', 'anomaly-gallery-panel');
  const galCanvas = h('canvas', { class: 'recon-canvas', dataset: { testid: 'anomaly-gallery' }, role: 'img',
    'aria-label': 'The test examples with the highest anomaly scores and their reconstructions' });
  const galLegend = h('p', { class: 'legend' });
  const galHidden = h('p', { hidden: true });
  const galCaption = h('p', { class: 'caption' });
  const gallery = new Recon(galCanvas, galLegend, galHidden, scheduler,
    () => classNames.map((n, i) => (normal.has(i) ? n : `${n} ✱`)));
  galP.body.append(galCanvas, galLegend, galCaption);

  // The examples behind a clicked bar of the histogram.
  const binP = panel('Examples behind a bar', 'bin-examples', 'anomaly-bin-panel');
  const binCanvas = h('canvas', { class: 'recon-canvas', dataset: { testid: 'bin-examples' }, role: 'img',
    'aria-label': 'The test examples whose scores fall in the clicked bar, with their reconstructions' });
  const binLegend = h('p', { class: 'legend' });
  const binHidden = h('p', { hidden: true });
  const binCaption = h('p', { class: 'caption', dataset: { testid: 'bin-caption' }, 'aria-live': 'polite' },
    'Click a bar of the histogram to see the test examples behind it (the highest scores first), or a point of the ROC curve to see its mistakes, with their reconstructions.');
  const binView = new Recon(binCanvas, binLegend, binHidden, scheduler,
    () => classNames.map((n, i) => (normal.has(i) ? n : `${n} ✱`)));
  binP.body.append(binCanvas, binLegend, binCaption);
  histCanvas.style.cursor = 'pointer';
  histCanvas.addEventListener('click', (ev) => showBin(hist.binAt(ev.clientX - histCanvas.getBoundingClientRect().left)));
  /** spanOf says which scores bar `bin` counts. */
  const spanOf = (bin) => {
    const range = bin.log ? [10 ** bin.lo, 10 ** bin.hi] : [bin.lo, bin.hi];
    return `${bin.first ? 'up to' : `from ${formatScore(range[0])} to`} ${bin.last ? `${formatScore(range[1])} and above` : formatScore(range[1])}`;
  };
  new ChartKeys(histCanvas, {
    label: 'Histograms of the anomaly scores of normal and anomalous test examples. Left and right arrows choose a bar; Enter shows the examples behind it.',
    roledescription: 'histogram',
    count: () => (last ? hist.bins : 0),
    describe(i) {
      const bin = hist.bin(i);
      const { count } = examplesInBin(last.scores, bin, 0);
      return `Bar ${i + 1} of ${hist.bins}: ${formatInt(count)} test example${count === 1 ? '' : 's'} with a score ${spanOf(bin)}. Enter shows them.`;
    },
    onMove: (i) => hist.select(i),
    onActivate: (i) => showBin(hist.bin(i)),
    live: histSays,
  });
  async function showBin(bin) {
    if (!bin || !last) return;
    const { count, indices } = examplesInBin(last.scores, bin);
    const span = spanOf(bin);
    binP.root.dataset.shows = `bin-${bin.i}`;
    if (count === 0) {
      binView.set(null);
      binCaption.textContent = `No test example has a score ${span}.`;
      return;
    }
    await showExamples(indices, `Loading the ${count} examples with a score ${span}…`, (r) => {
      const anomalies = r.labels.filter((l) => !normal.has(l)).length;
      return `${count} test example${count === 1 ? '' : 's'} with a score ${span}${count > indices.length ? `; the ${indices.length} highest` : ''} shown, ${anomalies} of them real anomalies (✱). Under each: its reconstruction error by the weights of step ${formatInt(r.step)}.`;
    });
  }
  async function showExamples(indices, loading, say) {
    binCaption.textContent = loading;
    try {
      const r = await requestJSON(`${s.api_url}/reconstruct`, { examples: indices });
      binView.set(r);
      binCaption.textContent = say(r);
      bumpUpdates(binCaption);
    } catch (err) {
      binCaption.textContent = `Could not load the examples: ${err.message}`;
    }
  }
  // A point of the ROC curve: its mistakes, the normal examples it flags (highest scores first)
  // and the anomalies it misses (lowest first), six of each.
  rocCanvas.style.cursor = 'pointer';
  rocCanvas.addEventListener('click', (ev) => {
    const rect = rocCanvas.getBoundingClientRect();
    showPoint(roc.pointAt(ev.clientX - rect.left, ev.clientY - rect.top));
  });
  const pointText = (p) => `threshold ${formatScore(p.threshold)} (${Math.round(100 * p.tpr)}% of anomalies caught, ${Math.round(100 * p.fpr)}% of normal examples flagged)`;
  new ChartKeys(rocCanvas, {
    label: 'ROC curve: true-positive rate against false-positive rate for every threshold. Left and right arrows move along the curve; Enter shows the mistakes at that threshold.',
    roledescription: 'ROC curve',
    count: () => (last && Array.isArray(roc.roc) ? roc.roc.length : 0),
    describe: (i) => `Point ${i + 1} of ${roc.roc.length}: ${pointText(roc.roc[i])}. Enter shows its mistakes.`,
    onMove: (i) => roc.select(i),
    onActivate: (i) => showPoint(roc.roc[i]),
    live: rocSays,
  });
  async function showPoint(p) {
    if (!p || !last) return;
    binP.root.dataset.shows = 'roc-point';
    const flagged = [];
    const missed = [];
    last.scores.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const anomalous = !normal.has(last.labels[i]);
      if (!anomalous && v >= p.threshold) flagged.push(i);
      if (anomalous && v < p.threshold) missed.push(i);
    });
    flagged.sort((a, b) => last.scores[b] - last.scores[a]);
    missed.sort((a, b) => last.scores[a] - last.scores[b]);
    const pick = [...flagged.slice(0, 6), ...missed.slice(0, 6)];
    const at = `At ${pointText(p)}`;
    if (pick.length === 0) {
      binView.set(null);
      binCaption.textContent = `${at}: no mistakes to show.`;
      return;
    }
    await showExamples(pick, `${at}: loading its mistakes…`, () =>
      `${at}: ${Math.min(6, flagged.length)} of the ${formatInt(flagged.length)} normal examples flagged (highest scores first), then ${Math.min(6, missed.length)} of the ${formatInt(missed.length)} anomalies missed (✱, lowest scores first).`);
  }

  const when = h('p', { class: 'caption anomaly-when' });
  grid.append(histP.root, rocP.root, galP.root, binP.root);

  let last = null;
  function setAnomaly(a) {
    if (!a || !Array.isArray(a.scores)) return;
    last = a;
    normal = new Set(a.normal_classes || []);
    const split = splitScores(a.scores, a.labels, a.normal_classes);
    hist.set(split);
    roc.set(a.roc);
    threshold.set(split);
    auc.textContent = `AUC ${Number.isFinite(a.auc) ? a.auc.toFixed(3) : '–'}`;
    bumpUpdates(auc);
    const g = a.gallery;
    if (g && g.count > 0) {
      gallery.set({ ...g, mse: (g.scores || []).map((v) => Number(v.toPrecision(3))) });
      const anomalies = (g.labels || []).filter((l) => !normal.has(l)).length;
      galCaption.textContent = `Under each example: its anomaly score (MSE). ${anomalies} of these ${g.count} are real anomalies, marked ✱ (classes left out of training); the others are normal examples the network reconstructs badly.`;
    }
    const names = [...normal].sort((x, y) => x - y).map((i) => classNames[i] ?? i);
    const epoch = Number.isFinite(a.epoch) ? `after epoch ${a.epoch.toFixed(1)}` : '';
    when.textContent = `Scores of ${formatInt(split.scores.length)} test examples ${epoch}. Trained on: ${names.join(', ')}; every other class is an anomaly.`;
  }

  followSession(s, statuses, scheduler, {
    onMessage(m) {
      const latent = m.type === 'snapshot' ? m.latent : m.type === 'latent' ? m : null;
      if (latent && Array.isArray(latent.class_names)) {
        const changed = latent.class_names.join() !== classNames.join();
        classNames = latent.class_names;
        if (changed && last) setAnomaly(last);
      }
      if (m.type === 'snapshot') setAnomaly(m.anomaly);
      else if (m.type === 'anomaly') setAnomaly(m);
    },
  });
  statuses.append(when);
}

main();
