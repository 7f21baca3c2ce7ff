// Progress bar and its sentence, e.g.
// "Epoch 2/5 · step 1,234/4,690 · 31,200 samples/s · 1 min 12 s left".

import { formatDuration, formatInt } from './format.js';

/**
 * progressText describes training progress `p` (a progress message, or null) in state `state`
 * (queue position `queuePos` while queued). Pure; unit-tested.
 */
export function progressText(p, state, queuePos = 0) {
  if (state === 'queued') {
    return queuePos > 0 ? `Queued · number ${queuePos} in line` : 'Queued · waiting for a free trainer';
  }
  if (!p) {
    if (state === 'failed') return 'Failed before the first step';
    if (state === 'stopped') return 'Stopped before the first step';
    return 'Waiting for the first update…';
  }
  const parts = [
    `Epoch ${p.epoch}/${p.epochs}`,
    `step ${formatInt(p.step)}/${formatInt(p.total_steps)}`,
  ];
  switch (state) {
    case 'completed':
      return `Done · ${parts.join(' · ')} · ${formatDuration(p.elapsed_seconds)} of training (time computing; waiting for a CPU turn beside other runs, in the queue or paused not counted)`;
    case 'stopped':
      return `Stopped · ${parts.join(' · ')} · ${formatDuration(p.elapsed_seconds)} of training (time computing; waiting for a CPU turn beside other runs, in the queue or paused not counted)`;
    case 'failed':
      return `Failed · ${parts.join(' · ')}`;
    case 'paused':
      return `Paused · ${parts.join(' · ')}`;
    default:
      if (p.samples_per_sec > 0) parts.push(`${formatInt(p.samples_per_sec)} samples/s`);
      if (p.eta_seconds > 0) parts.push(`${formatDuration(p.eta_seconds)} left`);
      return parts.join(' · ');
  }
}

/** Progress keeps a <progress> element and its text up to date. */
export class Progress {
  constructor(bar, text, scheduler) {
    this.bar = bar;
    this.text = text;
    this.scheduler = scheduler;
    this.p = null;
    this.state = '';
    this.queuePos = 0;
  }

  /** set takes the latest progress (a progress message or the snapshot's progress, or null). */
  set(p) {
    this.p = p && typeof p === 'object' ? p : null;
    this.scheduler.request(this);
  }

  /** setState takes the session state (and queue position) the sentence depends on. */
  setState(state, queuePos = 0) {
    this.state = state;
    this.queuePos = queuePos;
    this.scheduler.request(this);
  }

  render() {
    const p = this.p;
    if (p && p.total_steps > 0) {
      this.bar.max = p.total_steps;
      this.bar.value = Math.min(p.step, p.total_steps);
    } else if (this.state === 'completed') {
      this.bar.max = 1;
      this.bar.value = 1;
    } else {
      this.bar.max = 1;
      this.bar.value = 0;
    }
    const text = progressText(p, this.state, this.queuePos);
    if (this.text.textContent !== text) this.text.textContent = text;
  }
}
