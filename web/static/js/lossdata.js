// Loss series for the chart: the protocol sends training and test points separately, each in step
// order; uPlot wants one shared x array, so they are merged by epoch with gaps (null) filled in.

function clean(v, log) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (log && v <= 0) return null;
  return v;
}

/**
 * mergeLoss returns [xs, train, test] for uPlot: xs the sorted union of the points' epochs, train
 * and test the losses at those epochs or null. With log set, non-positive losses become null.
 */
export function mergeLoss(trainPts, testPts, log = false) {
  const xs = [];
  const a = [];
  const b = [];
  let i = 0;
  let j = 0;
  while (i < trainPts.length || j < testPts.length) {
    const ex = i < trainPts.length ? trainPts[i].epoch : Infinity;
    const ey = j < testPts.length ? testPts[j].epoch : Infinity;
    if (ex === ey) {
      xs.push(ex);
      a.push(clean(trainPts[i++].loss, log));
      b.push(clean(testPts[j++].loss, log));
    } else if (ex < ey) {
      xs.push(ex);
      a.push(clean(trainPts[i++].loss, log));
      b.push(null);
    } else {
      xs.push(ey);
      a.push(null);
      b.push(clean(testPts[j++].loss, log));
    }
  }
  return [xs, a, b];
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
