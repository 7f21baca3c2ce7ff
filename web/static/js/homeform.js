// Pure helpers of the home form's state: the shape that fits a chosen dataset, the form as an
// address (/?dataset=mnist&encoder=256&…) for Back, reload and "Copy link", and the countdown of
// a refused start. Unit-tested in homeform.test.js.

/** Datasets with fewer features than this are "small" (toy sets, most CSV uploads). */
export const SMALL_K = 100;

/**
 * suggestShape returns the encoder and bottleneck that fit a dataset of `features` inputs: the
 * defaults for images; for small data one hidden layer of about 4·K units (16 to 128, a power of
 * two) and a 2-unit code (1 for 2-feature data), which the latent scatter shows as it is.
 */
export function suggestShape(features, defaults) {
  if (!Number.isInteger(features) || features < 2) return {};
  if (features >= SMALL_K) return { encoder: defaults?.encoder ?? '256', bottleneck: defaults?.bottleneck ?? '50' };
  const hidden = Math.min(128, Math.max(16, 2 ** Math.ceil(Math.log2(4 * features))));
  return { encoder: String(hidden), bottleneck: String(Math.min(2, features - 1)) };
}

/**
 * fitForm returns the fields to change (name → value) when dataset `ds` (a home-boot entry) is
 * chosen. Fields the user set (`touched`) keep their values unless they cannot work with the
 * data: a bottleneck as wide as the data narrows to 2 (or K − 1), a sigmoid output becomes
 * linear for data outside [0, 1], and binary cross-entropy becomes MSE there. The others take
 * the values that fit the data (suggestShape), or the defaults again.
 */
export function fitForm(values, ds, defaults = {}, touched = new Set()) {
  const out = {};
  if (!ds) return out;
  const k = ds.features;
  const shape = suggestShape(k, defaults);
  for (const name of ['encoder', 'bottleneck']) {
    if (!touched.has(name) && shape[name] !== undefined && values[name] !== shape[name]) out[name] = shape[name];
  }
  const m = Number(out.bottleneck ?? values.bottleneck);
  if (Number.isInteger(k) && k > 1 && String(out.bottleneck ?? values.bottleneck).trim() !== '' && Number.isInteger(m) && m >= k) {
    out.bottleneck = String(Math.min(2, k - 1));
  }
  const outside = ds.value_min < 0 || ds.value_max > 1;
  const wantOut = outside ? 'linear' : (defaults.output_activation || 'sigmoid');
  if (touched.has('output_activation')) {
    if (outside && values.output_activation === 'sigmoid') out.output_activation = 'linear';
  } else if (values.output_activation !== wantOut) {
    out.output_activation = wantOut;
  }
  if (outside && values.loss === 'bce') out.loss = 'mse';
  return out;
}

/**
 * formQuery writes the form as an address query (without "?"): every field when `all` (a link
 * that reproduces the run even if the defaults change), else the dataset and the fields that
 * differ from `defaults` (what the address bar shows).
 */
export function formQuery(values, fields, defaults = {}, all = false) {
  const q = new URLSearchParams();
  for (const name of fields) {
    const v = String(values[name] ?? '').trim();
    if (all ? v !== '' : name === 'dataset' ? v !== '' : v !== String(defaults[name] ?? '')) q.set(name, v);
  }
  return q.toString();
}

/** queryFields lists the form fields an address sets, e.g. "?encoder=64&x=1" → Set {"encoder"}. */
export function queryFields(search, fields) {
  const q = new URLSearchParams(search);
  return new Set(fields.filter((f) => q.has(f)));
}

/**
 * retryText rewrites a refused start's message for the seconds left: "… try again in 12 s" counts
 * down, and at 0 it says that Train works again.
 */
export function retryText(message, secondsLeft) {
  const base = String(message ?? '');
  if (secondsLeft > 0) {
    const s = `try again in ${secondsLeft} s`;
    return /try again in \d+ s/.test(base) ? base.replace(/try again in \d+ s/, s) : `${base} (${s}.)`;
  }
  const stem = base.replace(/;?\s*try again in \d+ s\.?/, '').replace(/[.;\s]+$/, '');
  return `${stem}. You can press Train again now.`;
}
