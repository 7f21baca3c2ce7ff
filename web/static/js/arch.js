// Pure helpers for the home page: parse the form as typed into the config JSON that
// POST /api/sessions/check expects, and compute the network's layer sizes and parameter count.
// Unit-tested in arch.test.js.

/** The form fields that are whole numbers (parsed client-side before the check). */
const INT_FIELDS = ['bottleneck', 'batch_size', 'epochs', 'train_size', 'test_size', 'seed'];
/** The fields that are chosen from a list and sent as typed. */
const CHOICE_FIELDS = ['dataset', 'kind', 'activation', 'bottleneck_activation', 'output_activation', 'init', 'loss', 'optimizer'];
/** Fields that may be left empty: decoder (mirror of the encoder), train_size and test_size (all). */
const OPTIONAL_FIELDS = new Set(['decoder', 'train_size', 'test_size']);
/**
 * Fields with no default that a blank leaves out of the check, so that the server's message,
 * which names the field as missing and gives its range for the chosen dataset, is the one shown.
 */
const SERVER_NAMES_MISSING = new Set(['bottleneck']);
/** Decimal fields that may be left blank (then the server's default applies). */
const DECIMAL_OPTIONAL = ['beta', 'sparsity', 'weight_decay'];

export const MSG_LAYERS = 'Write whole numbers separated by commas, e.g. 512, 128.';
export const MSG_INT = 'Write a whole number, e.g. 64.';
export const MSG_NUMBER = 'Write a number, e.g. 0.001.';
export const MSG_REQUIRED = 'Required.';
export const MSG_CLASSES = 'Write class numbers separated by commas, e.g. 0, 1 (or leave it blank for every class).';
export const MSG_CONV = 'Write filters per layer separated by commas, e.g. 16, 32, or filters/kernel/stride like 16/5/1.';

/**
 * parseConv reads convolutional layers such as "16, 32" (3×3 kernels, stride 2) or "16/5/1, 32"
 * (filters/kernel/stride). Empty text is no layer. Returns {value: [{filters, kernel, stride}]} or
 * {error}; the server checks the ranges and shapes.
 */
export function parseConv(text) {
  const t = String(text ?? '').trim();
  if (t === '') return { value: [] };
  const out = [];
  for (const p of t.split(/\s*[,;]\s*|\s+/).filter((q) => q !== '')) {
    const m = /^(\d+)(?:\/(\d+)\/(\d+))?$/.exec(p);
    if (!m) return { error: MSG_CONV };
    out.push({ filters: Number(m[1]), kernel: m[2] ? Number(m[2]) : 3, stride: m[3] ? Number(m[3]) : 2 });
  }
  return { value: out };
}

/**
 * parseLayers reads a list of layer widths such as "512, 128" (commas and/or spaces).
 * Empty text is an empty list. Returns {value} or {error}.
 */
export function parseLayers(text) {
  const t = String(text ?? '').trim();
  if (t === '') return { value: [] };
  const parts = t.split(/\s*[,;]\s*|\s+/).filter((p) => p !== '');
  const out = [];
  for (const p of parts) {
    if (!/^\+?\d+$/.test(p)) return { error: MSG_LAYERS };
    out.push(Number(p));
  }
  return { value: out };
}

/** parseInteger reads a whole number such as "64" or "-1". Returns {value} or {error}. */
export function parseInteger(text) {
  const t = String(text ?? '').trim().replace(/[_\s]/g, '');
  if (t === '') return { error: MSG_REQUIRED, empty: true };
  if (!/^[+-]?\d+$/.test(t)) return { error: MSG_INT };
  const v = Number(t);
  if (!Number.isSafeInteger(v)) return { error: MSG_INT };
  return { value: v };
}

/** parseDecimal reads a number such as "0.001" or "1e-3". Returns {value} or {error}. */
export function parseDecimal(text) {
  const t = String(text ?? '').trim();
  if (t === '') return { error: MSG_REQUIRED, empty: true };
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { error: MSG_NUMBER };
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: MSG_NUMBER };
  return { value: v };
}

/**
 * buildConfig turns the form values as typed (field name → string) into the check request's
 * config object, and collects client-side parse messages (field name → message) for the fields
 * that do not parse; such fields are left out of the config. `badInput` names number inputs the
 * browser itself could not read (their value then arrives as "").
 */
export function buildConfig(values, badInput = new Set()) {
  const config = {};
  const errors = {};
  const get = (k) => String(values[k] ?? '');

  for (const k of CHOICE_FIELDS) {
    if (get(k) !== '') config[k] = get(k);
  }

  const enc = parseLayers(get('encoder'));
  if (enc.error) errors.encoder = enc.error;
  else config.encoder = enc.value;

  if (get('decoder').trim() !== '') {
    const dec = parseLayers(get('decoder'));
    if (dec.error) errors.decoder = dec.error;
    else config.decoder = dec.value;
  }

  if (get('conv').trim() !== '') {
    const conv = parseConv(get('conv'));
    if (conv.error) errors.conv = conv.error;
    else config.conv = conv.value;
  }

  if (get('train_classes').trim() !== '') {
    const tc = parseLayers(get('train_classes'));
    if (tc.error) errors.train_classes = MSG_CLASSES;
    else config.train_classes = tc.value;
  }

  for (const k of INT_FIELDS) {
    if (badInput.has(k)) {
      errors[k] = MSG_INT;
      continue;
    }
    const r = parseInteger(get(k));
    if (r.empty && (OPTIONAL_FIELDS.has(k) || SERVER_NAMES_MISSING.has(k))) continue;
    if (r.error) errors[k] = r.error;
    else config[k] = r.value;
  }

  if (badInput.has('learning_rate')) {
    errors.learning_rate = MSG_NUMBER;
  } else {
    const lr = parseDecimal(get('learning_rate'));
    if (lr.error) errors.learning_rate = lr.error;
    else config.learning_rate = lr.value;
  }

  // Optional numbers (blank: left out, the server's default): a VAE's beta and the penalties.
  // β belongs to a variational autoencoder only: for another kind its field is hidden and left out.
  for (const k of DECIMAL_OPTIONAL) {
    if (k === 'beta' && get('kind') !== 'vae') continue;
    if (badInput.has(k)) {
      errors[k] = MSG_NUMBER;
      continue;
    }
    const r = parseDecimal(get(k));
    if (r.empty) continue;
    if (r.error) errors[k] = r.error;
    else config[k] = r.value;
  }

  // Training-time noise (a denoising autoencoder): a kind other than none needs a level.
  const noise = get('noise');
  if (noise !== '' && noise !== 'none') {
    const r = badInput.has('noise_level') ? { error: MSG_NUMBER } : parseDecimal(get('noise_level'));
    if (r.error) errors.noise_level = r.empty ? 'Give the noise level, e.g. 0.3 (or choose no training noise).' : r.error;
    else config.noise = { kind: noise, level: r.value };
  }

  // Keep the order of keys stable (and equal to the documented example) for readable requests.
  const order = ['dataset', 'kind', 'conv', 'encoder', 'bottleneck', 'decoder', 'activation', 'bottleneck_activation', 'output_activation',
    'init', 'loss', 'optimizer', 'learning_rate', 'batch_size', 'epochs', 'train_size', 'test_size', 'train_classes', 'seed', 'beta', 'sparsity',
    'weight_decay', 'noise'];
  const ordered = {};
  for (const k of order) if (k in config) ordered[k] = config[k];
  return { config: ordered, errors };
}

/**
 * formErrors turns the check's messages (keyed by configuration field) into the form's: the
 * configuration's noise object is two fields on the form, and since the form offers only valid
 * kinds, what the server finds wrong with it is the level, so its message goes next to noise_level.
 */
export function formErrors(errors) {
  const out = { ...(errors && typeof errors === 'object' ? errors : {}) };
  if (typeof out.noise === 'string' && !('noise_level' in out)) {
    out.noise_level = out.noise;
    delete out.noise;
  }
  return out;
}

/**
 * layerSizes lists the widths from input to output: [K, ...encoder, M, ...decoder, K]; a missing
 * decoder mirrors the encoder. Returns null when K, the encoder or M is unknown.
 */
export function layerSizes(features, encoder, bottleneck, decoder) {
  if (!Number.isInteger(features) || !Array.isArray(encoder) || !Number.isInteger(bottleneck)) {
    return null;
  }
  const dec = Array.isArray(decoder) ? decoder : [...encoder].reverse();
  return [features, ...encoder, bottleneck, ...dec, features];
}

/** paramCount is the number of weights and biases of dense layers: Σ (in + 1) · out. */
export function paramCount(sizes) {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += (sizes[i] + 1) * sizes[i + 1];
  return n;
}

/** compressionRatio is K / M, or NaN when M is not positive. */
export function compressionRatio(features, bottleneck) {
  return bottleneck > 0 ? features / bottleneck : NaN;
}

/**
 * layerNames names each entry of sizes for the drawing: "input", "enc 1", …, "code", "dec 1", …,
 * "output", given how many encoder layers there are.
 */
export function layerNames(sizes, encoderCount) {
  return sizes.map((_, i) => {
    if (i === 0) return 'input';
    if (i === sizes.length - 1) return 'output';
    if (i <= encoderCount) return `enc ${i}`;
    if (i === encoderCount + 1) return 'code';
    return `dec ${i - encoderCount - 1}`;
  });
}
