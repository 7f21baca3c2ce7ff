// A line chart (uPlot) of a few named series against a shared x, with a legend, axis titles and
// large type: the denoising lab's PSNR per epoch and PSNR against the test-time noise level.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { bumpUpdates, observeWidth } from './frame.js';
import { AXIS } from './chartstyle.js';

/**
 * mergeSeries joins series of points ({x, y}, each sorted by x) into uPlot's data: the sorted
 * union of the xs, then one array per series with null where it has no point. Pure.
 */
export function mergeSeries(series) {
  const xs = [...new Set(series.flatMap((s) => s.map((p) => p.x)))].filter(Number.isFinite).sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const out = new Array(xs.length).fill(null);
    for (const p of s) {
      if (index.has(p.x) && Number.isFinite(p.y)) out[index.get(p.x)] = p.y;
    }
    return out;
  });
  return [xs, ...ys];
}

/** lastValue is the last non-null value of a uPlot series (the legend shows it when not hovering). */
function lastValue(u, si) {
  const d = u.data?.[si] || [];
  for (let i = d.length - 1; i >= 0; i--) if (d[i] != null) return d[i];
  return null;
}

/**
 * MetricChart draws into `el`. series: [{label, stroke, dash, points}]; fmt formats y values,
 * xFmt x values; xRange(max) gives the x scale, yRange(min, max) the y scale.
 */
export class MetricChart {
  constructor(el, scheduler, { xLabel, yLabel, series, fmt = (v) => String(v), xFmt = (v) => String(v), xRange, yRange }) {
    this.el = el;
    this.scheduler = scheduler;
    this.opts = { xLabel, yLabel, series, fmt, xFmt, xRange, yRange };
    this.data = [[], ...series.map(() => [])];
    this.plot = null;
    this.changed = false;
    observeWidth(el, () => this.plot?.setSize(this.size()));
  }

  /** set replaces the points: one array of {x, y} per series. */
  set(points) {
    this.data = mergeSeries(points);
    this.changed = true;
    this.scheduler.request(this);
  }

  size() {
    const width = Math.max(240, this.el.clientWidth || 600);
    return { width, height: Math.round(Math.min(400, Math.max(240, width * 0.55))) };
  }

  options() {
    const o = this.opts;
    const value = (fmt) => (u, v, si, idx) => {
      const x = idx == null ? lastValue(u, si) : v;
      return x == null ? '–' : fmt(x);
    };
    return {
      ...this.size(),
      pxAlign: 0,
      scales: {
        x: { time: false, range: (u, min, max) => (o.xRange ? o.xRange(min, max) : [min, max]) },
        y: { range: (u, min, max) => (o.yRange ? o.yRange(min, max) : [min, max]) },
      },
      axes: [
        { ...AXIS, label: o.xLabel, size: 48, values: (u, splits) => splits.map((v) => (v == null ? '' : o.xFmt(v))) },
        { ...AXIS, label: o.yLabel, size: 70, values: (u, splits) => splits.map((v) => (v == null ? '' : o.fmt(v))) },
      ],
      series: [
        { label: o.xLabel, value: value(o.xFmt) },
        ...o.series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 3,
          dash: s.dash,
          spanGaps: true,
          points: { show: true, size: s.points ?? 9, width: 2, stroke: s.stroke, fill: s.fill ?? '#ffffff' },
          value: value(o.fmt),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 10 } },
    };
  }

  render() {
    if (!this.plot) this.plot = new uPlot(this.options(), this.data, this.el);
    else this.plot.setData(this.data);
    if (this.plot.legend?.idx == null) this.plot.setLegend({ idx: null }, false);
    if (this.changed) {
      this.changed = false;
      bumpUpdates(this.el);
    }
  }
}
