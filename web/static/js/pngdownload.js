// PNG downloads of the charts and picture grids: a "Download PNG" button in a panel's head saves the
// canvas as it is drawn, at the device's resolution, with the panel's title above it and its legend
// below, composed on an offscreen canvas. Legends are read from the page as shown: uPlot's legend
// rows (label and latest value), the panel's .legend items and the caption's colour keys; a swatch
// is the item's own small canvas when it has one, else its marker's colour.

const INK = '#111';
const PAPER = '#fff';

/** legendItems reads the legend of a panel: [{text, swatch: canvas|null, color: string|null, dash}]. */
export function legendItems(panel) {
  const items = [];
  const seen = new Set();
  for (const row of panel.querySelectorAll('.u-legend tr.u-series')) {
    if (row.style.display === 'none' || row.classList.contains('u-off')) continue;
    const label = row.querySelector('.u-label')?.textContent.trim() || '';
    const value = row.querySelector('.u-value')?.textContent.trim() || '';
    const marker = row.querySelector('.u-marker');
    if (!label || !marker) continue; // the x series has no marker of its own worth drawing
    const color = colorOf(marker);
    if (!color) continue; // the x series: its value is on the axis
    const dash = getComputedStyle(marker).borderStyle === 'dashed';
    items.push({ text: value && value !== '--' ? `${label}: ${value}` : label, swatch: null, color, dash });
  }
  // A caption's colour keys repeat uPlot's legend where there is one.
  const others = panel.querySelectorAll(items.length ? '.legend li, .legend .item' : '.legend li, .legend .item, .caption .key');
  for (const el of others) {
    const text = el.textContent.replace(/\s+/g, ' ').trim();
    if (!text || seen.has(text) || el.closest('.download-png')) continue;
    seen.add(text);
    const swatch = el.querySelector('canvas');
    const mark = el.querySelector('.mark, .swatch') || el;
    items.push({ text, swatch, color: swatch ? null : colorOf(mark) || colorOf(mark, '::before'), dash: false });
  }
  return items;
}

/** colorOf is an element's visible marker colour (background, else border), or null. */
function colorOf(el, pseudo) {
  const cs = getComputedStyle(el, pseudo);
  if (pseudo && (cs.content === 'none' || cs.content === 'normal')) return null;
  const visible = (c) => c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c);
  if (visible(cs.backgroundColor)) return cs.backgroundColor;
  if (parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== 'none' && visible(cs.borderTopColor)) return cs.borderTopColor;
  if (parseFloat(cs.borderLeftWidth) > 0 && cs.borderLeftStyle !== 'none' && visible(cs.borderLeftColor)) return cs.borderLeftColor;
  return null;
}

/** figureCanvas is the canvas a figure draws on: itself, or the largest canvas inside it. */
function figureCanvas(figure) {
  if (figure instanceof HTMLCanvasElement) return figure;
  let best = null;
  for (const c of figure.querySelectorAll('canvas')) {
    if (!best || c.width * c.height > best.width * best.height) best = c;
  }
  return best;
}

/** layoutLegend places the items in rows no wider than width: [{item, x, y}], and the height used. */
export function layoutLegend(items, width, measure, { pad, gap, row, box }) {
  const out = [];
  let x = pad;
  let y = 0;
  for (const item of items) {
    const w = box + gap / 2 + measure(item.text);
    if (x > pad && x + w > width - pad) {
      x = pad;
      y += row;
    }
    out.push({ item, x, y });
    x += w + gap;
  }
  return { placed: out, height: items.length ? y + row : 0 };
}

/** compose draws title, the figure's canvas and the legend on a new canvas of the same scale. */
export function compose(title, canvas, items) {
  const cssWidth = canvas.getBoundingClientRect().width || canvas.width;
  const s = canvas.width / cssWidth; // device pixels per CSS pixel, as the chart was drawn
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  const titleFont = `700 ${Math.round(22 * s)}px system-ui, sans-serif`;
  const legendFont = `${Math.round(16 * s)}px system-ui, sans-serif`;
  const pad = Math.round(12 * s);
  const titleH = title ? Math.round(40 * s) : pad;
  ctx.font = legendFont;
  const { placed, height } = layoutLegend(items, canvas.width, (t) => ctx.measureText(t).width,
    { pad, gap: Math.round(20 * s), row: Math.round(28 * s), box: Math.round(18 * s) });
  out.width = canvas.width;
  out.height = titleH + canvas.height + (height ? height + pad : pad);
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, out.width, out.height);
  if (title) {
    ctx.fillStyle = INK;
    ctx.font = titleFont;
    ctx.textBaseline = 'middle';
    ctx.fillText(title, pad, titleH / 2);
  }
  ctx.drawImage(canvas, 0, titleH);
  ctx.font = legendFont;
  ctx.textBaseline = 'middle';
  const top = titleH + canvas.height + pad / 2;
  const box = Math.round(18 * s);
  for (const { item, x, y } of placed) {
    const cy = top + y + Math.round(14 * s);
    if (item.swatch) {
      ctx.drawImage(item.swatch, x, cy - box / 2, box, box);
    } else if (item.color) {
      ctx.strokeStyle = item.color;
      ctx.fillStyle = item.color;
      if (item.dash) {
        ctx.lineWidth = Math.max(2, Math.round(3 * s));
        ctx.setLineDash([4 * s, 3 * s]);
        ctx.beginPath();
        ctx.moveTo(x, cy);
        ctx.lineTo(x + box, cy);
        ctx.stroke();
        ctx.setLineDash([]);
      } else {
        ctx.fillRect(x, cy - box / 2, box, box);
      }
    }
    ctx.fillStyle = INK;
    ctx.fillText(item.text, x + box + Math.round(10 * s), cy);
  }
  return out;
}

/** save downloads a canvas as a PNG file called name. */
function save(canvas, name) {
  canvas.toBlob((blob) => {
    if (!blob) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }, 'image/png');
}

/**
 * addDownload puts a "Download PNG" button in the head of figure's panel. On a click it saves the
 * figure's canvas with the panel's title and legend as `${prefix}-${name}.png`.
 */
export function addDownload(figure, prefix, name) {
  if (!figure) return null;
  const panel = figure.closest('.panel') || figure.parentElement;
  const head = panel.querySelector('.panel-head') || panel;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button small download-png';
  button.dataset.testid = `download-${name}`;
  const title = panel.querySelector('h2, h3')?.textContent.trim() || '';
  button.textContent = 'Download PNG';
  // The accessible name starts with the visible text (WCAG 2.5.3, axe label-content-name-mismatch).
  button.setAttribute('aria-label', `Download PNG of ${title || name}`);
  button.addEventListener('click', () => {
    const canvas = figureCanvas(figure);
    if (!canvas || canvas.width === 0 || canvas.height === 0) {
      button.title = 'Nothing is drawn yet';
      return;
    }
    save(compose(title, canvas, legendItems(panel)), `${prefix}-${name}.png`);
  });
  head.append(button);
  return button;
}
