// Colour-blind-safe class styles: Okabe–Ito colours AND distinct marker shapes, so no class is
// told apart by hue alone. Used by the latent scatter, its legend and the reconstruction labels.

/** Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision deficiencies. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
};

/** Line colours of the charts (train / test, original / reconstruction). */
export const SERIES = { a: OKABE_ITO.blue, b: OKABE_ITO.vermillion };

/** The first ten classes: every one has its own shape, so repeated colours never collide. */
const STYLES = [
  { color: OKABE_ITO.blue, shape: 'circle' },
  { color: OKABE_ITO.orange, shape: 'square' },
  { color: OKABE_ITO.green, shape: 'triangle' },
  { color: OKABE_ITO.vermillion, shape: 'diamond' },
  { color: OKABE_ITO.purple, shape: 'triangle-down' },
  { color: OKABE_ITO.sky, shape: 'star' },
  { color: OKABE_ITO.black, shape: 'plus' },
  { color: OKABE_ITO.yellow, shape: 'hexagon' },
  { color: OKABE_ITO.vermillion, shape: 'cross' },
  { color: OKABE_ITO.black, shape: 'ring' },
];
const COLORS = Object.values(OKABE_ITO);
const SHAPES = STYLES.map((s) => s.shape);

/** UNLABELLED is the style of examples without a class (label -1). */
export const UNLABELLED = { color: '#767676', shape: 'dot' };

/** classStyle returns {color, shape} for class index i (-1: unlabelled). */
export function classStyle(i) {
  if (!Number.isInteger(i) || i < 0) return UNLABELLED;
  if (i < STYLES.length) return STYLES[i];
  // Beyond ten classes: cycle colours (8) and shapes (10) independently: 40 distinct pairs.
  return { color: COLORS[i % COLORS.length], shape: SHAPES[i % SHAPES.length] };
}

/** isStroked reports whether a shape is drawn with lines rather than filled. */
export function isStroked(shape) {
  return shape === 'plus' || shape === 'cross' || shape === 'ring';
}

function polygon(ctx, x, y, r, n, rot) {
  for (let k = 0; k < n; k++) {
    const a = rot + (k * 2 * Math.PI) / n;
    const px = x + r * Math.cos(a);
    const py = y + r * Math.sin(a);
    if (k === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.closePath();
}

/** addMarker adds one marker of `shape` centred at (x, y) with radius r to the current path. */
export function addMarker(ctx, shape, x, y, r) {
  switch (shape) {
    case 'square': {
      const s = r * 0.85;
      ctx.moveTo(x - s, y - s);
      ctx.rect(x - s, y - s, 2 * s, 2 * s);
      break;
    }
    case 'triangle':
      polygon(ctx, x, y + r * 0.15, r * 1.15, 3, -Math.PI / 2);
      break;
    case 'triangle-down':
      polygon(ctx, x, y - r * 0.15, r * 1.15, 3, Math.PI / 2);
      break;
    case 'diamond':
      polygon(ctx, x, y, r * 1.15, 4, 0);
      break;
    case 'hexagon':
      polygon(ctx, x, y, r * 1.05, 6, 0);
      break;
    case 'star':
      for (let k = 0; k < 10; k++) {
        const a = -Math.PI / 2 + (k * Math.PI) / 5;
        const rr = k % 2 === 0 ? r * 1.3 : r * 0.55;
        const px = x + rr * Math.cos(a);
        const py = y + rr * Math.sin(a);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.closePath();
      break;
    case 'plus':
      ctx.moveTo(x - r, y);
      ctx.lineTo(x + r, y);
      ctx.moveTo(x, y - r);
      ctx.lineTo(x, y + r);
      break;
    case 'cross': {
      const s = r * 0.8;
      ctx.moveTo(x - s, y - s);
      ctx.lineTo(x + s, y + s);
      ctx.moveTo(x + s, y - s);
      ctx.lineTo(x - s, y + s);
      break;
    }
    case 'ring':
      ctx.moveTo(x + r * 0.85, y);
      ctx.arc(x, y, r * 0.85, 0, 2 * Math.PI);
      break;
    case 'dot':
      ctx.moveTo(x + r * 0.6, y);
      ctx.arc(x, y, r * 0.6, 0, 2 * Math.PI);
      break;
    default: // circle
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

/**
 * drawMarkers draws many markers of one style in one path: filled shapes get a thin dark outline
 * (so light colours such as yellow stay visible on white), line shapes a dark halo.
 */
export function drawMarkers(ctx, style, points, r, alpha = 0.9) {
  if (points.length === 0) return;
  ctx.beginPath();
  for (const [x, y] of points) addMarker(ctx, style.shape, x, y, r);
  ctx.globalAlpha = alpha;
  if (isStroked(style.shape)) {
    ctx.lineCap = 'round';
    if (style.color !== OKABE_ITO.black) {
      ctx.strokeStyle = 'rgba(0,0,0,0.6)';
      ctx.lineWidth = Math.max(2, r * 0.55) + 2;
      ctx.stroke();
    }
    ctx.strokeStyle = style.color;
    ctx.lineWidth = Math.max(2, r * 0.55);
    ctx.stroke();
  } else {
    ctx.fillStyle = style.color;
    ctx.fill();
    ctx.strokeStyle = 'rgba(0,0,0,0.65)';
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

/**
 * legendCanvas returns a small square canvas (size CSS pixels, sharp on high-DPI screens) on which
 * draw(ctx) has painted a legend symbol.
 */
export function legendCanvas(size, draw) {
  const c = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(size * dpr);
  c.height = Math.round(size * dpr);
  c.style.width = `${size}px`;
  c.style.height = `${size}px`;
  c.setAttribute('aria-hidden', 'true');
  const ctx = c.getContext('2d');
  ctx.scale(dpr, dpr);
  draw(ctx);
  return c;
}

/** markerSwatch returns a small canvas showing one marker, for legends. */
export function markerSwatch(style, size = 22) {
  return legendCanvas(size, (ctx) => drawMarkers(ctx, style, [[size / 2, size / 2]], size * 0.32, 1));
}
