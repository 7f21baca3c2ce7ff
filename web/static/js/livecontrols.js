// Live controls of the owner (session page): a learning-rate field, β for a variational
// autoencoder and the training noise of a denoising run, which take effect at the next step
// (POST …/set, on Enter or Apply; only the values that differ from the run's are sent) and, while
// the run is paused, a Step button that trains a number of batches (POST …/step). See
// docs/api.md. The owner key travels in the HttpOnly cookie.

import { num } from './markers.js';

/** parseRate reads a learning rate typed by a person; null (with a reason) when it is not one. */
export function parseRate(text) {
  const s = String(text ?? '').trim();
  if (s === '') return { error: 'Type a learning rate, e.g. 0.0001.' };
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) return { error: `The learning rate must be a number greater than 0, not “${s}”.` };
  return { value: v };
}

/** capital starts s with a capital letter (β stays β). */
const capital = (s) => (/^[a-z]/.test(s) ? s[0].toUpperCase() + s.slice(1) : s);

/** parsePositive reads a number greater than 0 typed for the setting called name. */
export function parsePositive(text, name, example) {
  const s = String(text ?? '').trim();
  if (s === '') return { error: `Type ${name}, e.g. ${example}.` };
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) return { error: `${capital(name)} must be a number greater than 0, not “${s}”.` };
  return { value: v };
}

/**
 * settingsBody is the body of POST …/set for the values typed, as text: {lr} and, where the run
 * has them, {beta} and {noiseKind, noiseLevel}. Only what differs from the values the run trains
 * with (current: {lr, beta, noise: {kind, level}}; null where unknown) is sent. Returns
 * {body, said} (said: what changes, in words) or {error, field} (field: 'lr', 'beta' or 'noise').
 */
export function settingsBody(typed, current = {}) {
  const body = {};
  const said = [];
  const lr = parseRate(typed.lr);
  if (lr.error) return { error: lr.error, field: 'lr' };
  if (lr.value !== current.lr) {
    body.learning_rate = lr.value;
    said.push(`learning rate ${num(lr.value)}`);
  }
  if (typed.beta !== undefined) {
    const b = parsePositive(typed.beta, 'β', '4');
    if (b.error) return { error: b.error, field: 'beta' };
    // The server's range (session.MinBeta to MaxBeta, docs/api.md): below it the KL term is lost.
    if (b.value < 1e-4 || b.value > 100) {
      return { error: `β must be from 0.0001 to 100, not “${String(typed.beta).trim()}”.`, field: 'beta' };
    }
    if (b.value !== current.beta) {
      body.beta = b.value;
      said.push(`β ${num(b.value)}`);
    }
  }
  if (typed.noiseKind !== undefined) {
    const l = parsePositive(typed.noiseLevel, 'the noise level', '0.3');
    if (l.error) return { error: l.error, field: 'noise' };
    if (typed.noiseKind !== current.noise?.kind || l.value !== current.noise?.level) {
      body.noise = { kind: typed.noiseKind, level: l.value };
      said.push(`${typed.noiseKind.replace('_', ' and ')} noise ${num(l.value)}`);
    }
  }
  if (said.length === 0) return { error: 'Nothing to change: type a new value first.', field: 'lr' };
  return { body, said };
}

/** parseBatches reads the batch count of a step: a whole number from 1 to 1000. */
export function parseBatches(text) {
  const s = String(text ?? '').trim();
  const v = Number(s);
  if (s === '' || !Number.isInteger(v) || v < 1 || v > 1000) return { error: 'Batches must be a whole number from 1 to 1000.' };
  return { value: v };
}

/** LiveControls wires the data-testid="live-controls" block. */
export class LiveControls {
  constructor(root, { apiURL }) {
    this.root = root;
    this.apiURL = apiURL;
    this.state = '';
    this.busy = false;
    this.rate = null; // the rate the run trains with, as far as this page knows
    this.setForm = root.querySelector('[data-testid="set-form"]');
    this.stepForm = root.querySelector('[data-testid="step-form"]');
    this.rateInput = root.querySelector('[data-testid="set-lr"]');
    // β (a VAE) and the training noise (a denoising run) are there only for runs that have them.
    this.betaInput = root.querySelector('[data-testid="set-beta"]');
    this.noiseSelect = root.querySelector('[data-testid="set-noise"]');
    this.levelInput = root.querySelector('[data-testid="set-noise-level"]');
    this.beta = null;
    this.noise = null; // {kind, level}
    this.batchesInput = root.querySelector('[data-testid="step-batches"]');
    this.stepHelp = root.querySelector('#step-help');
    this.status = root.querySelector('[data-testid="live-status"]');
    this.error = root.querySelector('[data-testid="live-error"]');
    this.setForm.addEventListener('submit', (e) => { e.preventDefault(); this.apply(); });
    this.stepForm.addEventListener('submit', (e) => { e.preventDefault(); this.step(); });
    // Typing marks the field as the person's: updates from the stream no longer overwrite it.
    for (const el of this.inputs()) el.addEventListener('input', () => { el.dataset.dirty = '1'; });
  }

  /** inputs are the settings' fields the page has. */
  inputs() {
    return [this.rateInput, this.betaInput, this.noiseSelect, this.levelInput].filter(Boolean);
  }

  /** setSnapshot takes the configured rate and the changes so far from a snapshot. */
  setSnapshot(m) {
    const cfg = m?.session?.config || {};
    if (Number.isFinite(cfg.learning_rate)) this.showRate(cfg.learning_rate);
    if (cfg.kind === 'vae') this.showBeta(Number.isFinite(cfg.beta) ? cfg.beta : 1);
    if (cfg.noise && typeof cfg.noise.kind === 'string' && Number.isFinite(cfg.noise.level)) this.showNoise(cfg.noise.kind, cfg.noise.level);
    this.setChanges(m?.changes);
  }

  /** setChanges follows the setting changes of the stream. */
  setChanges(list) {
    for (const c of Array.isArray(list) ? list : []) {
      if (!Number.isFinite(c?.to)) continue;
      if (c.field === 'learning_rate') this.showRate(c.to);
      else if (c.field === 'beta') this.showBeta(c.to);
      else if (c.field === 'noise') this.showNoise(c.to_kind || this.noise?.kind, c.to);
    }
  }

  /** fill writes a value the run trains with into its field, unless the person is editing it. */
  fill(input, value) {
    if (input && input.dataset.dirty !== '1' && document.activeElement !== input) input.value = value;
  }

  showRate(lr) {
    this.rate = lr;
    this.fill(this.rateInput, num(lr));
  }

  showBeta(b) {
    this.beta = b;
    this.fill(this.betaInput, num(b));
  }

  showNoise(kind, level) {
    this.noise = { kind, level };
    this.fill(this.noiseSelect, kind);
    this.fill(this.levelInput, num(level));
  }

  /** setState shows the step form only while paused and hides everything once the run ended. */
  setState(state) {
    this.state = state;
    const ended = ['completed', 'stopped', 'failed', 'interrupted'].includes(state);
    this.root.hidden = ended;
    const paused = state === 'paused';
    this.stepForm.hidden = !paused;
    if (this.stepHelp) this.stepHelp.hidden = !paused;
    this.sync();
  }

  sync() {
    for (const b of this.root.querySelectorAll('button')) b.disabled = this.busy;
  }

  async post(action, body) {
    const res = await fetch(`${this.apiURL}/${action}`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new Error(data && typeof data.error === 'string' ? data.error : `HTTP ${res.status}`);
    return data;
  }

  async run(what, f) {
    this.busy = true;
    this.sync();
    this.error.textContent = '';
    try {
      await f();
    } catch (err) {
      this.error.textContent = `Could not ${what}: ${err.message}`;
    } finally {
      this.busy = false;
      this.sync();
    }
  }

  apply() {
    const typed = { lr: this.rateInput.value };
    if (this.betaInput) typed.beta = this.betaInput.value;
    if (this.noiseSelect && this.levelInput) {
      typed.noiseKind = this.noiseSelect.value;
      typed.noiseLevel = this.levelInput.value;
    }
    const r = settingsBody(typed, { lr: this.rate, beta: this.beta, noise: this.noise });
    const fieldOf = { lr: this.rateInput, beta: this.betaInput, noise: this.levelInput };
    for (const [name, el] of Object.entries(fieldOf)) el?.setAttribute('aria-invalid', r.error && r.field === name ? 'true' : 'false');
    if (r.error) {
      this.error.textContent = r.error;
      return Promise.resolve();
    }
    const what = r.said.join(', ');
    return this.run(`change the ${Object.keys(r.body).map((k) => k.replace('_', ' ').replace('beta', 'β')).join(' and ')}`, async () => {
      await this.post('set', r.body);
      for (const el of this.inputs()) delete el.dataset.dirty;
      const when = this.state === 'paused' ? 'from the next step (Step or Resume)' : 'from the next step';
      this.status.textContent = `${capital(what)} ${r.said.length === 1 ? 'applies' : 'apply'} ${when}.`;
    });
  }

  step() {
    const b = parseBatches(this.batchesInput.value);
    this.batchesInput.setAttribute('aria-invalid', b.error ? 'true' : 'false');
    if (b.error) {
      this.error.textContent = b.error;
      return Promise.resolve();
    }
    return this.run('step', async () => {
      this.status.textContent = `Training ${b.value} batch${b.value === 1 ? '' : 'es'}…`;
      const res = await this.post('step', { batches: b.value });
      const last = res.losses?.length ? res.losses[res.losses.length - 1] : null;
      this.status.textContent = `Trained ${res.batches} batch${res.batches === 1 ? '' : 'es'}: now at step ${res.step}` +
        (last != null ? `, last batch loss ${Number(last.toPrecision(4))}.` : '.');
    });
  }
}
