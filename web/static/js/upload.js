// The "Use your own data (CSV)" form, sent with fetch to POST /api/datasets (docs/api.md) so that
// nothing typed in the new-session form is lost: on success the new dataset's card, as the server
// renders it (taken from /?dataset=<name>), joins the picker already selected, and its thumbnail
// is drawn. Without this script the form posts to /datasets and the server redirects home with the
// dataset selected, or shows the page again with the message.

import { loadThumb } from './thumbs.js';

/**
 * fitDefaults returns the new-session fields to change so that the form fits a newly chosen
 * dataset `ds` (as home-boot describes it): a bottleneck at least as wide as the data becomes 2
 * (or K − 1), and a sigmoid output becomes linear for data outside [0, 1]. The server does the
 * same for /?dataset=<name>. Pure; exported for tests.
 */
export function fitDefaults(values, ds) {
  const out = {};
  const k = ds?.features;
  const m = Number(values.bottleneck);
  if (Number.isInteger(k) && k > 1 && Number.isInteger(m) && m >= k) out.bottleneck = String(Math.min(2, k - 1));
  if ((ds?.value_min < 0 || ds?.value_max > 1) && values.output_activation === 'sigmoid') {
    out.output_activation = 'linear';
  }
  return out;
}

/** cardFromPage finds the dataset's card, its home-boot entry and the notice in a home page's HTML. */
export function cardFromPage(html, name) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  let boot = {};
  try {
    boot = JSON.parse(doc.getElementById('home-boot')?.textContent || '{}');
  } catch {
    boot = {};
  }
  return {
    card: doc.querySelector(`[data-testid="dataset-${CSS.escape(name)}"]`),
    ds: (boot.datasets || []).find((d) => d.name === name),
    notice: doc.querySelector('[data-testid="upload-notice"]')?.textContent.trim() || '',
  };
}

/**
 * enhanceUpload makes the upload form send with fetch. `configForm` is the new-session form whose
 * dataset cards gain the new card; `datasets` is home.js's map of dataset descriptions (name →
 * home-boot entry), which gains the new dataset before its card is selected.
 */
export function enhanceUpload(uploadForm, configForm, datasets) {
  if (!uploadForm || !configForm || !window.fetch || !window.FormData || !window.DOMParser) return;
  const q = (id) => document.querySelector(`[data-testid="${id}"]`);
  const errorSlot = q('upload-error');
  const status = q('upload-status');
  const notice = q('upload-notice');
  const button = q('upload-button');
  const fileInput = q('upload-file');

  const showError = (msg) => {
    errorSlot.textContent = msg;
    errorSlot.hidden = msg === '';
    if (msg) fileInput.setAttribute('aria-invalid', 'true');
    else fileInput.removeAttribute('aria-invalid');
  };

  uploadForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    if (!fileInput.files || fileInput.files.length === 0) {
      showError('Choose a CSV file to upload.');
      fileInput.focus();
      return;
    }
    const maxMiB = Number(uploadForm.dataset.maxMib);
    if (maxMiB > 0 && fileInput.files[0].size > maxMiB * 1024 * 1024) {
      showError(`The file is larger than ${maxMiB} MiB, the most this server accepts.`);
      return;
    }
    button.disabled = true;
    status.textContent = 'Uploading and checking the file…';
    try {
      const res = await fetch('/api/datasets', {
        method: 'POST',
        body: new FormData(uploadForm),
        headers: { Accept: 'application/json' },
      });
      const out = await res.json().catch(() => ({}));
      if (!res.ok) {
        status.textContent = '';
        showError(out.error || `The upload failed (HTTP ${res.status}).`);
        return;
      }
      status.textContent = 'Uploaded. Adding it to the datasets…';
      const page = await fetch(`/?dataset=${encodeURIComponent(out.name)}`).then((r) => r.text());
      const { card, ds, notice: text } = cardFromPage(page, out.name);
      if (!card || !ds) {
        window.location.assign(`/?dataset=${encodeURIComponent(out.name)}#upload`);
        return;
      }
      datasets.set(ds.name, ds);
      const node = document.importNode(card, true);
      const cards = configForm.querySelector('.dataset-cards');
      const uploadCard = cards?.querySelector('.upload-card'); // the "+ Your own data" card stays last
      if (uploadCard) cards.insertBefore(node, uploadCard);
      else cards?.append(node);
      const radio = node.querySelector('input[type="radio"]');
      for (const [name, value] of Object.entries(fitDefaults(readValues(configForm), ds))) {
        const el = configForm.elements.namedItem(name);
        if (el) el.value = value;
      }
      if (radio) {
        radio.checked = true;
        radio.dispatchEvent(new Event('change', { bubbles: true }));
      }
      const canvas = node.querySelector('canvas.dataset-thumb');
      if (canvas) loadThumb(canvas, datasets);
      uploadForm.reset();
      status.textContent = '';
      if (notice) {
        notice.textContent = text || `“${ds.title}” is ready and selected above.`;
        notice.hidden = false;
      }
      node.scrollIntoView({ block: 'center', behavior: 'smooth' });
      radio?.focus({ preventScroll: true });
    } catch (err) {
      status.textContent = '';
      showError('Could not reach the server to upload the file; check the connection and try again.');
      console.warn('upload failed', err);
    } finally {
      button.disabled = false;
    }
  });
}

function readValues(form) {
  const v = (name) => form.elements.namedItem(name)?.value ?? '';
  return { bottleneck: v('bottleneck'), output_activation: v('output_activation') };
}
