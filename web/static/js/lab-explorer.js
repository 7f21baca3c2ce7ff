// Latent explorer lab (/labs/explorer): follows the lab's session live and explores its latent
// space through the snapshot API (docs/api.md): click or drag on the 2-D map to decode a point,
// the manifold grid, the interpolation between two test examples, one slider per latent unit,
// and the variance bars that reveal dead units. Every control keeps at most one request in
// flight (snapapi.oneInFlight) and the pictures follow the training every few seconds.

import { createScheduler } from './frame.js';
import { followSession, h, isTerminal, panel, readLabBoot } from './labstream.js';
import { oneInFlight, requestJSON } from './snapapi.js';
import { ExplorerMap } from './explorer-map.js';
import { DecodedView, InterpolationView, ManifoldView, VarianceView, formatCode } from './explorer-views.js';
import { installManifoldHover, tileCode } from './manifoldhover.js';
import { ChartKeys } from './chartkeys.js';
import { formatInt } from './format.js';
import { Timeline } from './timeline.js';

const REFRESH_MS = 3000;

/** defaultPair picks the first example and the first one of another class after it. Pure. */
export function defaultPair(labels) {
  const b = labels.findIndex((l) => l !== labels[0]);
  return [0, b > 0 ? b : Math.min(1, labels.length - 1)];
}

/** withStep adds ?step= (a past moment of the replay) to an API URL; null leaves it as it is. Pure. */
export function withStep(url, step) {
  return step === null || step === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}step=${step}`;
}

/**
 * momentText says which weights a view ran on: `step` (the answer's) for the replay's moment
 * `asked` (null: live), with the epoch from the keyframe index when it has that step; `weights`
 * is the answer's field ("checkpoint": the server training the run did not answer, so the view
 * ran on its last checkpoint, not its live weights). Pure.
 */
export function momentText(step, asked, index = [], weights = undefined) {
  if (asked === null || asked === undefined) {
    if (weights === 'checkpoint') return `model at step ${formatInt(step)}, its last checkpoint (the server training it did not answer)`;
    return `model at step ${formatInt(step)}`;
  }
  const k = index.find((e) => e.step === step);
  const ep = k ? ` (epoch ${Number.isInteger(k.epoch) ? k.epoch : Number(k.epoch).toFixed(2)})` : '';
  const at = `step ${formatInt(step)}${ep}`;
  if (step === asked) return at;
  return `${at}, the kept weights nearest step ${formatInt(asked)}`;
}

/** sliderRange is the span of unit j's slider: the occupied range, holding v, padded by a quarter. Pure. */
export function sliderRange(stats, j, v) {
  let lo = stats ? stats.bounds.lo[j] : v - 1;
  let hi = stats ? stats.bounds.hi[j] : v + 1;
  lo = Math.min(lo, v);
  hi = Math.max(hi, v);
  const pad = (hi - lo) * 0.25 || 1;
  return [lo - pad, hi + pad];
}

function errorLine(testid) {
  return h('p', { class: 'lab-error', role: 'status', dataset: { testid } });
}

/** report shows a request's failure under its picture (a model still queued retries by itself). */
function report(el) {
  return {
    onError(err) {
      el.textContent = err.retryable ? `${err.message} (trying again in a few seconds)` : `Could not ask the model: ${err.message}`;
    },
    clear() {
      el.textContent = '';
    },
  };
}

function main() {
  const boot = readLabBoot();
  const fig = document.getElementById('lab-figure');
  if (!fig || boot.sessions.length === 0) return;
  const s = boot.sessions[0];
  const m = Number(s.bottleneck) || 2;
  const two = m === 2;
  const api = s.api_url;
  const scheduler = createScheduler();

  const statuses = h('div', { class: 'lab-statuses' });
  const grid = h('div', { class: `explorer ${two ? 'explorer-2d' : 'explorer-nd'}` });
  // The replay scrubber (as on the session page, timeline.js): the map shows the keyframe, and
  // the views below run on the kept weights nearest that moment (?step=, docs/api.md).
  const tl = h('div', { class: 'timeline explorer-timeline', role: 'group', 'aria-labelledby': 'timeline-title', hidden: true, dataset: { testid: 'timeline' } },
    h('div', { class: 'timeline-head' },
      h('h2', { id: 'timeline-title', class: 'timeline-title' }, 'Replay'),
      h('p', { class: 'timeline-status', 'aria-live': 'polite', dataset: { testid: 'timeline-status' } }, 'Live')),
    h('input', { type: 'range', class: 'timeline-slider', min: 0, max: 0, step: 1, value: 0, 'aria-labelledby': 'timeline-title',
      'aria-describedby': 'timeline-help', dataset: { testid: 'timeline-slider' } }),
    h('div', { class: 'timeline-row' },
      h('button', { type: 'button', class: 'button', 'aria-pressed': 'false', dataset: { testid: 'timeline-play' } }, 'Play'),
      h('label', { class: 'timeline-speed' }, 'Speed ',
        h('select', { dataset: { testid: 'timeline-speed' } }, ...[0.5, 1, 2, 4].map((v) => h('option', { value: v, selected: v === 1 }, `${v}×`)))),
      h('button', { type: 'button', class: 'button', 'aria-pressed': 'true', dataset: { testid: 'timeline-live' } }, 'Live')),
    h('p', { id: 'timeline-help', class: 'caption' },
      'Drag the slider or use the arrow keys to see the map as it was at that step; the manifold, the decoded points, the interpolation, the sliders and the variance use the weights kept nearest that moment (every epoch’s end).'));
  fig.replaceChildren(statuses, tl, grid);
  let atStep = null; // the replay's moment, null while live
  let liveLatent = null;
  const at = (url) => withStep(url, atStep);
  const moment = (step, weights) => momentText(step, atStep, timeline.index, weights);
  statuses.scrollIntoView({ block: 'start' }); // just started: show the figure, not the form

  // The map, with the pointer modes.
  const mapP = panel(two ? 'Latent map: click or drag to decode' : 'Latent map (PCA of the codes): pick two examples', 'map', 'map-panel');
  const modes = h('div', { class: 'mode-buttons', role: 'group', 'aria-label': 'What a click on the map does' });
  const modeList = two ? [['decode', 'Decode a point'], ['a', 'Pick A'], ['b', 'Pick B']] : [['a', 'Pick A'], ['b', 'Pick B']];
  for (const [mode, text] of modeList) {
    const b = h('button', { type: 'button', class: 'button', dataset: { mode, testid: `mode-${mode}` } }, text);
    b.addEventListener('click', () => setMode(mode));
    modes.append(b);
  }
  mapP.head.append(modes);
  const canvas = h('canvas', { class: 'latent-canvas', dataset: { testid: 'latent-map' } });
  const overlay = h('canvas', { class: 'map-overlay', tabindex: 0, role: 'application', dataset: { testid: 'map-overlay' },
    'aria-label': two ? 'Latent map: click, drag or use the arrow keys to decode a point; the keys A and B pick the example nearest it'
      : 'Latent map: click near a marker to pick it, or use the arrow keys to move from example to example and Enter to pick it; the keys A and B pick it as A or B',
    'aria-describedby': 'map-cursor' });
  const cursorLine = h('p', { class: 'caption map-cursor', id: 'map-cursor', 'aria-live': 'polite', dataset: { testid: 'map-cursor' } },
    two ? 'Keyboard: arrows move the decoded point; A or B picks the example nearest it. In Pick A / Pick B: arrows move between examples, Enter picks.'
      : 'Keyboard: arrows move between examples, Enter picks; A or B picks as A or B.');
  const legend = h('ul', { class: 'legend', 'aria-label': 'classes' });
  const caption = h('p', { class: 'caption' });
  const marks = h('p', { class: 'legend map-marks' },
    two ? h('span', { class: 'item key key-point' }, 'decoded point') : null,
    h('span', { class: 'item key key-ab' }, 'A, B: the examples interpolated'));
  mapP.body.append(h('div', { class: 'map-wrap' }, canvas, overlay), cursorLine, legend, marks, caption);
  grid.append(mapP.root);

  const map = new ExplorerMap({ canvas, overlay, legend, caption, scheduler, decodable: two,
    onDecode: (z) => decodeCtl?.push(z), onPick: (which, i) => pick(which, i), onCursor: (i) => sayCursor(i) });
  const classNames = () => map.scatter.classNames;
  const className = (l) => (Number.isInteger(l) && l >= 0 ? classNames()[l] ?? `class ${l}` : 'unlabelled');
  function sayCursor(i) {
    const l = map.scatter.latent;
    if (!l) return;
    const z = formatCode([l.x[i], l.y?.[i] ?? 0]);
    cursorLine.textContent = `Example ${i} (${className(l.labels?.[i])}) at ${z}: Enter picks it as ${map.mode === 'b' ? 'B' : 'A'}; A or B picks it as A or B.`;
  }

  function setMode(mode) {
    map.setMode(mode);
    for (const b of modes.children) b.setAttribute('aria-pressed', String(b.dataset.mode === map.mode));
  }
  setMode(two ? 'decode' : 'a');

  // Decoded point and manifold (2-unit bottleneck only).
  let decodeCtl = null;
  let manifoldCtl = null;
  let point = null;
  let manifoldView = null;
  const gridSize = h('select', { 'aria-label': 'grid size', dataset: { testid: 'manifold-size' } },
    ...[8, 12, 16, 24].map((n) => h('option', { value: n, selected: n === 12 }, `${n} × ${n}`)));
  if (two) {
    const decP = panel('Decoded', 'decoded-panel', 'decoded-panel');
    const dc = h('canvas', { class: 'decoded-canvas', dataset: { testid: 'decoded' } });
    const dcap = h('p', { class: 'caption', dataset: { testid: 'decoded-caption' } }, 'Click on the map: the decoder draws that point.');
    const derr = errorLine('decoded-error');
    decP.body.append(dc, dcap, derr);
    const view = new DecodedView(dc, scheduler, 'click the map');
    const rep = report(derr);
    decodeCtl = oneInFlight((z) => requestJSON(at(`${api}/decode`), { z: [z] }), {
      onResult(body, z) {
        rep.clear();
        view.set(body);
        dcap.textContent = `z = ${formatCode(z)} · ${moment(body.step, body.weights)}`;
        manifoldView.setMark(z);
      },
      onError: rep.onError,
    });
    map.onDecode = (z) => {
      point = z;
      decodeCtl.push(z);
    };

    const manP = panel('Manifold: the decoder over a grid', 'manifold-panel', 'manifold-panel');
    manP.head.append(h('label', { class: 'inline-field' }, 'grid ', gridSize));
    const mc = h('canvas', { class: 'manifold-canvas', dataset: { testid: 'manifold' } });
    const mmoment = h('p', { class: 'manifold-moment', dataset: { testid: 'manifold-moment' } });
    const mcap = h('p', { class: 'caption', dataset: { testid: 'manifold-caption' } },
      'Each tile is the decoder’s drawing at one point of a regular grid over where the codes lie.');
    const merr = errorLine('manifold-error');
    const mhover = h('p', { class: 'manifold-hover', 'aria-live': 'polite', dataset: { testid: 'manifold-hover' } });
    manP.body.append(mmoment, mc, mhover, mcap, merr);
    manifoldView = new ManifoldView(mc, scheduler);
    installManifoldHover(manifoldView, mhover);
    // The keyboard: arrows move from tile to tile and read its code; Enter decodes it.
    const tileText = (i) => {
      const b = manifoldView.body;
      const r = Math.floor(i / b.cols);
      const c = i % b.cols;
      return `Tile in row ${r + 1}, column ${c + 1}: code z = ${formatCode(tileCode(b, r, c))}`;
    };
    new ChartKeys(mc, {
      label: 'Manifold: the decoder’s drawings over a grid of codes. Arrow keys move from tile to tile and read its code; Enter decodes it in the Decoded panel.',
      roledescription: 'grid of decoded tiles',
      count: () => (manifoldView.body ? manifoldView.body.rows * manifoldView.body.cols : 0),
      cols: () => manifoldView.body?.cols || 1,
      describe: (i) => `${tileText(i)}. Enter decodes it.`,
      onMove(i) {
        manifoldView.select(i);
        mhover.textContent = i >= 0 ? tileText(i) : '';
      },
      onActivate(i) {
        const b = manifoldView.body;
        const z = tileCode(b, Math.floor(i / b.cols), i % b.cols);
        map.setPoint(z);
        map.onDecode(z);
      },
      live: mhover,
    });
    const mrep = report(merr);
    manifoldCtl = oneInFlight((n) => requestJSON(at(`${api}/manifold?rows=${n}&cols=${n}`)), {
      onResult(body) {
        mrep.clear();
        manifoldView.set(body);
        mmoment.textContent = atStep === null ? (body.weights === 'checkpoint' ? `Manifold of the last checkpoint (step ${formatInt(body.step)}): the server training this run did not answer` : `Manifold of the latest weights (step ${formatInt(body.step)})`) : `Manifold at ${moment(body.step, body.weights)}`;
        mcap.textContent = `Each tile is the decoder’s drawing at one point of a regular ${body.rows} × ${body.cols} grid over where ${Math.round(100 * (1 - 2 * body.quantile))}% of the codes lie (model at step ${formatInt(body.step)}). The framed tile is the one nearest the decoded point.`;
      },
      onError: mrep.onError,
    });
    gridSize.addEventListener('change', () => manifoldCtl.push(Number(gridSize.value)));
    grid.append(decP.root, manP.root);
  }

  // Interpolation between A and B.
  const intP = panel('Interpolation from A to B', 'interp-panel', 'interp-panel');
  const fromIn = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', dataset: { testid: 'interp-from' } });
  const toIn = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', dataset: { testid: 'interp-to' } });
  const steps = h('select', { dataset: { testid: 'interp-steps' } }, ...[6, 8, 10, 12, 16].map((n) => h('option', { value: n, selected: n === 10 }, String(n))));
  intP.body.append(h('div', { class: 'interp-controls' },
    h('label', { class: 'inline-field' }, 'A: test example #', fromIn),
    h('label', { class: 'inline-field' }, 'B: test example #', toIn),
    h('label', { class: 'inline-field' }, 'steps ', steps)));
  const ic = h('canvas', { class: 'interp-canvas', dataset: { testid: 'interpolation' } });
  const icap = h('p', { class: 'caption', dataset: { testid: 'interp-caption' } });
  const ierr = errorLine('interp-error');
  intP.body.append(ic, icap, ierr);
  grid.append(intP.root);
  const interp = new InterpolationView(ic, scheduler, classNames);
  const irep = report(ierr);
  const interpCtl = oneInFlight((q) => requestJSON(at(`${api}/interpolate`), q), {
    onResult(body) {
      irep.clear();
      interp.set(body);
      icap.textContent = `The decoder’s drawings of ${body.codes.length} codes evenly spaced on the straight line from the code of A (#${body.from}, a ${className(body.labels[0])}) to the code of B (#${body.to}, a ${className(body.labels[1])}); ${moment(body.step, body.weights)}.`;
    },
    onError: irep.onError,
  });
  let picks = { a: -1, b: -1 };
  const interpolate = () => {
    if (picks.a >= 0 && picks.b >= 0) interpCtl.push({ from: picks.a, to: picks.b, steps: Number(steps.value) });
  };
  function pick(which, i, fromField = false) {
    picks = { ...picks, [which]: i };
    if (!fromField) (which === 'a' ? fromIn : toIn).value = String(i);
    if (!fromField && document.activeElement === overlay) cursorLine.textContent = `Example ${i} (${className(map.scatter.latent?.labels?.[i])}) picked as ${which.toUpperCase()}.`;
    map.setPicks(picks.a, picks.b);
    interpolate();
    if (which === 'a') encodeCtl.push(i);
    if (!fromField && map.mode === 'a') setMode('b');
    else if (!fromField && map.mode === 'b') setMode(two ? 'decode' : 'a');
  }
  for (const [el, which] of [[fromIn, 'a'], [toIn, 'b']]) {
    el.addEventListener('change', () => {
      const v = Number(el.value);
      if (Number.isInteger(v) && v >= 0) pick(which, v, true);
    });
  }
  steps.addEventListener('change', interpolate);

  // One slider per latent unit, around A.
  const sliP = panel('One slider per latent unit, starting at A', 'sliders-panel', 'sliders-panel');
  const reset = h('button', { type: 'button', class: 'button', dataset: { testid: 'sliders-reset' } }, 'Back to A');
  sliP.head.append(reset);
  const list = h('div', { class: 'unit-sliders', dataset: { testid: 'unit-sliders' } });
  const sc = h('canvas', { class: 'decoded-canvas', dataset: { testid: 'slider-decoded' } });
  const scap = h('p', { class: 'caption', dataset: { testid: 'slider-caption' } }, 'Pick A to start from its code.');
  const serr = errorLine('slider-error');
  sliP.body.append(h('div', { class: 'sliders-layout' }, list, h('div', { class: 'slider-out' }, sc, scap)), serr);
  grid.append(sliP.root);
  const sliderView = new DecodedView(sc, scheduler, 'waiting for A');
  const srep = report(serr);
  let stats = null;
  let code = null; // the sliders' current code
  let codeA = null;
  let touched = false; // the sliders moved since A was last encoded
  const sliderCtl = oneInFlight((z) => requestJSON(at(`${api}/decode`), { z: [z] }), {
    onResult(body, z) {
      srep.clear();
      sliderView.set(body);
      scap.textContent = `z = ${formatCode(z)} · ${moment(body.step, body.weights)}`;
    },
    onError: srep.onError,
  });
  function buildSliders(z) {
    code = z.slice();
    list.replaceChildren(...z.map((v, j) => {
      const [lo, hi] = sliderRange(stats, j, v);
      const out = h('output', {}, v.toFixed(2));
      const input = h('input', { type: 'range', min: lo, max: hi, step: (hi - lo) / 400, value: v, 'aria-label': `latent unit z${j + 1}`, dataset: { unit: j } });
      input.addEventListener('input', () => {
        touched = true;
        code[j] = Number(input.value);
        out.textContent = code[j].toFixed(2);
        sliderCtl.push(code.slice());
      });
      const dead = stats?.dead?.[j];
      return h('label', { class: `unit-slider${dead ? ' dead' : ''}` },
        h('span', { class: 'unit-name' }, `z${j + 1}`, h('span', { class: 'dead-tag', hidden: !dead }, 'dead')), input, out);
    }));
    sliderCtl.push(code.slice());
  }
  /** markDead labels the sliders of the units that the latest statistics call dead. */
  function markDead() {
    for (const row of list.children) {
      const j = Number(row.querySelector('input')?.dataset.unit);
      const dead = Boolean(stats?.dead?.[j]);
      row.classList.toggle('dead', dead);
      row.querySelector('.dead-tag').hidden = !dead;
    }
  }
  const encodeCtl = oneInFlight((i) => requestJSON(at(`${api}/encode`), { examples: [i] }), {
    onResult(body, i) {
      srep.clear();
      // A's code moves as the network learns: follow it unless the student is moving the sliders.
      const newA = i !== encodedA;
      encodedA = i;
      codeA = body.codes[0];
      if (newA || !touched) {
        touched = false;
        buildSliders(codeA);
      } else {
        sliderCtl.push(code.slice());
      }
    },
    onError: srep.onError,
  });
  let encodedA = -1;
  reset.addEventListener('click', () => {
    touched = false;
    if (codeA) buildSliders(codeA);
  });

  // Variance of each unit.
  const varP = panel('Variance of each latent unit', 'variance-panel', 'variance-panel');
  const vc = h('canvas', { class: 'variance-canvas', dataset: { testid: 'variance-bars' } });
  const vleg = h('p', { class: 'legend' },
    h('span', { class: 'item key key-bar' }, 'variance of the unit’s value over the test examples'),
    h('span', { class: 'item key key-dead' }, 'dead: below 0.1% of the largest, the unit carries nothing'));
  const vcap = h('p', { class: 'caption', dataset: { testid: 'variance-caption' } });
  const verr = errorLine('variance-error');
  varP.body.append(vc, vleg, vcap, verr);
  grid.append(varP.root);
  const variance = new VarianceView(vc, scheduler);
  const vrep = report(verr);
  const statsCtl = oneInFlight(() => requestJSON(at(`${api}/latent-stats`)), {
    onResult(body) {
      vrep.clear();
      const first = !stats;
      stats = body;
      variance.set(body);
      const dead = body.dead.filter(Boolean).length;
      vcap.textContent = `${dead === 0 ? 'No dead unit' : `${dead} of ${body.dead.length} units dead`}: variance over the first ${formatInt(body.count)} test examples, ${moment(body.step, body.weights)}.`;
      if (first && codeA) buildSliders(code ?? codeA);
      else markDead();
    },
    onError: vrep.onError,
  });

  // Follow the training; refresh the pictures every few seconds while it runs.
  let timer = 0;
  const refresh = () => {
    manifoldCtl?.push(Number(gridSize.value));
    statsCtl.push();
    if (point) decodeCtl.push(point);
    interpolate();
    if (picks.a >= 0) encodeCtl.push(picks.a);
  };
  let started = false;
  const timeline = new Timeline(tl, {
    indexURL: `${api}/keyframes`,
    formatLoss: (v) => v.toPrecision(3),
    show(frame) {
      atStep = frame.step;
      if (frame.latent) map.set(frame.latent);
      if (started) refresh();
    },
    onLive() {
      atStep = null;
      if (liveLatent) map.set(liveLatent);
      if (started) refresh();
    },
  });
  followSession(s, statuses, scheduler, {
    label: `Autoencoder 784 → 256 → ${m} → 256 → 784`,
    onMessage(msg) {
      const latent = msg.type === 'snapshot' ? msg.latent : msg.type === 'latent' ? msg : null;
      if (!latent) return;
      liveLatent = latent;
      if (!timeline.replaying) map.set(latent);
      if (!started && Array.isArray(latent.labels) && latent.labels.length > 1) {
        started = true;
        const [a, b] = defaultPair(latent.labels);
        pick('a', a, false);
        pick('b', b, false);
        setMode(two ? 'decode' : 'a');
        refresh();
      }
    },
    onState(st) {
      timeline.setEnded(isTerminal(st));
      if (isTerminal(st)) {
        clearInterval(timer);
        timer = 0;
        if (started) refresh();
      } else if (!timer) {
        timer = setInterval(() => started && refresh(), REFRESH_MS);
      }
    },
  });
  timeline.start();
}

if (typeof document !== 'undefined') main();
