// Owner controls: Pause, Resume and Stop buttons that POST to the session's API, enabled according
// to the state, and Delete, which asks first, DELETEs the session and goes back to the home page.
// Resume also carries an interrupted run on from its checkpoint: a new live stream, so the page
// reloads. The browser's owner key travels in its HttpOnly cookie, which scripts cannot read.

/** allowedActions says which controls make sense in a state (same rules as the server page). */
export function allowedActions(state) {
  return {
    pause: state === 'running',
    resume: state === 'paused' || state === 'interrupted',
    stop: state === 'queued' || state === 'running' || state === 'paused',
  };
}

/** Controls wires the owner buttons inside `root` (data-testid="owner-controls"). */
export class Controls {
  constructor(root, { id, apiURL, onSession = () => {} }) {
    this.root = root;
    this.id = id;
    this.apiURL = apiURL;
    this.onSession = onSession;
    this.state = '';
    this.busy = false;
    this.errorEl = root.querySelector('[data-testid="control-error"]');
    this.buttons = [...root.querySelectorAll('button[data-action]')];
    for (const b of this.buttons) b.addEventListener('click', () => this.act(b.dataset.action));
    this.deleteButton = root.querySelector('button[data-delete]');
    this.deleteButton?.addEventListener('click', () => this.remove());
  }

  /** remove deletes the session after a confirmation, then goes to the home page. */
  async remove() {
    if (!window.confirm(this.deleteButton.dataset.confirm)) return;
    this.busy = true;
    this.sync();
    this.errorEl.textContent = '';
    try {
      const res = await fetch(this.apiURL, { method: 'DELETE', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok) {
        window.location.assign('/');
        return;
      }
      const body = await res.json().catch(() => null);
      const why = body && typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
      this.errorEl.textContent = `Could not delete: ${why}`;
    } catch (err) {
      this.errorEl.textContent = `Could not delete: the server did not answer (${err.message}).`;
    }
    this.busy = false;
    this.sync();
  }

  /** setState enables the buttons that make sense in `state`. */
  setState(state) {
    this.state = state;
    this.sync();
  }

  sync() {
    const ok = allowedActions(this.state);
    for (const b of this.buttons) b.disabled = this.busy || !ok[b.dataset.action];
    // After the run ends nothing can be paused, resumed or stopped: the buttons go away (a
    // message from the last click stays readable).
    const ended = ['completed', 'stopped', 'failed'].includes(this.state);
    for (const b of this.buttons) {
      b.hidden = ended || (this.state === 'interrupted' && b.dataset.action !== 'resume');
    }
    if (this.deleteButton) this.deleteButton.disabled = this.busy;
  }

  async act(action) {
    const wasInterrupted = this.state === 'interrupted';
    this.busy = true;
    this.sync();
    this.errorEl.textContent = '';
    try {
      const headers = { Accept: 'application/json' };
      const res = await fetch(`${this.apiURL}/${action}`, { method: 'POST', headers, credentials: 'same-origin' });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        const why = body && typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
        this.errorEl.textContent = `Could not ${action}: ${why}`;
      } else if (action === 'resume' && wasInterrupted) {
        window.location.reload(); // the resumed run streams anew
        return;
      } else if (body && typeof body.state === 'string') {
        this.onSession(body);
      }
    } catch (err) {
      this.errorEl.textContent = `Could not ${action}: the server did not answer (${err.message}).`;
    } finally {
      this.busy = false;
      this.sync();
    }
  }
}
