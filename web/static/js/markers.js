// Markers of setting changes on the loss chart: each `change` of the live stream
// (docs/protocol.md) is a vertical line at its epoch, labelled e.g. "lr 0.001 → 0.0001".

/** num formats a setting's value compactly: 0.001, 0.0001, 1e-5, 4, 0.3. */
export function num(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e5)) return v.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

const SHORT = { learning_rate: 'lr', beta: 'β', noise: 'noise' };

/** changeLabel is the marker's label for one change. */
export function changeLabel(c) {
  const name = SHORT[c.field] || String(c.field);
  if (c.field === 'noise') {
    const from = c.from_kind && c.from_kind !== c.to_kind ? `${c.from_kind} ${num(c.from)}` : num(c.from);
    const to = c.to_kind && c.from_kind !== c.to_kind ? `${c.to_kind} ${num(c.to)}` : num(c.to);
    return `${name} ${from} → ${to}`;
  }
  return `${name} ${num(c.from)} → ${num(c.to)}`;
}

/** validChanges keeps the well-formed changes of a message or snapshot. */
export function validChanges(list) {
  if (!Array.isArray(list)) return [];
  return list.filter((c) => c && typeof c.field === 'string' && Number.isFinite(c.epoch) && Number.isFinite(c.step));
}

/**
 * markerGroups gathers the changes made at the same step into one marker (a request that set the
 * learning rate and β together): [{epoch, step, label}], in step order.
 */
export function markerGroups(changes) {
  const by = new Map();
  for (const c of changes) {
    const g = by.get(c.step) || { epoch: c.epoch, step: c.step, labels: [] };
    g.labels.push(changeLabel(c));
    by.set(c.step, g);
  }
  return [...by.values()].sort((a, b) => a.step - b.step).map((g) => ({ epoch: g.epoch, step: g.step, label: g.labels.join(', ') }));
}

/**
 * drawMarkers is a uPlot draw hook: a dashed vertical line per marker across the plot area, its
 * label at the top (on a white ground, so it reads over the curves).
 */
export function drawMarkers(u, markers) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const dpr = window.devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `700 ${Math.round(14 * dpr)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left'; // uPlot leaves the axes' alignment on the context
  let row = 0;
  for (const m of markers) {
    const x = Math.round(u.valToPos(m.epoch, 'x', true));
    if (x < left || x > left + width) continue;
    ctx.strokeStyle = '#000000';
    ctx.lineWidth = 2 * dpr;
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    const w = ctx.measureText(m.label).width + 8 * dpr;
    const tx = Math.min(x + 4 * dpr, left + width - w);
    const ty = top + 4 * dpr + (row % 3) * 20 * dpr; // neighbours stack instead of overlapping
    ctx.fillStyle = 'rgba(255,255,255,0.9)';
    ctx.fillRect(tx, ty, w, 18 * dpr);
    ctx.fillStyle = '#000000';
    ctx.fillText(m.label, tx + 4 * dpr, ty + 2 * dpr);
    row++;
  }
  ctx.restore();
}
