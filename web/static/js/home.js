// Home page: as the user types, redraw the network, show K, M, K/M and the parameter count at
// once, and (debounced) ask the server to check the config, showing its messages next to the
// fields. The form itself is a plain POST form and works without this script.

import { buildConfig, layerSizes, paramCount, compressionRatio, layerNames } from './arch.js';
import { renderArch } from './archsvg.js';
import { formatInt, formatRatio } from './format.js';
import { loadThumbs } from './thumbs.js';
import { enhanceUpload } from './upload.js';

const DEBOUNCE_MS = 250;

function readBoot() {
  const el = document.getElementById('home-boot');
  try {
    return JSON.parse(el?.textContent || '{}');
  } catch {
    return {};
  }
}

const boot = readBoot();
const form = document.querySelector('form[data-testid="config-form"]');
const fields = boot.fields || [];
const datasets = new Map((boot.datasets || []).map((d) => [d.name, d]));
const arch = document.querySelector('[data-testid="arch"]');
const out = {
  features: document.querySelector('[data-testid="features"]'),
  code: document.querySelector('[data-testid="code-size"]'),
  ratio: document.querySelector('[data-testid="ratio"]'),
  params: document.querySelector('[data-testid="params"]'),
};
const status = document.querySelector('[data-testid="check-status"]');
const formError = document.querySelector('[data-testid="form-error"]');

// Messages currently shown: from the client's own parsing, and from the last server check.
let clientErrors = {};
let serverErrors = {};
let version = 0; // bumped on every edit; an answer about an older version is ignored
let inflight = null;
let timer = 0;

/** readForm returns the form's values (field → string) and the number inputs the browser could not read. */
function readForm() {
  const values = {};
  const badInput = new Set();
  for (const name of fields) {
    const els = form.elements.namedItem(name);
    if (!els) continue;
    if (els instanceof RadioNodeList) {
      values[name] = els.value;
    } else if (els.type === 'radio') {
      values[name] = els.checked ? els.value : ''; // a lone radio is not a RadioNodeList
    } else {
      values[name] = els.value;
      if (els.validity && els.validity.badInput) badInput.add(name);
    }
  }
  return { values, badInput };
}

/** showErrors writes the merged messages into the error-<field> slots and marks the inputs. */
function showErrors() {
  for (const name of fields) {
    const slot = form.querySelector(`[data-testid="error-${name}"]`);
    if (!slot) continue;
    // A field that does not parse was left out of the check, so its own message is the useful one;
    // everywhere else the server's message wins.
    const msg = clientErrors[name] ?? serverErrors[name] ?? '';
    if (slot.textContent !== msg) slot.textContent = msg;
    const wrap = slot.closest('.field');
    if (wrap) wrap.classList.toggle('has-error', msg !== '');
    const input = form.querySelector(`[name="${name}"]:not([type="radio"])`);
    if (input) {
      if (msg) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
  const top = serverErrors[''] ?? '';
  if (formError) {
    formError.textContent = top;
    formError.hidden = top === '';
  }
}

/** showSummary draws the network and writes K, M, K/M and the parameter count. */
function showSummary(sizes, names, message) {
  renderArch(arch, sizes, names, message);
  if (!sizes) {
    for (const o of Object.values(out)) o.textContent = '–';
    return;
  }
  const k = sizes[0];
  const code = sizes[names.indexOf('code')];
  out.features.textContent = formatInt(k);
  out.code.textContent = formatInt(code);
  out.ratio.textContent = formatRatio(compressionRatio(k, code));
  out.params.textContent = formatInt(paramCount(sizes));
}

/** update recomputes everything the client can know at once, then schedules a server check. */
function update(changed) {
  const { values, badInput } = readForm();
  const { config, errors } = buildConfig(values, badInput);
  clientErrors = errors;
  if (changed) delete serverErrors[changed]; // stale until the next check answers
  showErrors();

  const ds = datasets.get(config.dataset);
  const sizes = layerSizes(ds?.features, config.encoder, config.bottleneck, config.decoder);
  const names = sizes ? layerNames(sizes, config.encoder.length) : null;
  let message = '';
  if (!ds) message = 'Pick a dataset to see the network.';
  showSummary(sizes, names, message);

  const v = ++version;
  clearTimeout(timer);
  timer = setTimeout(() => check(config, v), DEBOUNCE_MS);
}

/** check asks the server to validate config (the form at edit `v`); only the newest answer is shown. */
async function check(config, v) {
  if (inflight) inflight.abort();
  inflight = new AbortController();
  status.textContent = 'Checking…';
  try {
    const res = await fetch(boot.check_url || '/api/sessions/check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(config),
      signal: inflight.signal,
    });
    const body = await res.json().catch(() => ({}));
    if (v !== version) return;
    if (!res.ok) {
      serverErrors = body.error ? { '': body.error } : {};
      status.textContent = `The server could not check the settings (HTTP ${res.status}).`;
      showErrors();
      return;
    }
    serverErrors = body.errors && typeof body.errors === 'object' ? body.errors : {};
    showErrors();
    applyServerSummary(body.summary);
    const n = new Set([...Object.keys(serverErrors), ...Object.keys(clientErrors)]).size;
    status.textContent = n === 0 ? '✓ Ready to train.' : `${n} field${n === 1 ? '' : 's'} to fix.`;
  } catch (err) {
    if (err.name === 'AbortError' || v !== version) return;
    status.textContent = 'Could not reach the server to check; it will check again when you press Train.';
  }
}

/** applyServerSummary shows the server's own figures when it sent them (they are authoritative). */
function applyServerSummary(s) {
  if (!s || !Array.isArray(s.sizes) || s.sizes.length < 3) return;
  if (!s.sizes.every((v) => Number.isInteger(v))) return;
  const { values } = readForm();
  const { config } = buildConfig(values);
  const encCount = Array.isArray(config.encoder) ? config.encoder.length : (s.sizes.length - 3) / 2;
  const names = layerNames(s.sizes, Math.max(0, Math.min(encCount, s.sizes.length - 3)));
  renderArch(arch, s.sizes, names);
  const k = Number.isInteger(s.features) ? s.features : s.sizes[0];
  const m = Number.isInteger(s.bottleneck) ? s.bottleneck : s.sizes[names.indexOf('code')];
  out.features.textContent = formatInt(k);
  out.code.textContent = formatInt(m);
  out.ratio.textContent = formatRatio(typeof s.ratio === 'number' ? s.ratio : compressionRatio(k, m));
  out.params.textContent = formatInt(typeof s.params === 'number' ? s.params : paramCount(s.sizes));
}

if (form && arch) {
  form.addEventListener('input', (e) => update(e.target?.name));
  form.addEventListener('change', (e) => update(e.target?.name));
  // Keep the messages the server rendered into the page until the first check answers.
  for (const name of fields) {
    const slot = form.querySelector(`[data-testid="error-${name}"]`);
    if (slot && slot.textContent.trim() !== '') serverErrors[name] = slot.textContent.trim();
  }
  if (formError && formError.textContent.trim() !== '') serverErrors[''] = formError.textContent.trim();
  update();
  // Enter in the sweep's widths field starts the sweep, not a single training (the form's default
  // button is Train).
  const sweepBtn = form.querySelector('[data-testid="compare-button"]');
  const widths = form.querySelector('[name="bottlenecks"]');
  if (widths && sweepBtn) {
    widths.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      form.requestSubmit(sweepBtn);
    });
    // Some input paths deliver Enter's keypress even after keydown was cancelled.
    widths.addEventListener('keypress', (e) => {
      if (e.key === 'Enter') e.preventDefault();
    });
  }
}

// Dataset thumbnails, and the CSV upload form sent without leaving the page.
loadThumbs(document, datasets);
enhanceUpload(document.querySelector('form[data-testid="upload-form"]'), form, datasets);
