// "New digits" of a variational autoencoder: a grid of examples decoded from codes drawn from the
// prior N(0, I) (POST /api/sessions/{id}/generate). The seed stays the same, so each refresh shows
// the same codes decoded by the current weights: blobs at first, digits as training goes on. The
// grid refreshes with the reconstructions (at most once every `every` ms, one request in flight)
// and once more when the run ends.

import { bumpUpdates, fitCanvas, observeWidth } from './frame.js';
import { examplesOf, oneInFlight, requestJSON } from './snapapi.js';
import { Tiles, tileAspect, tileLayout } from './tiles.js';

const COUNT = 32;

export class GeneratedView {
  constructor(canvas, caption, scheduler, apiURL, { every = 1000 } = {}) {
    this.canvas = canvas;
    this.caption = caption;
    this.scheduler = scheduler;
    this.every = every;
    this.tiles = null;
    this.step = null;
    this.changed = false;
    this.last = 0;
    this.flight = oneInFlight(() => requestJSON(`${apiURL}/generate`, { n: COUNT }), {
      onResult: (body) => this.set(body),
      onError: (err) => {
        if (!this.tiles) this.caption.textContent = `Could not draw new examples yet: ${err.message}`;
      },
    });
    observeWidth(canvas, () => this.scheduler.request(this));
  }

  /** refresh asks for a new grid, unless one was asked for less than `every` ms ago (force: always). */
  refresh(force = false) {
    const now = Date.now();
    if (!force && now - this.last < this.every) return;
    this.last = now;
    this.flight.push();
  }

  set(body) {
    this.tiles = new Tiles(examplesOf(body));
    this.step = body.step;
    this.caption.textContent = `${this.tiles.ex.count} codes drawn at random from the prior N(0, I), always the same ones, decoded by the weights of step ${body.step}: things the network makes up.`;
    this.changed = true;
    this.scheduler.request(this);
  }

  render() {
    const width = Math.max(200, this.canvas.clientWidth);
    const ex = this.tiles?.ex;
    if (!ex) {
      const { ctx } = fitCanvas(this.canvas, 120);
      ctx.fillStyle = '#e7e9ed';
      ctx.fillRect(0, 0, width, 120);
      return;
    }
    const lay = tileLayout(ex.count, ex.width, Math.round(ex.width * tileAspect(ex)), width, { cols: ex.count > 16 ? 8 : 4, gap: 4, maxScale: 6 });
    const { ctx } = fitCanvas(this.canvas, Math.ceil(lay.rows * (lay.cellH + 4)));
    ctx.fillStyle = '#000000';
    for (let i = 0; i < ex.count; i++) {
      const x = (i % lay.cols) * (lay.cellW + 4);
      const y = Math.floor(i / lay.cols) * (lay.cellH + 4);
      this.tiles.draw(ctx, i, x, y, lay.cellW, lay.cellH);
    }
    if (this.changed) {
      this.changed = false;
      bumpUpdates(this.canvas);
    }
  }
}
