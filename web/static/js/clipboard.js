// Copying a link for "Copy link" buttons. Plain http on a classroom network has no clipboard API
// (it needs a secure context), so the copy falls back to a selected, invisible text field.

/** copyText puts text on the clipboard; it resolves to false when the browser refused. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the text field
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/**
 * copyButton makes a hidden "Copy link" button work and shows it: a click copies link() (an
 * absolute address) and says so in `status` (or shows the link to copy by hand).
 */
export function copyButton(button, status, link) {
  if (!button) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    const url = link();
    const ok = await copyText(url);
    button.dataset.copied = url;
    if (status) status.textContent = ok ? 'Link copied: it opens the form with these settings.' : `Copy this link: ${url}`;
    button.textContent = ok ? 'Copied ✓' : 'Copy link';
    setTimeout(() => {
      button.textContent = 'Copy link';
    }, 2500);
  });
}
