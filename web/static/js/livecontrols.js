// Live controls of the owner (session page): a learning-rate field that takes effect at the next
// step (POST …/set, on Enter or Apply) and, while the run is paused, a Step button that trains a
// number of batches (POST …/step). See docs/api.md. The owner key travels in the HttpOnly cookie.

import { num } from './markers.js';

/** parseRate reads a learning rate typed by a person; null (with a reason) when it is not one. */
export function parseRate(text) {
  const s = String(text ?? '').trim();
  if (s === '') return { error: 'Type a learning rate, e.g. 0.0001.' };
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) return { error: `The learning rate must be a number greater than 0, not “${s}”.` };
  return { value: v };
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
    this.batchesInput = root.querySelector('[data-testid="step-batches"]');
    this.stepHelp = root.querySelector('#step-help');
    this.status = root.querySelector('[data-testid="live-status"]');
    this.error = root.querySelector('[data-testid="live-error"]');
    this.setForm.addEventListener('submit', (e) => { e.preventDefault(); this.apply(); });
    this.stepForm.addEventListener('submit', (e) => { e.preventDefault(); this.step(); });
    // Typing marks the field as the person's: updates from the stream no longer overwrite it.
    this.rateInput.addEventListener('input', () => { this.rateInput.dataset.dirty = '1'; });
  }

  /** setSnapshot takes the configured rate and the changes so far from a snapshot. */
  setSnapshot(m) {
    const lr = m?.session?.config?.learning_rate;
    if (Number.isFinite(lr)) this.showRate(lr);
    this.setChanges(m?.changes);
  }

  /** setChanges follows learning-rate changes of the stream. */
  setChanges(list) {
    for (const c of Array.isArray(list) ? list : []) {
      if (c?.field === 'learning_rate' && Number.isFinite(c.to)) this.showRate(c.to);
    }
  }

  showRate(lr) {
    this.rate = lr;
    if (this.rateInput.dataset.dirty !== '1' && document.activeElement !== this.rateInput) this.rateInput.value = num(lr);
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
    const r = parseRate(this.rateInput.value);
    this.rateInput.setAttribute('aria-invalid', r.error ? 'true' : 'false');
    if (r.error) {
      this.error.textContent = r.error;
      return Promise.resolve();
    }
    return this.run('change the learning rate', async () => {
      await this.post('set', { learning_rate: r.value });
      delete this.rateInput.dataset.dirty;
      const when = this.state === 'paused' ? 'from the next step (Step or Resume)' : 'from the next step';
      this.status.textContent = `Learning rate ${num(r.value)} applies ${when}.`;
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
