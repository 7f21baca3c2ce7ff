// Loss chart (uPlot): x = epoch (fractional), train loss as a solid line, test loss as a dashed
// line with points, legend, axis titles and a linear/log toggle. Points are appended from `loss`
// messages and replaced on every `snapshot`.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { mergeLoss, partKeys, validPoints } from './lossdata.js';
import { formatLoss } from './format.js';
import { OKABE_ITO, SERIES } from './palette.js';
import { bumpUpdates, observeWidth } from './frame.js';
import { AXIS } from './chartstyle.js';
import { logTicks } from './ticks.js';
import { drawMarkers, markerGroups, validChanges } from './markers.js';

/** latest is the last non-null value of series si (the legend shows it when not hovering). */
function latest(u, si) {
  const d = u.data?.[si] || [];
  for (let i = d.length - 1; i >= 0; i--) if (d[i] != null) return d[i];
  return null;
}

/** How each loss part is drawn: thinner lines in their own colour and dash pattern. */
const PART_STYLE = {
  reconstruction: { label: 'reconstruction (train)', stroke: OKABE_ITO.green, dash: [] },
  kl: { label: 'KL (train)', stroke: OKABE_ITO.purple, dash: [4, 4] },
  sparsity: { label: 'sparsity penalty (train)', stroke: OKABE_ITO.orange, dash: [2, 3] },
  weight_decay: { label: 'weight decay (train)', stroke: OKABE_ITO.black, dash: [12, 4, 2, 4] },
};

function fmtEpoch(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : '–';
}

/** LossChart draws into `el` (the data-testid="loss-chart" element). */
export class LossChart {
  constructor(el, scheduler, { logToggle } = {}) {
    this.el = el;
    this.present = Boolean(el.closest('.present'));
    this.scheduler = scheduler;
    this.train = [];
    this.test = [];
    this.parts = []; // keys of the loss parts drawn (see lossdata.partKeys)
    this.log = Boolean(logToggle?.checked);
    this.lossName = '';
    this.epochs = 0;
    this.plot = null;
    this.mark = null; // epoch of the replayed moment (timeline.js), or null
    this.dataChanged = false;
    this.rebuild = true;
    // Settings changed while it trained (protocol `change`): a marker each, and a list of them
    // under the chart for screen readers; data-markers counts the markers drawn.
    this.changes = [];
    this.markers = [];
    this.markersChanged = false;
    this.markerList = document.createElement('ul');
    this.markerList.className = 'marker-list';
    this.markerList.dataset.testid = 'loss-markers';
    this.markerList.setAttribute('aria-label', 'Settings changed while it trained');
    el.after(this.markerList);
    el.dataset.markers = '0';
    if (logToggle) {
      logToggle.addEventListener('change', () => {
        this.log = logToggle.checked;
        this.rebuild = true;
        this.scheduler.request(this);
      });
    }
    // Reserve the chart's height (plot and a two-line legend) before the first point, so that
    // the panels below do not jump when data arrives.
    const reserve = () => {
      this.el.style.minHeight = `${this.size().height + 64}px`;
    };
    reserve();
    observeWidth(el, () => {
      reserve();
      if (this.plot) this.plot.setSize(this.size());
    }, this.present);
  }

  /** reset replaces all points (on a snapshot). */
  reset(train, test) {
    this.train = validPoints(train);
    this.test = validPoints(test);
    this.changed();
  }

  /** append adds new points (from a `loss` message). */
  append(train, test) {
    const a = validPoints(train);
    const b = validPoints(test);
    if (a.length === 0 && b.length === 0) return;
    for (const p of a) this.train.push(p);
    for (const p of b) this.test.push(p);
    this.changed();
  }

  /** setChanges replaces the setting changes (from a snapshot). */
  setChanges(list) {
    this.changes = validChanges(list);
    this.markersDirty();
  }

  /** addChanges adds setting changes (from a `change` message). */
  addChanges(list) {
    const c = validChanges(list);
    if (c.length === 0) return;
    this.changes.push(...c);
    this.markersDirty();
  }

  markersDirty() {
    this.markers = markerGroups(this.changes);
    this.markersChanged = true;
    this.scheduler.request(this);
  }

  /** setMeta sets the loss name (y axis title) and the planned number of epochs (x range). */
  setMeta({ lossName, epochs }) {
    let changed = false;
    if (lossName !== undefined && lossName !== this.lossName) {
      this.lossName = lossName;
      this.rebuild = true;
      changed = true;
    }
    if (Number.isFinite(epochs) && epochs > 0 && epochs !== this.epochs) {
      this.epochs = epochs;
      changed = true;
    }
    if (changed) this.scheduler.request(this);
  }

  /** setMark draws a vertical marker at epoch (the moment the replay shows); null removes it. */
  setMark(epoch) {
    const e = Number.isFinite(epoch) ? epoch : null;
    if (e === this.mark) return;
    this.mark = e;
    this.el.dataset.mark = e === null ? '' : String(e);
    this.plot?.redraw(false, false);
  }

  drawMark(u) {
    if (this.mark === null) return;
    const x = Math.round(u.valToPos(this.mark, 'x', true));
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    // Solid and twice as wide as the settings markers (markers.js, dashed); black, apart from the
    // blue and orange curves.
    ctx.strokeStyle = '#111418';
    ctx.lineWidth = 4 * (window.devicePixelRatio || 1);
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.restore();
  }

  changed() {
    const parts = partKeys(this.train);
    if (parts.join() !== this.parts.join()) {
      this.parts = parts;
      this.rebuild = true;
    }
    this.dataChanged = true;
    this.scheduler.request(this);
  }

  size() {
    const width = Math.max(240, this.el.clientWidth || 600);
    // The presenter view gives the chart a box (what its panel leaves below the heading): the
    // plot takes it whole but for the legend under it; elsewhere the height follows the width.
    if (this.present && this.el.clientHeight > 0) {
      const legend = this.plot ? this.plot.root.offsetHeight - this.plot.height : 64;
      return { width, height: Math.max(60, this.el.clientHeight - legend) };
    }
    const height = Math.round(Math.min(480, Math.max(260, width * 0.68)));
    return { width, height };
  }

  options() {
    const yLabel = this.lossName ? `loss (${this.lossName})${this.log ? ', log scale' : ''}` : `loss${this.log ? ' (log scale)' : ''}`;
    return {
      ...this.size(),
      pxAlign: 0,
      scales: {
        x: {
          time: false,
          range: (u, min, max) => {
            const hi = Math.max(this.epochs || 0, Number.isFinite(max) ? max : 1, 0.01);
            return [0, hi];
          },
        },
        y: this.log ? { distr: 3, log: 10 } : {
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
          size: 78,
          ...(this.log ? { splits: (u) => logTicks(u.scales.y.min, u.scales.y.max), filter: (u, splits) => splits } : {}),
          values: (u, splits) => splits.map((v) => (v == null ? '' : formatLoss(v))),
        },
      ],
      series: [
        { label: 'epoch', value: (u, v, si, idx) => fmtEpoch(idx == null ? latest(u, 0) : v) },
        {
          label: 'train loss',
          stroke: SERIES.a,
          width: 3,
          spanGaps: true,
          points: { show: false },
          value: (u, v, si, idx) => (idx == null ? formatLoss(latest(u, si)) : formatLoss(v)),
        },
        {
          label: 'test loss',
          stroke: SERIES.b,
          width: 3,
          dash: [10, 6],
          spanGaps: true,
          points: { show: true, size: 11, width: 2, stroke: SERIES.b, fill: '#ffffff' },
          value: (u, v, si, idx) => (idx == null ? formatLoss(latest(u, si)) : formatLoss(v)),
        },
        ...this.parts.map((k) => ({
          label: PART_STYLE[k].label,
          stroke: PART_STYLE[k].stroke,
          dash: PART_STYLE[k].dash,
          width: 2,
          spanGaps: true,
          points: { show: false },
          value: (u, v, si, idx) => (idx == null ? formatLoss(latest(u, si)) : formatLoss(v)),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 10 } },
      // Setting changes (dashed, labelled) and the replay's moment (solid).
      hooks: { draw: [(u) => drawMarkers(u, this.markers), (u) => this.drawMark(u)] },
    };
  }

  render() {
    const data = mergeLoss(this.train, this.test, this.log, this.parts);
    if (this.rebuild || !this.plot) {
      if (this.plot) this.plot.destroy();
      this.plot = new uPlot(this.options(), data, this.el);
      this.rebuild = false;
      // In the presenter's box the plot's height depends on its legend's, known only now.
      if (this.present) {
        const want = this.size();
        if (want.height !== this.plot.height) this.plot.setSize(want);
      }
    } else if (this.dataChanged) {
      this.plot.setData(data);
    } else if (this.markersChanged) {
      this.plot.redraw(false);
    } else {
      this.plot.setData(data);
    }
    if (this.markersChanged) {
      this.markersChanged = false;
      this.markerList.replaceChildren(...this.markers.map((m) => {
        const li = document.createElement('li');
        li.textContent = `Step ${m.step} (epoch ${fmtEpoch(m.epoch)}): ${m.label}`;
        return li;
      }));
      this.el.dataset.markers = String(this.markers.length);
    }
    // Refresh the legend's "latest" values unless the pointer is over the chart.
    if (this.plot.legend?.idx == null) this.plot.setLegend({ idx: null }, false);
    if (this.dataChanged) {
      this.dataChanged = false;
      // How many points each curve has, for tests that compare a page before and after a restart.
      this.el.dataset.trainPoints = String(this.train.length);
      this.el.dataset.testPoints = String(this.test.length);
      bumpUpdates(this.el);
    }
  }
}
