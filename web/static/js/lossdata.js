// Loss series for the chart: the protocol sends training and test points separately, each in step
// order; uPlot wants one shared x array, so they are merged by epoch with gaps (null) filled in.

function clean(v, log) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (log && v <= 0) return null;
  return v;
}

/** The parts of a loss a point may carry (docs/protocol.md), in the order the chart draws them. */
export const LOSS_PARTS = ['reconstruction', 'kl', 'sparsity', 'weight_decay'];

/** partKeys lists the parts that some training point carries, in LOSS_PARTS order. */
export function partKeys(trainPts) {
  return LOSS_PARTS.filter((k) => trainPts.some((p) => typeof p[k] === 'number'));
}

/**
 * mergeLoss returns [xs, train, test, ...parts] for uPlot: xs the sorted union of the points'
 * epochs, train and test the losses at those epochs or null, then for each key of `parts` the
 * training points' value of that part. With log set, non-positive values become null.
 */
export function mergeLoss(trainPts, testPts, log = false, parts = []) {
  const xs = [];
  const a = [];
  const b = [];
  const ps = parts.map(() => []);
  const pushParts = (pt) => parts.forEach((k, n) => ps[n].push(pt ? clean(pt[k], log) : null));
  let i = 0;
  let j = 0;
  while (i < trainPts.length || j < testPts.length) {
    const ex = i < trainPts.length ? trainPts[i].epoch : Infinity;
    const ey = j < testPts.length ? testPts[j].epoch : Infinity;
    if (ex === ey) {
      xs.push(ex);
      pushParts(trainPts[i]);
      a.push(clean(trainPts[i++].loss, log));
      b.push(clean(testPts[j++].loss, log));
    } else if (ex < ey) {
      xs.push(ex);
      pushParts(trainPts[i]);
      a.push(clean(trainPts[i++].loss, log));
      b.push(null);
    } else {
      xs.push(ey);
      pushParts(null);
      a.push(null);
      b.push(clean(testPts[j++].loss, log));
    }
  }
  return [xs, a, b, ...ps];
}

/** validPoints keeps the well-formed loss points of a message ({step, epoch, loss}). */
export function validPoints(pts) {
  if (!Array.isArray(pts)) return [];
  return pts.filter((p) => p && typeof p.epoch === 'number' && Number.isFinite(p.epoch));
}

/** lastLoss is the loss of the last point with a finite loss, or null. */
export function lastLoss(pts) {
  for (let i = pts.length - 1; i >= 0; i--) {
    if (typeof pts[i].loss === 'number' && Number.isFinite(pts[i].loss)) return pts[i].loss;
  }
  return null;
}
