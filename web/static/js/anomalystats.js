// Pure helpers of the anomaly-detection lab (lab-anomaly.js): from the scores and labels of an
// `anomaly` message (docs/protocol.md) to the two histograms, the confusion counts at a
// threshold, precision, recall and F1, and the threshold with the best F1. Unit-tested in
// anomalystats.test.js.

/**
 * splitScores separates the finite scores of the test examples into normal ones (label among
 * normalClasses) and anomalous ones, and returns {normal, anomalous, scores, positive} where
 * positive[i] says whether example i is an anomaly (only examples with a finite score are kept).
 */
export function splitScores(scores, labels, normalClasses) {
  const normalSet = new Set(normalClasses || []);
  const out = { normal: [], anomalous: [], scores: [], positive: [] };
  const n = Math.min(scores?.length || 0, labels?.length || 0);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (typeof s !== 'number' || !Number.isFinite(s)) continue;
    const pos = !normalSet.has(labels[i]);
    (pos ? out.anomalous : out.normal).push(s);
    out.scores.push(s);
    out.positive.push(pos);
  }
  return out;
}

/** quantile returns the q-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly. */
export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const i = Math.floor(pos);
  if (i >= sorted.length - 1) return sorted[sorted.length - 1];
  const f = pos - i;
  return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

/**
 * histograms bins both groups over one shared range: `bins` equal-width bins from the smallest
 * score to the `clip` quantile of all scores (1: the largest), or, with log set, equal-width bins
 * of log10(score) (scores ≤ 0 are left out). Scores beyond the range go into the last bin, whose
 * `overflow` flag then says so. Returns {edges, normal, anomalous, overflow} with each group's
 * counts as a share of that group (0–1), so that a small group stays visible next to a large one.
 */
export function histograms(normal, anomalous, { bins = 30, clip = 0.99, log = false } = {}) {
  const tf = log ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const all = [...normal, ...anomalous].map(tf).filter(Number.isFinite).sort((a, b) => a - b);
  let lo = all.length ? all[0] : 0;
  let hi = all.length ? quantile(all, clip) : 1;
  if (!(hi > lo)) {
    const pad = Math.max(Math.abs(lo) * 0.5, 0.5);
    lo -= pad;
    hi += pad;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  edges[bins] = hi;
  let overflow = false;
  const count = (values) => {
    const c = new Array(bins).fill(0);
    let n = 0;
    for (const v of values) {
      const t = tf(v);
      if (!Number.isFinite(t)) continue;
      n++;
      if (t > hi) overflow = true;
      c[Math.max(0, Math.min(bins - 1, Math.floor((t - lo) / width)))]++;
    }
    return c.map((k) => (n ? k / n : 0));
  };
  const normalShare = count(normal);
  const anomalousShare = count(anomalous);
  return { edges, normal: normalShare, anomalous: anomalousShare, overflow, log };
}

/** confusion counts the outcomes of flagging every example whose score is ≥ threshold. */
export function confusion(scores, positive, threshold) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i] >= threshold;
    if (flagged && positive[i]) tp++;
    else if (flagged) fp++;
    else if (positive[i]) fn++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/**
 * prf returns precision tp/(tp+fp), recall tp/(tp+fn) and their harmonic mean F1; a ratio whose
 * denominator is 0 is 0 (as analysis.PrecisionRecallF1 on the server).
 */
export function prf({ tp, fp, fn }) {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/**
 * bestF1 returns {threshold, f1} for the threshold (one of the scores) with the highest F1,
 * sweeping from the highest score down; ties keep the higher threshold. NaN when there is no
 * anomaly or no score.
 */
export function bestF1(scores, positive) {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const pos = positive.filter(Boolean).length;
  let tp = 0;
  let fp = 0;
  let best = { threshold: NaN, f1: -1 };
  for (let g = 0; g < idx.length;) {
    const s = scores[idx[g]];
    for (; g < idx.length && scores[idx[g]] === s; g++) {
      if (positive[idx[g]]) tp++;
      else fp++;
    }
    const { f1 } = prf({ tp, fp, fn: pos - tp });
    if (f1 > best.f1) best = { threshold: s, f1 };
  }
  return pos === 0 || best.f1 < 0 ? { threshold: NaN, f1: NaN } : best;
}

/** shareAtOrAbove returns the fraction of the sorted values that are ≥ t. */
export function shareAtOrAbove(sorted, t) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length ? (sorted.length - lo) / sorted.length : 0;
}

/**
 * examplesInBin returns the indices of the scores that fall in a histogram bin ({lo, hi, first,
 * last, log} as ScoreHistogram.binAt gives it; the first bin also takes lower scores, the last
 * every higher one), highest score first, at most `max`. Pure.
 */
export function examplesInBin(scores, bin, max = 12) {
  const tf = bin.log ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const out = [];
  scores.forEach((v, i) => {
    const t = tf(v);
    if (!Number.isFinite(t)) return;
    if ((bin.first || t >= bin.lo) && (bin.last || t < bin.hi)) out.push(i);
  });
  out.sort((a, b) => scores[b] - scores[a]);
  return { count: out.length, indices: out.slice(0, max) };
}
