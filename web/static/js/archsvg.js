// Draws the network as an SVG: one bar per layer, height growing with √width so that 784 and 2
// both show, trapezoids between layers, each bar labelled with its width and its name.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * archGeometry lays out the bars in a width × height box (SVG user units). Pure: returns
 * [{x, y, w, h, size, name, kind}] with kind one of input, enc, code, dec, output.
 */
export function archGeometry(sizes, names, width = 520, height = 280) {
  const n = sizes.length;
  const padX = 36;
  const top = 48;
  const bottom = 44;
  const maxH = height - top - bottom;
  const minH = 6;
  const maxSize = Math.max(1, ...sizes.map((s) => Math.max(0, s)));
  const spacing = n > 1 ? (width - 2 * padX) / (n - 1) : 0;
  const barW = Math.max(8, Math.min(40, spacing * 0.45));
  const mid = top + maxH / 2;
  return sizes.map((size, i) => {
    const h = minH + (maxH - minH) * Math.sqrt(Math.max(0, size) / maxSize);
    const cx = n > 1 ? padX + i * spacing : width / 2;
    const name = names[i];
    const kind = i === 0 ? 'input' : i === n - 1 ? 'output'
      : name === 'code' ? 'code' : name.startsWith('enc') ? 'enc' : 'dec';
    return { x: cx - barW / 2, y: mid - h / 2, w: barW, h, size, name, kind };
  });
}

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * renderArch replaces the contents of `container` with a drawing of `sizes` (or with `message`
 * when sizes is null) and sets its accessible label.
 */
export function renderArch(container, sizes, names, message = '') {
  const width = 520;
  const height = 280;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', focusable: 'false' });
  if (!sizes) {
    svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', 'font-size': 22, class: 'name' },
      message || 'Fix the highlighted fields to see the network.'));
    container.replaceChildren(svg);
    container.setAttribute('aria-label', message || 'Architecture drawing unavailable');
    container.dataset.sizes = '';
    return;
  }
  const bars = archGeometry(sizes, names, width, height);
  const links = el('g', {});
  for (let i = 0; i + 1 < bars.length; i++) {
    const a = bars[i];
    const b = bars[i + 1];
    const pts = [[a.x + a.w, a.y], [b.x, b.y], [b.x, b.y + b.h], [a.x + a.w, a.y + a.h]];
    links.append(el('polygon', { points: pts.map((p) => p.join(',')).join(' '), class: 'link' }));
  }
  svg.append(links);
  const spacing = bars.length > 1 ? bars[1].x - bars[0].x : width;
  const font = Math.max(12, Math.min(28, spacing * 0.3));
  for (const b of bars) {
    svg.append(el('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 3, class: `bar bar-${b.kind}` }));
    const cx = b.x + b.w / 2;
    svg.append(el('text', { x: cx, y: b.y - 8, 'text-anchor': 'middle', 'font-size': font, class: 'w' },
      String(b.size)));
    svg.append(el('text', { x: cx, y: height - 12, 'text-anchor': 'middle', 'font-size': font * 0.8, class: 'name' },
      b.name));
  }
  container.replaceChildren(svg);
  const chain = sizes.join(' → ');
  container.setAttribute('aria-label', `Network layer widths: ${chain}`);
  container.dataset.sizes = sizes.join(',');
}
