// Redraw coalescing: views ask to be drawn; each is drawn at most once per animation frame, and not
// at all while the tab is hidden (requestAnimationFrame does not fire there), so many open tabs
// cost almost nothing and a burst of messages costs one redraw.

/**
 * createScheduler returns {request(view)}: view.render() runs once on the next frame however often
 * it was requested. `raf` is injectable for tests.
 */
export function createScheduler(raf = (cb) => requestAnimationFrame(cb)) {
  const dirty = new Set();
  let pending = false;
  function flush() {
    pending = false;
    const views = [...dirty];
    dirty.clear();
    for (const v of views) {
      try {
        v.render();
      } catch (err) {
        console.error('render failed', err);
      }
    }
  }
  return {
    request(view) {
      dirty.add(view);
      if (!pending) {
        pending = true;
        raf(flush);
      }
    },
  };
}

/** bumpUpdates increments the element's data-updates counter (read by the browser tests). */
export function bumpUpdates(el) {
  el.dataset.updates = String((Number(el.dataset.updates) || 0) + 1);
}

/**
 * fitCanvas sizes a canvas's backing store to its CSS box times devicePixelRatio and returns
 * {ctx, width, height, dpr} in CSS pixels, with the context scaled so drawing uses CSS pixels.
 */
export function fitCanvas(canvas, cssHeight) {
  const dpr = window.devicePixelRatio || 1;
  if (cssHeight !== undefined) canvas.style.height = `${cssHeight}px`;
  const width = Math.max(1, canvas.clientWidth);
  const height = Math.max(1, cssHeight ?? canvas.clientHeight);
  const bw = Math.round(width * dpr);
  const bh = Math.round(height * dpr);
  if (canvas.width !== bw) canvas.width = bw;
  if (canvas.height !== bh) canvas.height = bh;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height, dpr };
}

/**
 * observeWidth calls cb when el's width changes (and its height too when `withHeight` is set: for
 * elements whose height comes from CSS rather than from their own drawing code).
 */
export function observeWidth(el, cb, withHeight = false) {
  let last = `${el.clientWidth}x${withHeight ? el.clientHeight : 0}`;
  const ro = new ResizeObserver(() => {
    const now = `${el.clientWidth}x${withHeight ? el.clientHeight : 0}`;
    if (now !== last) {
      last = now;
      cb(el.clientWidth);
    }
  });
  ro.observe(el);
  return ro;
}
