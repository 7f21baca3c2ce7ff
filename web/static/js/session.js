// Session page: connect to the live WebSocket (docs/protocol.md) and keep the state badge,
// progress, loss chart, latent scatter and reconstructions up to date. Each view redraws at most
// once per animation frame however many messages arrive.

import { connectLive, wsURL, resumesLater } from './ws.js';
import { createScheduler } from './frame.js';
import { Progress } from './progress.js';
import { LossChart } from './losschart.js';
import { GeneratedView } from './generated.js';
import { Scatter } from './scatter.js';
import { Recon } from './recon.js';
import { Controls } from './controls.js';
import { LiveControls } from './livecontrols.js';
import { formatLoss } from './format.js';
import { lastLoss } from './lossdata.js';
import { copyButton } from './clipboard.js';
import { addDownload } from './pngdownload.js';
import { installPresenter } from './present.js';
import { MathsPanel, installMathsKey } from './maths.js';
import { Timeline } from './timeline.js';
import { Drill } from './drill.js';
import { installSummaries } from './chartsummary.js';

installPresenter();

const TERMINAL = new Set(['completed', 'stopped', 'failed']);
const KNOWN = new Set(['queued', 'running', 'paused', ...TERMINAL]);

/** isTerminal reports whether nothing more will happen to a session in this state. */
export function isTerminal(state) {
  return TERMINAL.has(state);
}

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function readBoot() {
  try {
    return JSON.parse(document.getElementById('session-boot')?.textContent || '{}');
  } catch {
    return {};
  }
}

/** StateView shows the state badge, the final test loss and the failure message. */
class StateView {
  constructor(scheduler, controls, progress, loss, live) {
    this.scheduler = scheduler;
    this.controls = controls;
    this.live = live;
    this.progress = progress;
    this.loss = loss;
    this.badge = $('state');
    this.final = $('final-loss');
    this.failure = $('error-message');
    this.state = this.badge?.textContent.trim() || '';
    // Until the first message, keep what the server rendered.
    this.error = this.failure?.querySelector('.failure-text')?.textContent.trim() || '';
    this.testLoss = null;
  }

  /** set takes a state message (or the snapshot's state object). */
  set(s) {
    if (!s || typeof s.state !== 'string') return;
    this.state = s.state;
    if (typeof s.error === 'string') this.error = s.error;
    this.testLoss = typeof s.test_loss === 'number' ? s.test_loss : null;
    this.progress.setState(s.state, s.queue_position || 0);
    this.controls?.setState(s.state);
    this.live?.setState(s.state);
    this.scheduler.request(this);
  }

  render() {
    const st = this.state;
    if (this.badge.textContent !== st) {
      this.badge.textContent = st;
      this.badge.className = `badge state-${KNOWN.has(st) ? st : 'unknown'}`;
    }
    // A failed run has no final loss: the last finite one may be the untrained network's.
    const done = isTerminal(st) && st !== 'failed';
    const loss = this.testLoss ?? lastLoss(this.loss.test);
    if (!done) {
      this.final.hidden = true;
    } else if (loss !== null) {
      this.final.textContent = `Final test loss ${formatLoss(loss)}`;
      this.final.hidden = false;
    } // else: keep the line the server rendered, if any

    this.failure.hidden = st !== 'failed';
    if (st === 'failed') {
      this.failure.querySelector('.failure-text').textContent = this.error || 'no reason was given';
    }
    const title = document.title.replace(/^\[[^\]]*\] /, '');
    document.title = st && st !== 'running' ? `[${st}] ${title}` : title;
  }
}

function main() {
  const boot = readBoot();
  const copy = $('copy-link');
  copyButton(copy, $('copy-status'), () => new URL(copy.dataset.link, window.location.href).href);
  if (!boot.ws_url) return;
  const scheduler = createScheduler();

  const progress = new Progress($('progress'), $('progress-text'), scheduler);
  const loss = new LossChart($('loss-chart'), scheduler, { logToggle: $('log-toggle') });
  const scatter = new Scatter($('latent-canvas'), $('latent-legend'), $('latent-caption'), scheduler);
  const recon = new Recon($('recon-canvas'), $('recon-legend'), $('recon-caption'), scheduler, () => scatter.classNames);
  // The replay (timeline.js) shows keyframes in the scatter and the reconstructions; meanwhile the
  // live pictures are kept, and shown again on Live. data-frame-step says which step the scatter
  // shows (read by the browser tests).
  const latentCanvas = $('latent-canvas');
  let liveLatent = null;
  let liveRecon = null;
  const showLatent = (m) => {
    scatter.set(m);
    latentCanvas.dataset.frameStep = m && Number.isInteger(m.step) ? String(m.step) : '';
    scheduler.request(recon); // class names may have changed
  };
  const timelineRoot = $('timeline');
  const timeline = timelineRoot
    ? new Timeline(timelineRoot, {
      indexURL: `${boot.api_url}/keyframes`,
      formatLoss,
      show(f) {
        if (f.latent) showLatent(f.latent);
        if (f.reconstructions) recon.set(f.reconstructions);
        loss.setMark(f.epoch);
      },
      onLive() {
        showLatent(liveLatent);
        recon.set(liveRecon);
        loss.setMark(null);
      },
    })
    : null;
  const replaying = () => Boolean(timeline?.replaying);
  const genCanvas = $('generated-canvas');
  const generated = genCanvas ? new GeneratedView(genCanvas, $('generated-caption'), scheduler, boot.api_url) : null;
  // "Download PNG" on each chart and picture grid: aelab-<session>-loss.png and so on.
  const prefix = `aelab-${boot.id}`;
  addDownload($('loss-chart'), prefix, 'loss');
  addDownload($('latent-canvas'), prefix, 'latent');
  addDownload($('recon-canvas'), prefix, 'reconstructions');
  addDownload(genCanvas, prefix, 'generated');
  installSummaries({ loss, lossEl: $('loss-chart'), scatter, recon });
  const drillRoot = $('drill');
  const drill = drillRoot && boot.api_url ? new Drill(drillRoot, scatter, boot.api_url) : null;
  const mathsRoot = $('maths-panel');
  const maths = mathsRoot ? new MathsPanel(mathsRoot, scheduler) : null;
  if (maths) installMathsKey($('session-page'), maths);
  const controlsRoot = $('owner-controls');
  let stateView = null;
  const controls = controlsRoot
    ? new Controls(controlsRoot, { id: boot.id, apiURL: boot.api_url, onSession: (s) => stateView.set(s) })
    : null;
  const liveRoot = $('live-controls');
  const live = liveRoot ? new LiveControls(liveRoot, { apiURL: boot.api_url }) : null;
  stateView = new StateView(scheduler, controls, progress, loss, live);
  // Start from the state the server rendered, so the buttons are right before the first message.
  stateView.set({ state: stateView.state });

  const conn = $('connection');
  const setConn = (status, delay) => {
    conn.dataset.status = status;
    conn.textContent = {
      connecting: 'connecting…',
      live: 'live',
      reconnecting: `reconnecting in ${Math.max(1, Math.round((delay || 0) / 1000))} s…`,
      closed: isTerminal(stateView.state) ? 'finished' : 'disconnected',
    }[status] || status;
  };

  const handlers = {
    snapshot(m) {
      const cfg = m.session?.config || {};
      loss.setMeta({ lossName: typeof cfg.loss === 'string' ? cfg.loss : '', epochs: Number(cfg.epochs) || m.progress?.epochs });
      loss.reset(m.train_loss || [], m.test_loss || []);
      loss.setChanges(m.changes);
      live?.setSnapshot(m);
      if (maths && m.session) {
        maths.resetLoss();
        maths.setSession(m.session);
        maths.setLoss(m.train_loss, m.test_loss);
        maths.applyChanges(m.changes);
        if (m.progress) maths.setStep(m.progress.step);
      }
      progress.set(m.progress);
      liveLatent = m.latent;
      liveRecon = m.reconstructions;
      if (!replaying()) {
        showLatent(m.latent);
        recon.set(m.reconstructions);
      }
      if (m.reconstructions) generated?.refresh(true);
      const st = m.state || m.session;
      if (st) stateView.set({ error: m.session?.error, ...st });
      timeline?.setEnded(isTerminal(stateView.state));
    },
    progress(m) {
      progress.set(m);
      loss.setMeta({ epochs: m.epochs });
      maths?.setStep(m.step);
    },
    loss(m) {
      loss.append(m.train || [], m.test || []);
      maths?.setLoss(m.train, m.test);
      if (isTerminal(stateView.state)) scheduler.request(stateView);
    },
    latent(m) {
      liveLatent = m;
      if (!replaying()) showLatent(m);
      drill?.refresh();
    },
    reconstructions(m) {
      liveRecon = m;
      if (!replaying()) recon.set(m);
      generated?.refresh();
    },
    change(m) {
      loss.addChanges(m.changes);
      maths?.applyChanges(m.changes);
      live?.setChanges(m.changes);
    },
    state(m) {
      stateView.set(m);
      timeline?.setEnded(isTerminal(m.state));
      if (isTerminal(m.state)) generated?.refresh(true);
    },
  };

  timeline?.setEnded(isTerminal(stateView.state));
  timeline?.start();

  connectLive({
    url: wsURL(boot.ws_url),
    onMessage: (m) => handlers[m.type]?.(m),
    onStatus: setConn,
    shouldReconnect: () => !isTerminal(stateView.state) || resumesLater(stateView.state, stateView.error),
  });
}

main();
