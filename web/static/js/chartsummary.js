// Text alternatives for the session page's charts: a short sentence per chart with its latest
// numbers ("Test loss 0.0123 at epoch 3; training loss 0.0131 at step 900."), put in each chart's
// aria-label, and for the loss a polite live region that speaks when a new test loss arrives (once
// an epoch or so, not at every training point). The sentences are pure functions, unit-tested in
// chartsummary.test.js; installSummaries wires them to the views without changing them.

import { formatInt, formatLoss } from './format.js';

function lastFinite(points) {
  for (let i = (points?.length || 0) - 1; i >= 0; i--) if (Number.isFinite(points[i]?.loss)) return points[i];
  return null;
}

function epoch(x) {
  return Number.isFinite(x) ? String(Number(x.toFixed(2))) : '–';
}

/** lossSummary describes the latest test and training loss points. */
export function lossSummary(train, test) {
  const te = lastFinite(test);
  const tr = lastFinite(train);
  const parts = [];
  if (te) parts.push(`test loss ${formatLoss(te.loss)} at epoch ${epoch(te.epoch)}`);
  if (tr) parts.push(`training loss ${formatLoss(tr.loss)} at step ${formatInt(tr.step)}`);
  if (!parts.length) return 'Loss by epoch: no loss measured yet.';
  const s = parts.join('; ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

/** latentSummary describes a latent message. */
export function latentSummary(l) {
  if (!l || !Array.isArray(l.x)) return 'Scatter plot of the codes of test examples: waiting for data.';
  const classes = new Set((l.labels || []).filter((c) => c >= 0)).size;
  const proj = l.projection === 'pca' ? 'projected on their first two principal components' : 'the code units as axes';
  return `Scatter plot of the codes of ${formatInt(l.x.length)} test examples${classes ? ` from ${classes} classes` : ''}, ${proj}, at epoch ${epoch(l.epoch)}.`;
}

/** reconSummary describes a reconstructions message. */
export function reconSummary(r) {
  if (!r || !Array.isArray(r.mse) || !r.mse.length) return 'Test examples and the network\'s reconstructions of them: waiting for data.';
  const ok = r.mse.filter(Number.isFinite);
  const mean = ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
  return `${formatInt(r.mse.length)} test examples and their reconstructions at epoch ${epoch(r.epoch)}; mean squared error ${formatLoss(mean)}.`;
}

/**
 * installSummaries keeps the aria-labels of the loss chart (lossEl), the latent canvas and the
 * reconstructions canvas up to date, and adds the loss's live region after lossEl.
 */
export function installSummaries({ loss, lossEl, scatter, recon }) {
  const live = document.createElement('p');
  live.className = 'visually-hidden';
  live.setAttribute('aria-live', 'polite');
  live.dataset.testid = 'loss-summary';
  lossEl.after(live);
  let lastTest = null;
  const update = () => {
    const text = lossSummary(loss.train, loss.test);
    lossEl.setAttribute('aria-label', `Training and test loss by epoch. ${text}`);
    const te = lastFinite(loss.test);
    if (te && te !== lastTest) {
      lastTest = te;
      live.textContent = text;
    }
  };
  for (const name of ['append', 'reset']) {
    const f = loss[name].bind(loss);
    loss[name] = (...args) => {
      f(...args);
      update();
    };
  }
  const setScatter = scatter.set.bind(scatter);
  scatter.set = (l) => {
    setScatter(l);
    scatter.canvas.setAttribute('aria-label', latentSummary(scatter.latent));
  };
  const setRecon = recon.set.bind(recon);
  recon.set = (m) => {
    setRecon(m);
    recon.canvas?.setAttribute('aria-label', reconSummary(recon.msg));
  };
}
