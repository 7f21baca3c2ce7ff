// Number and time formatting shared by the pages. Pure functions, unit-tested in format.test.js.

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** formatInt writes a whole number with thousands separators: 1234 → "1,234". */
export function formatInt(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  return intFormat.format(Math.round(n));
}

/**
 * formatRatio writes a compression ratio K/M: 15.68 → "15.7×", 392 → "392×", 0.5 → "0.50×".
 */
export function formatRatio(r) {
  if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) return '–';
  if (r >= 100) return `${formatInt(r)}×`;
  if (r >= 1) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

/**
 * formatLoss writes a loss with four significant digits and no trailing zeros:
 * 0.012301 → "0.0123", 1.5e-5 → "1.5e-5", 6.43e24 (a diverged run) → "6.43e24".
 */
export function formatLoss(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e5)) {
    const [m, e] = x.toExponential(3).split('e');
    return `${String(Number(m))}e${Number(e)}`;
  }
  return String(Number(x.toPrecision(4)));
}

/**
 * formatDuration writes seconds for people: 8 → "8 s", 72 → "1 min 12 s", 3900 → "1 h 5 min".
 */
export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const r = s % 60;
    return r ? `${m} min ${r} s` : `${m} min`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** formatTick writes an axis tick value with just enough digits for the tick spacing. */
export function formatTick(v, step) {
  if (!Number.isFinite(v)) return '';
  if (Math.abs(v) < step * 1e-6) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e5 || (abs < 1e-3 && abs > 0)) return v.toExponential(1).replace('e+', 'e');
  // As many decimals as the step itself has: step 0.25 → "1.00", step 0.5 → "1.5", step 10 → "20".
  const s = String(Number(step.toPrecision(6)));
  const digits = s.includes('e') ? Math.max(0, -Math.floor(Math.log10(step))) : (s.split('.')[1] || '').length;
  return v.toFixed(Math.min(8, digits));
}
