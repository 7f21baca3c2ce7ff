// The Maths panel of the session page: the model as formulas with the run's numbers plugged in
// (mathstex.js writes the TeX), typeset by the vendored KaTeX and kept up to date from the live
// stream: the loss's current value and parts, the step and the learning rate.
//
// KaTeX (static/vendor/katex, a classic script defining window.katex) is added to the page only
// when the panel first comes near the screen, so a page whose panel is never looked at does not
// load it. In the presenter view the key M (or ?present&maths) shows the panel in place of the
// latent scatter, beside the loss curve.

import { model, inputTex, bottleneckTex, layerTex, convTex, paramsTex, lossTex, optimizerTex, summaryText } from './mathstex.js';

let katexPromise = null;

/** loadKatex adds KaTeX's stylesheet and script to the page once and resolves to window.katex. */
export function loadKatex(doc = document) {
  if (globalThis.katex) return Promise.resolve(globalThis.katex);
  if (!katexPromise) {
    katexPromise = new Promise((resolve, reject) => {
      const css = doc.createElement('link');
      css.rel = 'stylesheet';
      css.href = new URL('../vendor/katex/katex.min.css', import.meta.url).href;
      doc.head.append(css);
      const s = doc.createElement('script');
      s.src = new URL('../vendor/katex/katex.min.js', import.meta.url).href;
      s.onload = () => (globalThis.katex ? resolve(globalThis.katex) : reject(new Error('KaTeX did not define window.katex')));
      s.onerror = () => {
        katexPromise = null;
        reject(new Error('KaTeX did not load'));
      };
      doc.head.append(s);
    });
  }
  return katexPromise;
}

/** lastFinite returns the last loss point whose loss is a finite number, or null. */
function lastFinite(points) {
  for (let i = (points?.length || 0) - 1; i >= 0; i--) {
    if (Number.isFinite(points[i]?.loss)) return points[i];
  }
  return null;
}

/** MathsPanel keeps the panel's formulas in step with the session and its stream. */
export class MathsPanel {
  /**
   * root is the panel's section (data-testid maths-panel); scheduler coalesces redraws to one per
   * frame (frame.js).
   */
  constructor(root, scheduler) {
    this.root = root;
    this.scheduler = scheduler;
    this.body = root.querySelector('[data-testid="maths-body"]');
    this.summary = root.querySelector('[data-testid="maths-summary"]');
    this.status = root.querySelector('[data-testid="maths-status"]');
    this.m = null;
    this.lr = null;
    this.step = 0;
    this.test = null;
    this.train = null;
    this.katex = null;
    this.built = null; // the model the rows were built for
    this.rows = new Map(); // key → {el, tex}
    this.watchVisibility();
  }

  /** watchVisibility loads KaTeX when the panel comes within a screen of the viewport. */
  watchVisibility() {
    const start = () => {
      loadKatex()
        .then((k) => {
          this.katex = k;
          this.scheduler.request(this);
        })
        .catch((err) => {
          if (this.status) this.status.textContent = `The formulas could not be typeset (${err.message}); reload the page to try again.`;
        });
    };
    if (typeof IntersectionObserver === 'undefined') {
      start();
      return;
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          start();
        }
      },
      { rootMargin: '100% 0px' },
    );
    io.observe(this.root);
  }

  /** setSession takes the session object (the snapshot's `session`): configuration and summary. */
  setSession(s) {
    this.m = model(s);
    if (this.m) this.lr = this.m.lr;
    if (Number.isFinite(s?.step)) this.step = s.step;
    this.scheduler.request(this);
  }

  /** setLearningRate takes the learning rate in force (it may change during a run). */
  setLearningRate(lr) {
    if (Number.isFinite(lr) && lr > 0 && lr !== this.lr) {
      this.lr = lr;
      this.scheduler.request(this);
    }
  }

  /**
   * applyChanges takes the settings the owner changed during the run (the `change` message's
   * `changes`, or the snapshot's): the learning rate and a VAE's β in force are the latest ones.
   */
  applyChanges(changes) {
    for (const c of changes || []) {
      if (c?.field === 'learning_rate') this.setLearningRate(c.to);
      if (c?.field === 'beta' && this.m?.vae && Number.isFinite(c.to) && c.to > 0) {
        this.m = { ...this.m, beta: c.to };
        this.scheduler.request(this);
      }
    }
  }

  /** setStep takes the optimizer steps taken so far (progress messages). */
  setStep(step) {
    if (Number.isFinite(step) && step !== this.step) {
      this.step = step;
      this.scheduler.request(this);
    }
  }

  /** setLoss takes new loss points (the snapshot's whole arrays, or a loss message's new ones). */
  setLoss(train, test) {
    const tr = lastFinite(train);
    const te = lastFinite(test);
    if (tr) this.train = tr;
    if (te) this.test = te;
    if (tr || te) this.scheduler.request(this);
  }

  /** reset forgets the loss points (a new snapshot replaces everything). */
  resetLoss() {
    this.train = null;
    this.test = null;
  }

  render() {
    const m = this.m;
    if (!m) return;
    const text = summaryText(m, this.test, this.train);
    if (this.summary && this.summary.textContent !== text) this.summary.textContent = text;
    if (!this.katex) return;
    if (this.built !== m) this.build(m);
    const loss = lossTex(m, this.test, this.train);
    const opt = optimizerTex(m, this.lr, this.step);
    this.setHeading('loss', `Loss: ${loss.name}`);
    this.setHeading('optimizer', `Update: ${opt.name}, learning rate ${this.lr}`);
    this.setRows('loss', loss.rows);
    this.setRows('optimizer', opt.rows);
    if (this.status && this.status.textContent) this.status.textContent = '';
    this.root.dataset.rendered = String((Number(this.root.dataset.rendered) || 0) + 1);
  }

  /** build lays out the groups of formulas for a model; the fixed ones are typeset once here. */
  build(m) {
    this.built = m;
    this.rows.clear();
    this.body.replaceChildren();
    const groups = [
      ['input', 'Input', [{ tex: inputTex(m) }]],
      ['layers', m.vae ? 'Layers (variational: the code is sampled)' : 'Layers', [...convTex(m).slice(0, 1).map((tex) => ({ tex })), ...layerTex(m), ...convTex(m).slice(1).map((tex) => ({ tex }))]],
      ['bottleneck', 'Bottleneck', [{ tex: bottleneckTex(m) }]],
      ['loss', 'Loss', []],
      ['params', 'Parameters', [{ tex: paramsTex(m) }]],
      ['optimizer', 'Update', []],
    ];
    for (const [key, title, rows] of groups) {
      const g = document.createElement('div');
      g.className = 'maths-group';
      g.dataset.testid = `maths-${key}`;
      const h = document.createElement('h3');
      h.textContent = title;
      const list = document.createElement('div');
      list.className = 'maths-rows';
      g.append(h, list);
      this.body.append(g);
      this.rows.set(key, { group: g, head: h, list, texs: [] });
      this.setRows(key, rows);
    }
  }

  setHeading(key, text) {
    const r = this.rows.get(key);
    if (r && r.head.textContent !== text) r.head.textContent = text;
  }

  /** setRows typesets a group's rows, each only when its TeX changed. */
  setRows(key, rows) {
    const r = this.rows.get(key);
    if (!r) return;
    while (r.list.children.length > rows.length) r.list.lastElementChild.remove();
    rows.forEach((row, i) => {
      let el = r.list.children[i];
      if (!el) {
        el = document.createElement('div');
        el.className = 'maths-row';
        r.list.append(el);
      }
      el.classList.toggle('maths-value', !!row.value);
      if (row.part) el.dataset.part = row.part;
      if (el.dataset.tex === row.tex) return;
      el.dataset.tex = row.tex;
      this.katex.render(row.tex, el, { throwOnError: false, displayMode: false, output: 'htmlAndMathml' });
    });
  }
}

/**
 * installMathsKey binds the key M in the presenter view: it shows the Maths panel in place of the
 * latent scatter (and back), keeping the choice in the address (?present&maths).
 */
export function installMathsKey(page, panel) {
  if (!page?.classList.contains('present')) return;
  const show = (on) => {
    page.classList.toggle('show-maths', on);
    if (on) panel.scheduler.request(panel);
    const u = new URL(location.href);
    if (on) u.searchParams.set('maths', '');
    else u.searchParams.delete('maths');
    history.replaceState(history.state, '', u.toString().replace(/(present|maths)=(&|$)/g, '$1$2'));
  };
  if (new URLSearchParams(location.search).has('maths')) show(true);
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'm' && ev.key !== 'M') return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    show(!page.classList.contains('show-maths'));
  });
}
