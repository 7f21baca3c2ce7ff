// Compare page: several sessions side by side, live. The page opens each member session's own
// WebSocket (docs/protocol.md, through ws.js) and keeps one model per run; the views (loss curves,
// rate–distortion, reconstruction rows, latent small multiples, table) redraw at most once per
// animation frame. The PCA figures come from GET /api/comparisons/{id}, polled until ready.

import { connectLive, wsURL, resumesLater } from './ws.js';
import { createScheduler, bumpUpdates } from './frame.js';
import { validPoints } from './lossdata.js';
import { formatInt, formatLoss } from './format.js';
import { Scatter } from './scatter.js';
import { runStyle, latestLoss, statusLine } from './comparedata.js';
import { CompareLossChart } from './compareloss.js';
import { RDChart } from './rdchart.js';
import { ReconRows } from './reconrows.js';
import { installPresenter } from './present.js';
import { addDownload } from './pngdownload.js';

installPresenter();

const TERMINAL = new Set(['completed', 'stopped', 'failed']);
const KNOWN = new Set(['queued', 'running', 'paused', ...TERMINAL]);
const POLL_MS = 1500;

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function readBoot() {
  try {
    return JSON.parse(document.getElementById('compare-boot')?.textContent || '{}');
  } catch {
    return {};
  }
}

/** newRun is the page's model of one member session. */
function newRun(b, i) {
  const style = runStyle(Number.isInteger(b.color) ? b.color : i);
  return {
    id: b.id,
    label: b.label || b.id,
    color: style.color,
    shape: style.shape,
    bottleneck: b.bottleneck,
    features: b.features,
    loss: b.loss,
    wsURL: b.ws_url,
    epochs: 0,
    train: [],
    test: [],
    progress: null,
    recon: null,
    state: typeof b.state === 'string' ? b.state : '',
    testLoss: null,
    pca: null,
    conn: 'connecting',
  };
}

/** Table keeps the runs' rows (server-rendered) and the status line up to date. */
class Table {
  constructor(root, status, runs) {
    this.root = root;
    this.status = status;
    this.runs = runs;
  }

  render() {
    for (const r of this.runs) {
      const tr = this.root.querySelector(`tr[data-run="${r.id}"]`);
      if (!tr) continue;
      const set = (col, text) => {
        const el = tr.querySelector(`[data-col="${col}"] .v`);
        if (el && el.textContent !== text) el.textContent = text;
      };
      set('test', formatLoss(latestLoss(r)));
      // The PCA figure is computed on the server and arrives late: say so meanwhile.
      set('pca', typeof r.pca === 'number' ? formatLoss(r.pca) : r.pcaState === 'failed' ? 'failed' : 'computing…');
      const sps = r.progress?.samples_per_sec;
      set('sps', sps > 0 && r.state !== 'queued' ? formatInt(sps) : '–');
      const badge = tr.querySelector('[data-col="state"] .badge');
      if (badge && r.state && badge.textContent !== r.state) {
        badge.textContent = r.state;
        badge.className = `badge state-${KNOWN.has(r.state) ? r.state : 'unknown'}`;
      }
    }
    const states = this.runs.map((r) => r.state || 'queued');
    const text = statusLine(states);
    if (this.status.textContent !== text) this.status.textContent = text;
    bumpUpdates(this.root);
  }
}

/** Latents keeps one scatter (scatter.js) per run, sharing one class legend. */
class Latents {
  constructor(root, legend, scheduler, runs) {
    this.root = root;
    this.scatters = new Map();
    this.withData = new Set();
    runs.forEach((r, i) => {
      const fig = root.querySelector(`figure[data-run="${r.id}"]`);
      const canvas = fig?.querySelector('canvas');
      if (!canvas) return;
      const caption = document.createElement('p'); // scatter.js's long caption; the page has one
      const own = i === 0 ? legend : document.createElement('ul');
      const scatter = new Scatter(canvas, own, caption, scheduler);
      scheduler.request(scatter); // draws its empty frame
      this.scatters.set(r.id, { scatter, proj: fig.querySelector('.latent-proj') });
    });
  }

  set(id, latent) {
    const s = this.scatters.get(id);
    if (!s) return;
    s.scatter.set(latent);
    if (latent && Array.isArray(latent.x)) this.withData.add(id);
    if (s.proj) {
      const text = !latent ? '' : latent.projection === 'pca' ? '(PCA of the code)' : '(the code itself)';
      if (s.proj.textContent !== text) s.proj.textContent = text;
    }
    this.root.dataset.plots = String(this.withData.size);
    bumpUpdates(this.root);
  }
}

function main() {
  const boot = readBoot();
  if (!Array.isArray(boot.runs) || boot.runs.length === 0) return;
  const scheduler = createScheduler();
  const runs = boot.runs.map(newRun);
  const onlyWidth = boot.kind === 'sweep' || (boot.differs || []).every((f) => f === 'bottleneck');
  const losses = new Set(runs.map((r) => r.loss));

  const lossChart = new CompareLossChart($('compare-loss-chart'), scheduler, runs, {
    logToggle: $('compare-log-toggle'),
    trainToggle: $('compare-train-toggle'),
  });
  const rd = new RDChart($('rd-chart'), scheduler, runs, {
    logToggle: $('rd-log-toggle'),
    joinAE: onlyWidth,
    lossName: losses.size === 1 && losses.has('mse') ? 'test loss (MSE)' : 'test loss (each run\u2019s own loss)',
  });
  const recon = new ReconRows($('compare-recon'), $('compare-recon-caption'), scheduler, runs);
  const latents = new Latents($('compare-latents'), $('compare-latent-legend'), scheduler, runs);
  // Picking an example on the scatters is wired once the page has loaded: its modules are not on
  // the path to the first picture.
  if ($('compare-pick')) {
    const wirePick = () =>
      import('./comparepick.js').then(({ ComparePick }) => {
        new ComparePick(latents.scatters, runs, {
          root: $('compare-pick'),
          live: $('compare-pick-live'),
          result: $('compare-pick-result'),
          canvas: $('compare-pick-canvas'),
          text: $('compare-pick-text'),
          list: $('compare-pick-runs'),
          error: $('compare-pick-error'),
        });
        $('compare-pick').dataset.ready = 'true';
      });
    if (document.readyState === 'complete') wirePick();
    else window.addEventListener('load', wirePick, { once: true });
  }
  const table = new Table($('compare-table'), $('compare-status'), runs);
  const prefix = `aelab-compare-${boot.id}`;
  addDownload($('compare-loss-chart'), prefix, 'loss');
  addDownload($('rd-chart'), prefix, 'rate-distortion');
  addDownload($('compare-recon'), prefix, 'reconstructions');
  const redraw = () => {
    lossChart.changed();
    rd.changed();
    scheduler.request(table);
  };

  const conn = $('connection');
  const showConn = () => {
    const live = runs.filter((r) => r.conn === 'live').length;
    const closed = runs.filter((r) => r.conn === 'closed').length;
    const status = live > 0 ? 'live' : closed === runs.length ? 'closed' : 'connecting';
    conn.dataset.status = status;
    conn.textContent = status === 'closed' ? 'finished' : live > 0 ? `live (${live} of ${runs.length} streams)` : 'connecting…';
  };

  for (const run of runs) {
    const handlers = {
      snapshot(m) {
        run.train = validPoints(m.train_loss);
        run.test = validPoints(m.test_loss);
        run.progress = m.progress || null;
        run.epochs = Number(m.session?.config?.epochs) || m.progress?.epochs || run.epochs;
        const st = m.state || m.session || {};
        run.state = typeof st.state === 'string' ? st.state : run.state;
        run.error = st.error || m.session?.error || '';
        run.testLoss = typeof st.test_loss === 'number' ? st.test_loss : null;
        run.recon = m.reconstructions || null;
        latents.set(run.id, m.latent || null);
        recon.changed();
        redraw();
      },
      progress(m) {
        run.progress = m;
        if (m.epochs > 0) run.epochs = m.epochs;
        scheduler.request(table);
      },
      loss(m) {
        for (const p of validPoints(m.train)) run.train.push(p);
        for (const p of validPoints(m.test)) run.test.push(p);
        redraw();
      },
      latent(m) {
        latents.set(run.id, m);
      },
      reconstructions(m) {
        run.recon = m;
        recon.changed();
      },
      state(m) {
        run.state = m.state;
        run.error = m.error || '';
        if (typeof m.test_loss === 'number') run.testLoss = m.test_loss;
        redraw();
      },
    };
    connectLive({
      url: wsURL(run.wsURL),
      onMessage: (m) => handlers[m.type]?.(m),
      onStatus: (s) => {
        run.conn = s;
        showConn();
      },
      shouldReconnect: () => !TERMINAL.has(run.state) || resumesLater(run.state, run.error),
    });
  }

  // The PCA baselines are computed on the server after the comparison is made.
  async function poll() {
    try {
      const res = await fetch(boot.api_url, { headers: { Accept: 'application/json' } });
      if (res.ok) {
        const body = await res.json();
        for (const mb of body.members || []) {
          const run = runs.find((r) => r.id === mb.session?.id);
          if (!run) continue;
          run.pcaState = mb.pca?.state || 'pending';
          if (mb.pca?.state === 'ready' && typeof mb.pca.mse === 'number') run.pca = mb.pca.mse;
        }
        const status = $('pca-status');
        if (status) {
          const waiting = runs.filter((r) => r.pcaState !== 'ready' && r.pcaState !== 'failed').length;
          status.textContent = body.baseline_ready || waiting === 0 ? '' : `PCA line: computing… (${waiting} of ${runs.length} to go)`;
        }
        redraw();
        if (body.baseline_ready) return;
      }
    } catch {
      // try again
    }
    setTimeout(poll, POLL_MS);
  }
  poll();
  scheduler.request(table);
  recon.changed();
  redraw();
}

main();
