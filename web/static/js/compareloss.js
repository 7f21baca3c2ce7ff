// Loss curves of every run of a comparison on one uPlot chart: per run (in its own colour) the test
// loss as a thick line with markers, the training loss as a thin line (toggle), and the PCA test
// error at k = M as a dashed horizontal line. Each run is named at the right end of its line, so
// the chart reads without the colours. x = epoch, y = loss, linear or log.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { logRange, mergeSeries, spreadLabels } from './comparedata.js';
import { formatLoss } from './format.js';
import { bumpUpdates, observeWidth } from './frame.js';
import { AXIS } from './chartstyle.js';
import { logTicks } from './ticks.js';

const LABEL_ROOM = 118; // css px right of the plot for the run names

/** CompareLossChart draws the runs (see compare.js) into `el` (data-testid="compare-loss-chart"). */
export class CompareLossChart {
  constructor(el, scheduler, runs, { logToggle, trainToggle } = {}) {
    this.el = el;
    this.scheduler = scheduler;
    this.runs = runs;
    this.log = Boolean(logToggle?.checked);
    this.showTrain = trainToggle ? trainToggle.checked : true;
    this.plot = null;
    this.rebuild = true;
    this.dataChanged = false;
    logToggle?.addEventListener('change', () => {
      this.log = logToggle.checked;
      this.rebuild = true;
      this.scheduler.request(this);
    });
    trainToggle?.addEventListener('change', () => {
      this.showTrain = trainToggle.checked;
      this.rebuild = true;
      this.scheduler.request(this);
    });
    // The presenter view gives the chart a box from the page's grid: follow its height too.
    this.present = Boolean(el.closest('.present'));
    observeWidth(el, () => {
      if (this.plot) this.plot.setSize(this.size());
    }, this.present);
  }

  /** changed says that some run's points or PCA figure changed. */
  changed() {
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  size() {
    if (this.present && this.el.clientHeight > 0) {
      return { width: Math.max(200, this.el.clientWidth || 600), height: Math.max(120, this.el.clientHeight) };
    }
    const width = Math.max(280, this.el.clientWidth || 600);
    const height = Math.round(Math.min(480, Math.max(280, width * 0.74)));
    return { width, height };
  }

  /** data is [xs, then per run: test, train, pca] (the PCA line spans the whole x range). */
  data() {
    const lists = [];
    for (const r of this.runs) lists.push(r.test, this.showTrain ? r.train : []);
    const merged = mergeSeries(lists, this.log);
    const xs = merged[0];
    const out = [xs];
    this.runs.forEach((r, i) => {
      out.push(merged[1 + 2 * i], merged[2 + 2 * i]);
      const ok = typeof r.pca === 'number' && Number.isFinite(r.pca) && (!this.log || r.pca > 0);
      out.push(xs.map(() => (ok ? r.pca : null)));
    });
    return out;
  }

  maxEpochs() {
    let e = 0;
    for (const r of this.runs) e = Math.max(e, r.epochs || 0);
    return e;
  }

  options() {
    const series = [{ label: 'epoch' }];
    for (const r of this.runs) {
      series.push(
        {
          label: `${r.label} test`,
          stroke: r.color,
          width: 3.5,
          spanGaps: true,
          points: { show: true, size: 10, width: 2, stroke: r.color, fill: '#ffffff' },
        },
        { label: `${r.label} train`, stroke: `${r.color}99`, width: 1.5, spanGaps: true, points: { show: false }, show: this.showTrain },
        { label: `${r.label} PCA`, stroke: r.color, width: 2.5, dash: [9, 7], points: { show: false } },
      );
    }
    const yLabel = `loss${this.log ? ' (log scale)' : ''}`;
    return {
      ...this.size(),
      padding: [12, LABEL_ROOM, 0, 0],
      pxAlign: 0,
      scales: {
        x: {
          time: false,
          range: (u, min, max) => [0, Math.max(this.maxEpochs(), Number.isFinite(max) ? max : 1, 0.01)],
        },
        y: this.log ? {
          distr: 3,
          log: 10,
          range: (u, min, max) => logRange(min, max),
        } : {
          range: (u, min, max) => {
            if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
            const pad = (max - min) * 0.08 || Math.abs(max) * 0.1 || 1;
            return [Math.max(0, min - pad), max + pad];
          },
        },
      },
      axes: [
        { ...AXIS, label: 'epoch', size: 48 },
        {
          ...AXIS,
          label: yLabel,
          size: 80,
          ...(this.log ? { splits: (u) => logTicks(u.scales.y.min, u.scales.y.max), filter: (u, splits) => splits } : {}),
          values: (u, splits) => splits.map((v) => (v == null ? '' : formatLoss(v))),
        },
      ],
      series,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 9 } },
      hooks: { draw: [(u) => this.drawLabels(u)] },
    };
  }

  /** drawLabels names each run at the right end of its test (or training) line. */
  drawLabels(u) {
    const dpr = window.devicePixelRatio || 1;
    const { ctx } = u;
    const items = [];
    this.runs.forEach((r, i) => {
      const ys = [u.data[1 + 3 * i], u.data[2 + 3 * i]];
      let v = null;
      for (const arr of ys) {
        for (let k = (arr?.length || 0) - 1; k >= 0; k--) {
          if (arr[k] != null) {
            v = arr[k];
            break;
          }
        }
        if (v != null) break;
      }
      if (v == null) return;
      items.push({ r, y: u.valToPos(v, 'y', true) });
    });
    if (items.length === 0) return;
    const top = u.bbox.top;
    const bottom = u.bbox.top + u.bbox.height;
    const ys = spreadLabels(items.map((it) => it.y), 21 * dpr, top + 9 * dpr, bottom - 9 * dpr);
    const x = u.bbox.left + u.bbox.width + 10 * dpr;
    ctx.save();
    ctx.font = `bold ${Math.round(15 * dpr)}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    items.forEach((it, k) => {
      const y = ys[k];
      ctx.fillStyle = it.r.color;
      ctx.fillRect(x, y - 6 * dpr, 12 * dpr, 12 * dpr);
      ctx.strokeStyle = '#111418';
      ctx.lineWidth = dpr;
      ctx.strokeRect(x, y - 6 * dpr, 12 * dpr, 12 * dpr);
      ctx.fillStyle = '#111418';
      ctx.fillText(it.r.label, x + 17 * dpr, y, (LABEL_ROOM - 30) * dpr);
    });
    ctx.restore();
  }

  render() {
    const data = this.data();
    if (this.rebuild || !this.plot) {
      if (this.plot) this.plot.destroy();
      this.plot = new uPlot(this.options(), data, this.el);
      this.rebuild = false;
    } else {
      this.plot.setData(data);
    }
    const withCurves = this.runs.filter((r) => r.test.length > 0 || r.train.length > 0).length;
    this.el.dataset.series = String(withCurves);
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.el);
    }
  }
}
