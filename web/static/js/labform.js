// The start forms of the anomaly, feature-extraction and pretraining labs: mark the datasets this
// server cannot load (GET /api/datasets says why), and name the classes of the chosen dataset in
// a class picker.

/** unavailableLabel returns the text of a dataset option that cannot be used, or ''. Pure. */
export function unavailableLabel(info) {
  return info && info.available === false ? `${info.title || info.name}: not available on this server` : '';
}

/**
 * enhanceStartForm fetches the dataset list and (1) disables the options of `select[name=dataset]`
 * whose dataset is unavailable, (2) calls onDataset(info) with the chosen dataset's description now
 * and on every change (e.g. to rename a class picker). Failures leave the form as it is: the server
 * checks everything again.
 */
export async function enhanceStartForm({ form = document.querySelector('[data-testid="lab-start-form"]'), onDataset = () => {} } = {}) {
  const select = form?.querySelector('select[name="dataset"]');
  if (!select) return;
  let list = [];
  try {
    const res = await fetch('/api/datasets', { headers: { Accept: 'application/json' } });
    if (res.ok) list = (await res.json()).datasets || [];
  } catch {
    return;
  }
  const byName = new Map(list.map((d) => [d.name, d]));
  for (const opt of select.options) {
    const info = byName.get(opt.value);
    const why = unavailableLabel(info);
    if (why) {
      opt.disabled = true;
      opt.textContent = why;
      if (opt.selected) select.value = [...select.options].find((o) => !o.disabled)?.value ?? select.value;
    }
  }
  const changed = () => onDataset(byName.get(select.value) || null);
  select.addEventListener('change', changed);
  changed();
}
