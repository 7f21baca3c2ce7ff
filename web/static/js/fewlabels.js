// Pure helpers of the feature-extraction and pretraining labs (lab-features.js,
// lab-pretraining.js): request bodies from the controls and chart data from the answers of
// POST /api/sessions/{id}/features and /pretrain (docs/api.md). Unit-tested in fewlabels.test.js.

/** featureSeries turns results (by session, in width order) into chart data. Pure. */
export function featureSeries(rows) {
  const xs = rows.map((r) => r.width);
  const pick = (f) => rows.map((r) => (r.result ? f(r.result) : null));
  return {
    xs,
    ys: [pick((x) => x.accuracy.latent), pick((x) => x.accuracy.pca), pick((x) => x.accuracy.raw), pick((x) => x.chance)],
  };
}

/** featureRequest returns {body} for the controls' values, or {error} saying what to fix. Pure. */
export function featureRequest({ labels, classifier, k }) {
  const lpc = Number(labels);
  if (!Number.isInteger(lpc) || lpc < 1 || lpc > 100) return { error: 'Labels per class: a whole number from 1 to 100.' };
  if (classifier === 'logreg') return { body: { labels_per_class: lpc, classifier } };
  const kk = Number(k);
  if (!Number.isInteger(kk) || kk < 1 || kk > Math.min(50, 2 * lpc)) {
    return { error: `k: a whole number from 1 to ${Math.min(50, 2 * lpc)} (at most twice the labels per class).` };
  }
  return { body: { labels_per_class: lpc, classifier: 'knn', k: kk } };
}

/** pretrainRequest returns {body} for the controls' values, or {error} saying what to fix. Pure. */
export function pretrainRequest({ labels, epochs, head }) {
  const n = Number(labels);
  const e = Number(epochs);
  if (!Number.isInteger(n) || n < 10 || n > 5000) return { error: 'Labels: a whole number from 10 to 5000.' };
  if (!Number.isInteger(e) || e < 1 || e > 200) return { error: 'Epochs: a whole number from 1 to 200.' };
  return { body: { labels: n, epochs: e, head: head === 'random' ? 'random' : 'zero' } };
}

/** pretrainSeries turns a result into chart data: epochs 1…E and the three curves. Pure. */
export function pretrainSeries(res) {
  const a = res?.pretrained?.accuracy || [];
  const b = res?.random?.accuracy || [];
  const xs = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => i + 1);
  return { xs, ys: [xs.map((_, i) => a[i] ?? null), xs.map((_, i) => b[i] ?? null), xs.map(() => res?.chance ?? null)] };
}
