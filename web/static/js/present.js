// Presenter mode: `?present` in the address (or the key P) shows a page for the wall: one screen,
// large type, no form controls. The key toggles the query parameter and reloads, so the server
// renders the right frame and the address can be bookmarked or put on a slide.

/** isPresent reports whether the address asks for presenter mode. */
export function isPresent(loc = globalThis.location) {
  return new URLSearchParams(loc.search).has('present');
}

/** toggledURL returns the address with `present` added or removed. */
export function toggledURL(href) {
  const u = new URL(href);
  if (u.searchParams.has('present')) u.searchParams.delete('present');
  else u.searchParams.set('present', '');
  return u.toString().replace(/present=(&|$)/, 'present$1');
}

/**
 * installPresenter marks the page for presenter CSS and binds the key P (outside text inputs),
 * and Escape in presenter mode, which goes back to the ordinary page (unless something on the
 * page used the key first, e.g. a chart's keyboard selection, chartkeys.js).
 */
export function installPresenter(doc = document) {
  if (isPresent()) doc.documentElement.classList.add('present-mode');
  doc.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const escape = ev.key === 'Escape' && isPresent() && !ev.defaultPrevented;
    if (ev.key !== 'p' && ev.key !== 'P' && !escape) return;
    const t = ev.target;
    if (!escape && t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    location.assign(toggledURL(location.href));
  });
}
