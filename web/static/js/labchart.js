// A uPlot line chart of accuracies for the feature-extraction and pretraining labs: large axis text
// and legend for projection, y from 0 to 100 %, each series told apart by colour AND dash pattern
// (Okabe–Ito colours), and a data-updates counter for the browser tests.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { bumpUpdates, observeWidth } from './frame.js';
import { AXIS } from './chartstyle.js';

/** percent writes an accuracy in [0, 1] as "83.4%" ('–' when missing). Pure. */
export function percent(v) {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–';
}

/** markerDash is the CSS border style that looks like a line's dash pattern. Pure. */
export function markerDash(dash) {
  if (!Array.isArray(dash) || dash.length === 0) return 'solid';
  return dash[0] <= 3 ? 'dotted' : 'dashed';
}

/**
 * AccuracyChart draws series of accuracies against x into `el`.
 *  - series: [{label, stroke, dash, width}] in legend order;
 *  - xLabel, yLabel: axis titles; xLog2: a base-2 log x axis whose ticks are the x values
 *    themselves (bottleneck widths); xInteger: ticks at whole numbers only (epochs);
 *    xFormat(v): the text of an x value.
 */
export class AccuracyChart {
  constructor(el, scheduler, { series, xLabel, yLabel = 'test accuracy', xLog2 = false, xInteger = false, xFormat = (v) => String(v) }) {
    this.el = el;
    this.scheduler = scheduler;
    this.series = series;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.xLog2 = xLog2;
    this.xInteger = xInteger;
    this.xFormat = xFormat;
    this.xs = [];
    this.ys = series.map(() => []);
    this.plot = null;
    this.rebuild = true;
    this.dataChanged = false;
    observeWidth(el, () => {
      if (this.plot) this.plot.setSize(this.size());
    });
  }

  /** set replaces the data: xs ascending, ys one array per series (null for a missing value). */
  set(xs, ys) {
    const sameX = xs.length === this.xs.length && xs.every((v, i) => v === this.xs[i]);
    if (!sameX) this.rebuild = true; // the log axis' ticks are the x values
    this.xs = xs;
    this.ys = ys;
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  size() {
    const width = Math.max(260, this.el.clientWidth || 600);
    return { width, height: Math.round(Math.min(420, Math.max(260, width * 0.6))) };
  }

  options() {
    const xs = this.xs;
    const x = this.xLog2
      ? { time: false, distr: 3, log: 2, range: () => (xs.length ? [xs[0] / 1.5, xs[xs.length - 1] * 1.5] : [1, 2]) }
      : { time: false, range: (u, min, max) => [Math.min(1, min ?? 1), Math.max(2, max ?? 2)] };
    return {
      ...this.size(),
      pxAlign: 0,
      scales: { x, y: { range: () => [0, 1] } },
      axes: [
        {
          ...AXIS,
          label: this.xLabel,
          size: 50,
          ...(this.xLog2 ? { splits: () => this.xs } : {}),
          ...(this.xInteger ? { incrs: [1, 2, 5, 10, 20, 25, 50, 100] } : {}),
          values: (u, splits) => splits.map((v) => (v == null ? '' : this.xFormat(v))),
        },
        { ...AXIS, label: this.yLabel, size: 74, values: (u, splits) => splits.map((v) => (v == null ? '' : `${Math.round(v * 100)}%`)) },
      ],
      series: [
        { label: this.xLabel },
        ...this.series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: s.width ?? 3,
          dash: s.dash,
          spanGaps: true,
          points: { show: s.points ?? true, size: 10, width: 2, stroke: s.stroke, fill: '#ffffff' },
        })),
      ],
      // The table and the result line give the numbers; the markers repeat each line's pattern.
      legend: { show: true, live: false, markers: { width: 3, dash: (u, i) => markerDash(u.series[i].dash) } },
      cursor: { drag: { x: false, y: false }, points: { size: 10 } },
    };
  }

  render() {
    const data = [this.xs, ...this.ys];
    if (this.rebuild || !this.plot) {
      if (this.plot) this.plot.destroy();
      this.plot = new uPlot(this.options(), data, this.el);
      this.rebuild = false;
    } else {
      this.plot.setData(data);
    }
    if (this.dataChanged) {
      this.dataChanged = false;
      bumpUpdates(this.el);
    }
  }
}
