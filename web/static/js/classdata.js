// The class dashboard's model, without the DOM: the runs' tiles merged from the class stream
// (docs/protocol.md, "Class stream"), their order, the counters, and the rate–distortion points.
// Pure; node tests in classdata.test.js.

const LIVE = new Set(['queued', 'running', 'paused']);

/** mergeTile folds a "run" message into the previous tile: pictures absent from it are kept. */
export function mergeTile(old, run) {
  if (!old) return { ...run };
  const t = { ...old, ...run };
  for (const k of ['spark', 'latent', 'recon']) if (run[k] == null) t[k] = old[k];
  if (run.pca == null && old.pca != null) t.pca = old.pca;
  return t;
}

/** finite returns v when it is a finite number, else null. */
function finite(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** tileLoss is the figure a tile is ranked by: its test loss, else its training loss. */
export function tileLoss(t) {
  return finite(t.test_loss) ?? finite(t.train_loss);
}

/**
 * sortTiles orders tiles by `key`: "loss" (lowest test loss first, runs without one last),
 * "width" (narrowest bottleneck first, then loss), "student" (by name, then newest) or "newest".
 */
export function sortTiles(tiles, key) {
  const byName = (a, b) => a.student.localeCompare(b.student, undefined, { sensitivity: 'base' });
  const newest = (a, b) => String(b.created_at).localeCompare(String(a.created_at));
  const byLoss = (a, b) => {
    const x = tileLoss(a);
    const y = tileLoss(b);
    if (x === null && y === null) return newest(a, b);
    if (x === null) return 1;
    if (y === null) return -1;
    return x - y || newest(a, b);
  };
  const cmp = {
    loss: byLoss,
    width: (a, b) => a.bottleneck - b.bottleneck || byLoss(a, b),
    student: (a, b) => byName(a, b) || newest(a, b),
    newest,
  }[key] ?? byLoss;
  return [...tiles].sort(cmp);
}

/** counts returns {students, running, runs} for the counter line. */
export function counts(tiles, students) {
  let running = 0;
  for (const t of tiles) if (LIVE.has(t.state)) running++;
  return { students, running, runs: tiles.length };
}

/** countText is "1 student" / "3 students". */
export function countText(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * rdRuns turns tiles into the runs the rate–distortion chart (rdchart.js) draws: one per tile with
 * a bottleneck, its test loss (the final one once ended) and its PCA figure. Only runs on `dataset`
 * (the lesson's, else the most common) are drawn, so that every dot shares the PCA line.
 */
export function rdRuns(tiles, dataset = '') {
  let ds = dataset;
  if (!ds) {
    const n = new Map();
    for (const t of tiles) n.set(t.dataset, (n.get(t.dataset) ?? 0) + 1);
    let best = 0;
    for (const [k, v] of n) if (v > best) [ds, best] = [k, v];
  }
  return tiles
    .filter((t) => t.dataset === ds && t.bottleneck > 0)
    .map((t) => ({
      id: t.id,
      student: t.student,
      bottleneck: t.bottleneck,
      features: t.features,
      state: t.state,
      testLoss: finite(t.test_loss),
      test: finite(t.test_loss) !== null ? [{ step: Math.max(1, t.step), loss: t.test_loss }] : [],
      train: finite(t.train_loss) !== null ? [{ step: t.step, loss: t.train_loss }] : [],
      pca: finite(t.pca),
    }));
}

/** progressText is "epoch 2 of 5" (or the state when not running). */
export function progressText(t) {
  if (t.state === 'queued') return 'waiting for a turn';
  if (t.epochs > 0 && t.epoch > 0) return `epoch ${Math.min(t.epoch, t.epochs)} of ${t.epochs}`;
  return t.state;
}

/** describeTile is the one-line configuration of a tile: what differs from the preset, or its layers. */
export function describeTile(t) {
  if (Array.isArray(t.differs) && t.differs.length > 0) return t.differs.join(' · ');
  return `as the lesson · M = ${t.bottleneck}`;
}
