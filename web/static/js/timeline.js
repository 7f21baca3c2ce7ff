// Replay scrubber (timeline.templ): the run's keyframes (GET {api}/keyframes, docs/api.md) on a
// range input under the loss chart. Moving it (drag, arrow keys, Home/End) shows that moment
// through `show(frame)`; Play steps through the keyframes at the chosen speed; Live calls
// `onLive()` to go back to the live stream. Frames are fetched once and kept (a run has at most
// 40).

/** FRAME_MS is how long Play shows each keyframe at 1×. */
export const FRAME_MS = 800;

/** How often the index is fetched again while the run goes on. */
const REFRESH_MS = 4000;

/** describe is the status line of keyframe k (an index entry) of n, for eyes and screen readers. */
export function describe(k, i, n, fmt = (v) => String(v)) {
  if (!k) return 'Live';
  const parts = [`Step ${k.step.toLocaleString('en')}`, `epoch ${Number(k.epoch).toFixed(2)}`];
  if (typeof k.train_loss === 'number') parts.push(`train loss ${fmt(k.train_loss)}`);
  if (typeof k.test_loss === 'number') parts.push(`test loss ${fmt(k.test_loss)}`);
  return `${parts.join(' · ')} (keyframe ${i + 1} of ${n})`;
}

/** Timeline drives the scrubber in `root` (the data-testid="timeline" element). */
export class Timeline {
  constructor(root, { indexURL, show, onLive, formatLoss, fetchImpl } = {}) {
    this.root = root;
    this.indexURL = indexURL;
    this.show = show;
    this.onLive = onLive;
    this.fmt = formatLoss || ((v) => String(v));
    this.fetch = fetchImpl || ((u) => fetch(u, { credentials: 'same-origin' }));
    const q = (id) => root.querySelector(`[data-testid="${id}"]`);
    this.slider = q('timeline-slider');
    this.playBtn = q('timeline-play');
    this.speed = q('timeline-speed');
    this.liveBtn = q('timeline-live');
    this.status = q('timeline-status');
    this.index = [];
    this.pos = -1; // -1: live
    this.frames = new Map(); // step → Promise of the frame
    this.timer = null;
    this.refresher = null;
    this.ended = false;
    this.shown = -1;

    this.slider.addEventListener('input', () => {
      this.stop();
      this.seek(Number(this.slider.value));
    });
    this.playBtn.addEventListener('click', () => (this.timer ? this.stop() : this.play()));
    this.liveBtn.addEventListener('click', () => this.live());
  }

  /** replaying reports whether the page shows a keyframe rather than the live stream. */
  get replaying() {
    return this.pos >= 0;
  }

  /** start loads the index and, while the run goes on, keeps it fresh. */
  start() {
    this.refresh();
    if (!this.ended) this.refresher = setInterval(() => this.refresh(), REFRESH_MS);
  }

  /** setEnded is told when the run has ended: one last index, and no more refreshing. */
  setEnded(ended) {
    if (ended === this.ended) return;
    this.ended = ended;
    this.liveBtn.textContent = ended ? 'End' : 'Live';
    if (ended) {
      clearInterval(this.refresher);
      this.refresher = null;
      this.refresh();
    }
    if (!this.replaying) this.status.textContent = this.liveText();
  }

  liveText() {
    return this.ended ? 'Showing the end of the run' : 'Live';
  }

  async refresh() {
    let body;
    try {
      const res = await this.fetch(this.indexURL);
      if (!res.ok) return;
      body = await res.json();
    } catch {
      return; // the next refresh tries again
    }
    const idx = Array.isArray(body?.keyframes) ? body.keyframes.filter((k) => Number.isInteger(k?.step)) : [];
    this.index = idx;
    this.root.hidden = idx.length < 2;
    this.slider.max = String(Math.max(0, idx.length - 1));
    this.slider.setAttribute('aria-valuemax', String(Math.max(0, idx.length - 1)));
    if (!this.replaying) this.slider.value = this.slider.max;
    this.label();
  }

  /** label sets the slider's spoken value and the status line. */
  label() {
    const i = this.replaying ? this.pos : -1;
    const text = i >= 0 ? describe(this.index[i], i, this.index.length, this.fmt) : this.liveText();
    this.slider.setAttribute('aria-valuetext', text);
    this.status.textContent = text;
    this.liveBtn.setAttribute('aria-pressed', String(i < 0));
  }

  frame(step) {
    let p = this.frames.get(step);
    if (!p) {
      p = this.fetch(`${this.indexURL}/${step}`).then((res) => {
        if (!res.ok) throw new Error(`keyframe ${step}: ${res.status}`);
        return res.json();
      });
      p.catch(() => this.frames.delete(step)); // try again next time
      this.frames.set(step, p);
    }
    return p;
  }

  /** seek shows keyframe i (clamped); it resolves once shown. */
  async seek(i) {
    if (this.index.length === 0) return;
    i = Math.max(0, Math.min(this.index.length - 1, i | 0));
    this.pos = i;
    this.slider.value = String(i);
    this.label();
    const k = this.index[i];
    let f;
    try {
      f = await this.frame(k.step);
    } catch {
      this.status.textContent = `Could not load the keyframe at step ${k.step}; try again`;
      return;
    }
    if (this.pos !== i) return; // moved on meanwhile
    this.shown = i;
    this.show(f);
    const next = this.index[i + 1];
    if (next) this.frame(next.step).catch(() => {});
  }

  /** live goes back to the live stream (the end of an ended run). */
  live() {
    this.stop();
    this.pos = -1;
    this.shown = -1;
    this.slider.value = this.slider.max;
    this.label();
    this.onLive();
  }

  /** play steps through the keyframes from the current one (from the start when at the end). */
  play() {
    if (this.index.length < 2) return;
    let i = this.pos;
    if (i < 0 || i >= this.index.length - 1) i = 0;
    this.playBtn.textContent = 'Pause';
    this.playBtn.setAttribute('aria-pressed', 'true');
    const tick = async () => {
      await this.seek(i);
      if (!this.timer) return;
      if (i >= this.index.length - 1) {
        this.stop();
        return;
      }
      i++;
      this.timer = setTimeout(tick, FRAME_MS / (Number(this.speed.value) || 1));
    };
    this.timer = setTimeout(tick, 0);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.playBtn.textContent = 'Play';
    this.playBtn.setAttribute('aria-pressed', 'false');
  }
}
