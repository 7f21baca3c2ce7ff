// Home page: as the user types, redraw the network, show K, M, K/M and the parameter count at
// once, and (debounced) ask the server to check the config, showing its messages next to the
// fields. The address follows the form (/?dataset=…&encoder=…), so Back and reload keep it and
// "Copy link" hands it on. A message the server put on the page (a refused start) stays until
// the user acts, with focus on it and, for a rate limit, a countdown. Choosing a dataset fits
// the shape fields the user has not set. The form itself is a plain POST form and works without
// this script.

import { applyPreset } from './presets.js';
import { buildConfig, formErrors, layerSizes, paramCount, compressionRatio, layerNames } from './arch.js';
import { renderArch } from './archsvg.js';
import { formatInt, formatRatio } from './format.js';
import { loadThumbs } from './thumbs.js';
import { enhanceUpload } from './upload.js';
import { fitForm, formQuery, queryFields, retryText } from './homeform.js';
import { copyButton } from './clipboard.js';
import { installFoldEscape } from './folds.js';

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

// Messages currently shown: from the client's own parsing, from the last server check, and those
// the server put on the page (a refused start), which stay until the user changes that field (or,
// for the message about the whole form, until the next press of Train).
let clientErrors = {};
let serverErrors = {};
const putErrors = {};
const defaults = boot.defaults || {};
// Fields the user set (typed, or given in the address): choosing a dataset leaves them alone.
const touched = queryFields(window.location.search, fields);
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
    const msg = clientErrors[name] ?? putErrors[name] ?? serverErrors[name] ?? '';
    if (slot.textContent !== msg) slot.textContent = msg;
    const wrap = slot.closest('.field');
    if (wrap) wrap.classList.toggle('has-error', msg !== '');
    const input = form.querySelector(`[name="${name}"]:not([type="radio"])`);
    if (input) {
      if (msg) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
  const top = putErrors[''] ?? serverErrors[''] ?? '';
  if (formError && formError.textContent !== top) formError.textContent = top;
  if (formError) formError.hidden = top === '';
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

/**
 * showKindFields shows β only for a variational autoencoder; otherwise its field is hidden and
 * disabled, so that it is neither checked nor sent (a lesson's locked β keeps its own hidden input).
 */
function showKindFields(values) {
  const wrap = form.querySelector('[data-field="beta"]');
  if (!wrap) return;
  const vae = values.kind === 'vae';
  if (wrap.hidden === vae) wrap.hidden = !vae;
  const input = wrap.querySelector('input');
  if (input && !wrap.classList.contains('locked')) input.disabled = !vae;
}

/** update recomputes everything the client can know at once, then schedules a server check. */
function update(changed) {
  const { values, badInput } = readForm();
  const { config, errors } = buildConfig(values, badInput);
  clientErrors = errors;
  showKindFields(values);
  if (changed) {
    delete serverErrors[changed]; // stale until the next check answers
    delete putErrors[changed];
  }
  showErrors();
  showAbout(values.dataset);
  showNote();
  if (changed) rememberInAddress(values);

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
    serverErrors = formErrors(body.errors);
    showErrors();
    applyServerSummary(body.summary);
    const n = new Set([...Object.keys(serverErrors), ...Object.keys(clientErrors), ...Object.keys(putErrors)].filter((k) => k !== '')).size;
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

/** showAbout describes the chosen dataset under the picker (the card's own texts, legend included). */
function showAbout(name) {
  const about = document.querySelector('[data-testid="dataset-about"]');
  const card = name && form.querySelector(`[data-testid="dataset-${CSS.escape(name)}"]`);
  if (!about || !card || about.dataset.for === name) return;
  const parts = ['.dataset-desc', '.dataset-shape', '.dataset-classes']
    .map((sel) => card.querySelector(sel))
    .filter((el) => el && el.textContent.trim() !== '')
    .map((el) => {
      const c = el.cloneNode(true);
      c.append(' ');
      return c;
    });
  if (parts.length === 0) return;
  about.replaceChildren(...parts);
  about.dataset.for = name;
}

/** showNote sums up the folded options on "More options", so that nothing hidden surprises. */
function showNote() {
  const note = form.querySelector('[data-testid="advanced-note"]');
  if (!note) return;
  const label = (name) => {
    const el = form.elements.namedItem(name);
    if (!el) return '';
    const t = el.selectedOptions?.[0]?.textContent ?? el.value;
    return String(t).replace(/ \(.*\)$/, '');
  };
  const v = (name) => form.elements.namedItem(name)?.value ?? '';
  const parts = [label('activation'), `${label('bottleneck_activation')} code`, `${label('output_activation')} output`,
    v('loss').toUpperCase(), `${label('optimizer')} ${v('learning_rate')}`.trim(), v('batch_size') && `batch ${v('batch_size')}`];
  const text = parts.filter((p) => p && p.trim() !== '').join(' · ');
  if (note.textContent !== text) note.textContent = text;
}

let addressTimer = 0;
/** rememberInAddress puts the form in the address (replacing the entry), so Back and reload keep it. */
function rememberInAddress(values) {
  clearTimeout(addressTimer);
  addressTimer = setTimeout(() => {
    const q = formQuery(values, fields, defaults);
    // The form's own address: / for the home page, its own page for a class's form.
    const url = `${form.dataset.page || '/'}${q ? `?${q}` : ''}${window.location.hash}`;
    if (window.location.pathname + window.location.search + window.location.hash !== url) {
      history.replaceState(history.state, '', url);
    }
  }, DEBOUNCE_MS);
}

/** showFirstError scrolls to the first message the server put on the page and moves focus there. */
function showFirstError() {
  const names = Object.keys(putErrors);
  if (names.length === 0) return;
  let target = null;
  if (putErrors[''] && formError) {
    target = formError;
  } else {
    for (const name of fields) {
      if (!putErrors[name]) continue;
      target = form.querySelector(`[name="${name}"]:checked`) || form.querySelector(`[name="${name}"]`);
      break;
    }
    target ||= form.querySelector('[aria-invalid="true"]');
  }
  if (!target) return;
  const fold = target.closest('details');
  if (fold) fold.open = true;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
}

/** countDown rewrites a rate-limited start's message every second until Train works again. */
function countDown() {
  const secs = Number(formError?.dataset.retryAfter);
  if (!formError || !(secs > 0) || !putErrors['']) return;
  const message = putErrors[''];
  const until = Date.now() + secs * 1000;
  const tick = () => {
    if (putErrors[''] === undefined) return;
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    putErrors[''] = retryText(message, left);
    showErrors();
    if (left > 0) setTimeout(tick, 1000);
  };
  tick();
}

if (form && arch) {
  form.addEventListener('input', (e) => {
    if (e.target?.name) touched.add(e.target.name);
    update(e.target?.name);
  });
  form.addEventListener('change', (e) => {
    const name = e.target?.name;
    if (name === 'dataset') {
      const { values } = readForm();
      for (const [k, v] of Object.entries(fitForm(values, datasets.get(values.dataset), defaults, touched))) {
        const el = form.elements.namedItem(k);
        if (el) el.value = v;
      }
    } else if (name && e.isTrusted) {
      touched.add(name);
    }
    update(name);
  });
  for (const btn of form.querySelectorAll('[data-preset]')) {
    btn.addEventListener('click', () => {
      for (const name of applyPreset(form, btn.dataset.preset)) {
        touched.add(name);
        delete serverErrors[name];
      }
      update();
    });
  }
  form.addEventListener('submit', () => {
    delete putErrors[''];
    // A start leaves the page: no pending address update may rewrite the entry while the form is sent.
    clearTimeout(addressTimer);
  });
  // Keep the messages the server rendered into the page until the user acts on them.
  for (const name of fields) {
    const slot = form.querySelector(`[data-testid="error-${name}"]`);
    if (slot && slot.textContent.trim() !== '') putErrors[name] = slot.textContent.trim();
  }
  if (formError && formError.textContent.trim() !== '') putErrors[''] = formError.textContent.trim();
  copyButton(form.querySelector('[data-testid="copy-link"]'), status,
    () => `${window.location.origin}/?${formQuery(readForm().values, fields, defaults, true)}`);
  update();
  // A page the server rendered for a refused POST: its address becomes the form's, so that reload
  // does not post again and Back comes here with the same values.
  if (window.location.pathname !== (form.dataset.page || '/')) rememberInAddress(readForm().values);
  showFirstError();
  countDown();
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

// Escape closes the advanced options (or any fold) holding the focus.
installFoldEscape();
