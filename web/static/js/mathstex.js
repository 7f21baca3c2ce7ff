// The Maths panel's formulas: a session's model written as TeX with the run's numbers plugged in.
// Pure functions (no DOM), unit-tested in mathstex.test.js; maths.js typesets their output with
// the vendored KaTeX.
//
// The numbers come from the session object of the live snapshot (docs/api.md: `config` with the
// defaults filled in, `summary` with the layer widths and the parameter count) and from the loss
// points (docs/protocol.md), so the panel says exactly what the server trains.

import { formatInt, formatLoss } from './format.js';

/** ACT maps an activation's configuration name to its TeX (linear has none: the identity). */
const ACT = {
  relu: '\\operatorname{ReLU}',
  leaky_relu: '\\operatorname{LeakyReLU}',
  elu: '\\operatorname{ELU}',
  tanh: '\\tanh',
  sigmoid: '\\sigma',
  linear: '',
};

/** texNum writes a number for TeX: thousands separators that KaTeX keeps tight, exponents as powers of ten. */
export function texNum(x, { int = false } = {}) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '\\text{–}';
  if (int) return formatInt(x).replace(/,/g, '{,}');
  const s = formatLoss(x);
  const m = /^(-?[\d.]+)e(-?\d+)$/.exec(s);
  return m ? `${m[1]}\\times 10^{${m[2]}}` : s;
}

/** texAct wraps an argument in an activation: act('relu', 'Wx+b') → \operatorname{ReLU}(Wx+b). */
function texAct(name, arg) {
  const f = ACT[name];
  if (f === undefined) return `\\operatorname{${String(name).replace(/[^a-z_]/gi, '').replace(/_/g, '\\_')}}(${arg})`;
  return f ? `${f}\\left(${arg}\\right)` : arg;
}

/**
 * model reads what the formulas need from a session object (GET /api/sessions/{id} or the
 * snapshot's `session`): input width K, code width M, the dense layers with their shapes,
 * activations and parameter counts, the loss and the optimizer. Returns null when the session
 * carries no summary.
 */
export function model(session) {
  const cfg = session?.config || {};
  const sum = session?.summary;
  if (!sum || !Array.isArray(sum.sizes) || sum.sizes.length < 3) return null;
  const conv = Array.isArray(sum.conv) && sum.conv.length ? sum.conv : null;
  const sizes = sum.sizes.slice();
  if (conv) {
    // The dense layers read the last convolution's output flattened: a square one-channel image
    // (the image datasets) shrinks to ⌈side/stride⌉ per layer with "same" padding.
    let side = Math.round(Math.sqrt(sum.features));
    if (side * side === sum.features) {
      for (const c of conv) side = Math.ceil(side / c.stride);
      sizes[0] = sizes[sizes.length - 1] = conv[conv.length - 1].filters * side * side;
    }
  }
  const vae = cfg.kind === 'vae';
  const nEnc = Array.isArray(cfg.encoder) ? cfg.encoder.length : sizes.indexOf(sum.bottleneck) - 1;
  const codeAt = nEnc; // index of the layer that writes the code
  const hidden = cfg.activation || 'relu';
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const n = sizes[i];
    let out = sizes[i + 1];
    let act = hidden;
    if (i === codeAt) {
      act = vae ? 'linear' : cfg.bottleneck_activation || hidden;
      if (vae) out = 2 * out; // μ and log σ², one of each per code unit
    } else if (i === sizes.length - 2) {
      act = conv ? hidden : cfg.output_activation || 'sigmoid'; // with convolutions the last transposed one has the output activation
    }
    layers.push({ in: n, out, act, params: (n + 1) * out, code: i === codeAt, decoder: i > codeAt });
  }
  const dense = layers.reduce((s, l) => s + l.params, 0);
  return {
    K: sum.features,
    M: sum.bottleneck,
    ratio: sum.ratio || sum.features / sum.bottleneck,
    layers,
    conv,
    params: sum.params,
    dense,
    vae,
    beta: vae ? (typeof cfg.beta === 'number' ? cfg.beta : 1) : null,
    loss: cfg.loss || 'mse',
    optimizer: cfg.optimizer || 'adam',
    lr: cfg.learning_rate,
    batch: cfg.batch_size,
    sparsity: cfg.sparsity || 0,
    weightDecay: cfg.weight_decay || 0,
    denoising: !!(cfg.noise && cfg.noise.kind && cfg.noise.kind !== 'none'),
  };
}

/** inputTex: x ∈ ℝᴷ with K plugged in. */
export function inputTex(m) {
  return `x \\in \\mathbb{R}^{K},\\quad K = ${texNum(m.K, { int: true })}`;
}

/** bottleneckTex: the code's width and the compression K/M. */
export function bottleneckTex(m) {
  const r = Number.isInteger(m.ratio) ? String(m.ratio) : m.ratio.toFixed(2);
  return `z \\in \\mathbb{R}^{M},\\quad M = ${texNum(m.M, { int: true })},\\quad \\frac{K}{M} = \\frac{${texNum(m.K, { int: true })}}{${texNum(m.M, { int: true })}} = ${r}`;
}

/**
 * layerTex returns one line per dense layer: z = f(Wx + b) with the names of what it reads and
 * writes and the shapes of W and b. For a VAE the code layer writes [μ; log σ²] and a sample
 * z = μ + σ ⊙ ε follows.
 */
export function layerTex(m) {
  const rows = [];
  const n = m.layers.length;
  const first = m.conv ? 'c' : 'x';
  let prev = first;
  let h = 0;
  m.layers.forEach((l, i) => {
    const j = i + 1;
    let name;
    if (i === n - 1) name = '\\hat{x}';
    else if (l.code) name = m.vae ? '\\begin{bmatrix}\\mu\\\\ \\log\\sigma^{2}\\end{bmatrix}' : 'z';
    else name = `h_{${++h}}`;
    const arg = `W_{${j}}${prev} + b_{${j}}`;
    if (i === n - 1 && m.conv) name = "c'";
    const shape = `W_{${j}} \\in \\mathbb{R}^{${l.out}\\times ${l.in}},\\ b_{${j}} \\in \\mathbb{R}^{${l.out}}`;
    rows.push({ part: l.code ? 'code' : l.decoder ? 'decoder' : 'encoder', tex: `${name} = ${texAct(l.act, arg)} \\qquad ${shape}` });
    if (l.code && m.vae) {
      rows.push({ part: 'code', tex: `z = \\mu + \\sigma \\odot \\varepsilon,\\quad \\varepsilon \\sim \\mathcal{N}(0, I_{${m.M}})` });
    }
    prev = l.code ? 'z' : i === n - 1 ? '' : `h_{${h}}`;
  });
  return rows;
}

/** convTex describes the convolutions before (and mirrored after) the dense layers: two lines, or none. */
export function convTex(m) {
  if (!m.conv) return [];
  const parts = m.conv.map((c, i) => `\\operatorname{conv}_{${i + 1}}\\!:\\ ${c.filters}\\ \\text{filters}\\ ${c.kernel}\\times ${c.kernel},\\ \\text{stride}\\ ${c.stride}`);
  const L = m.conv.length;
  const enc = L > 1 ? `\\operatorname{conv}_{${L}} \\circ \\dots \\circ \\operatorname{conv}_{1}` : '\\operatorname{conv}_{1}';
  const dec = L > 1 ? `\\operatorname{conv}^{\\top}_{1} \\circ \\dots \\circ \\operatorname{conv}^{\\top}_{${L}}` : '\\operatorname{conv}^{\\top}_{1}';
  return [
    `c = \\operatorname{flatten}\\big(${enc}(x)\\big) \\in \\mathbb{R}^{${m.layers[0].in}},\\quad ${parts.join(';\\ ')}`,
    `\\hat{x} = ${dec}(c'),\\quad \\text{transposed convolutions back to the image}`,
  ];
}

/** paramsTex: the parameter count as the sum of the layers' counts (n_in + 1)·n_out. */
export function paramsTex(m) {
  const terms = m.layers.map((l) => `(${l.in}+1)\\cdot ${l.out}`);
  const values = m.layers.map((l) => texNum(l.params, { int: true }));
  let tex = `P = \\sum_{\\ell} (n_{\\ell-1} + 1)\\, n_{\\ell} = ${terms.join(' + ')}`;
  if (m.layers.length > 1) tex += ` = ${values.join(' + ')}`;
  if (m.conv) {
    const convP = m.params - m.dense;
    tex += ` \\;+\\; \\underbrace{${texNum(convP, { int: true })}}_{\\text{convolutions}}`;
  }
  return `${tex} = ${texNum(m.params, { int: true })}`;
}

/** perElement is the reconstruction loss of one element as TeX, by loss name. */
function perElement(loss) {
  switch (loss) {
    case 'bce':
      return { sym: '-\\big[x_k \\log \\hat{x}_k + (1 - x_k)\\log(1 - \\hat{x}_k)\\big]', name: 'binary cross-entropy' };
    case 'l1':
      return { sym: '\\lvert \\hat{x}_k - x_k \\rvert', name: 'mean absolute error' };
    default:
      return { sym: '(\\hat{x}_k - x_k)^{2}', name: 'mean squared error' };
  }
}

/**
 * lossTex returns the loss's definition and, for the given points (the latest test and training
 * loss points, either may be null), its current value and parts.
 */
export function lossTex(m, test, train) {
  const e = perElement(m.loss);
  const rows = [];
  const target = m.denoising ? 'x_k \\text{ the clean original, } \\hat{x} = g(f(\\tilde{x}))' : '';
  if (m.vae) {
    rows.push({ tex: `\\mathcal{L} = \\underbrace{\\sum_{k=1}^{K} ${e.sym}}_{\\text{reconstruction}} + \\beta\\, \\underbrace{\\tfrac12 \\sum_{j=1}^{M} \\big(\\mu_j^{2} + \\sigma_j^{2} - \\log\\sigma_j^{2} - 1\\big)}_{\\mathrm{KL}(q(z\\mid x)\\,\\Vert\\,\\mathcal{N}(0, I))},\\quad \\beta = ${texNum(m.beta)}` });
  } else {
    rows.push({ tex: `\\mathcal{L} = \\frac{1}{K} \\sum_{k=1}^{K} ${e.sym}${target ? `,\\quad ${target}` : ''}` });
  }
  const extra = [];
  if (m.sparsity > 0) extra.push(`\\lambda_{1}\\,\\overline{\\lvert z \\rvert},\\ \\lambda_{1} = ${texNum(m.sparsity)}`);
  if (m.weightDecay > 0) extra.push(`\\tfrac{\\lambda}{2} \\sum W^{2},\\ \\lambda = ${texNum(m.weightDecay)}`);
  if (extra.length) rows.push({ tex: `\\text{training adds}\\quad ${extra.join(' \\;+\\; ')}` });
  if (test && Number.isFinite(test.loss)) {
    const at = `\\text{(test, epoch ${formatEpoch(test.epoch)})}`;
    if (m.vae && Number.isFinite(test.reconstruction) && Number.isFinite(test.kl)) {
      rows.push({ value: true, tex: `-\\mathrm{ELBO} = ${texNum(test.reconstruction)} + ${texNum(test.kl)} = ${texNum(test.loss)}\\quad ${at}` });
      const obj = test.reconstruction + m.beta * test.kl;
      if (m.beta !== 1) rows.push({ value: true, tex: `\\text{trained on: } ${texNum(test.reconstruction)} + ${texNum(m.beta)} \\cdot ${texNum(test.kl)} = ${texNum(obj)}` });
    } else {
      rows.push({ value: true, tex: `\\mathcal{L}_{\\text{test}} = ${texNum(test.loss)}\\quad ${at}` });
    }
  }
  if (train && Number.isFinite(train.loss)) {
    const parts = [];
    if (Number.isFinite(train.sparsity)) parts.push(`\\text{sparsity } ${texNum(train.sparsity)}`);
    if (Number.isFinite(train.weight_decay)) parts.push(`\\text{weight decay } ${texNum(train.weight_decay)}`);
    rows.push({ value: true, tex: `\\mathcal{L}_{\\text{train}} = ${texNum(train.loss)}${parts.length ? `\\quad (+\\ ${parts.join(',\\ ')})` : ''}\\quad \\text{(step ${formatInt(train.step)})}` });
  }
  return { name: m.vae ? `negative ELBO (${e.name} summed over the features, plus β·KL)` : e.name, rows };
}

/** formatEpoch writes a fractional epoch briefly: 3 → "3", 2.5 → "2.5". */
function formatEpoch(x) {
  return Number.isFinite(x) ? String(Number(x.toFixed(2))) : '–';
}

/**
 * optimizerTex returns the update rule of the configured optimizer with the current learning rate
 * η (lr, which may differ from the configured one once changed) and step t.
 */
export function optimizerTex(m, lr, step) {
  const eta = `\\eta = ${texNum(lr)}`;
  const g = `g = \\frac{1}{B}\\sum_{i=1}^{B} \\nabla_{\\theta}\\, \\mathcal{L}(x_i),\\quad B = ${texNum(m.batch, { int: true })}`;
  const t = Number.isFinite(step) && step > 0 ? `,\\quad t = ${texNum(step, { int: true })}` : '';
  const rows = [{ tex: g }];
  switch (m.optimizer) {
    case 'sgd':
      rows.push({ tex: `\\theta \\leftarrow \\theta - \\eta\\, g,\\quad ${eta}${t}` });
      break;
    case 'momentum':
      rows.push({ tex: `v \\leftarrow 0.9\\, v + g,\\quad \\theta \\leftarrow \\theta - \\eta\\, v,\\quad ${eta}${t}` });
      break;
    default:
      rows.push({ tex: `m \\leftarrow 0.9\\, m + 0.1\\, g,\\quad v \\leftarrow 0.999\\, v + 0.001\\, g^{2}` });
      rows.push({ tex: `\\theta \\leftarrow \\theta - \\eta\\, \\frac{m / (1 - 0.9^{t})}{\\sqrt{v / (1 - 0.999^{t})} + 10^{-8}},\\quad ${eta}${t}` });
  }
  if (m.weightDecay > 0) {
    rows.push({ tex: m.optimizer === 'adam' ? `\\text{then } W \\leftarrow (1 - \\eta\\lambda)\\, W \\quad \\text{(decoupled weight decay)}` : `g \\leftarrow g + \\lambda W \\quad \\text{(weight decay)}` });
  }
  const name = { sgd: 'stochastic gradient descent', momentum: 'SGD with momentum', adam: 'Adam' }[m.optimizer] || m.optimizer;
  return { name, rows };
}

/** summaryText is the plain-language line under the formulas (also read by screen readers). */
export function summaryText(m, test, train) {
  const parts = [];
  if (test && Number.isFinite(test.loss)) parts.push(`test loss ${formatLoss(test.loss)} at epoch ${formatEpoch(test.epoch)}`);
  if (train && Number.isFinite(train.loss)) parts.push(`training loss ${formatLoss(train.loss)} at step ${formatInt(train.step)}`);
  const head = `K = ${formatInt(m.K)} inputs, M = ${formatInt(m.M)} code units, ${formatInt(m.params)} parameters`;
  return parts.length ? `${head}; ${parts.join(', ')}.` : `${head}; no loss measured yet.`;
}
