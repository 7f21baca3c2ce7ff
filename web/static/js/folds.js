// Escape closes what opens: a fold (<details>, e.g. the home form's advanced options) that holds the
// focus closes on Escape and gives the focus back to its summary, so a keyboard user never has to
// hunt for the toggle again. A key something inside already used (defaultPrevented) is left alone.

/** foldToClose returns the open <details> that Escape from `target` closes, or null. Pure DOM. */
export function foldToClose(target) {
  const fold = target?.closest?.('details[open]');
  return fold && fold.querySelector(':scope > summary') ? fold : null;
}

/** installFoldEscape binds Escape on `doc`. */
export function installFoldEscape(doc = document) {
  doc.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const fold = foldToClose(ev.target);
    if (!fold) return;
    ev.preventDefault();
    fold.open = false;
    fold.querySelector(':scope > summary').focus();
  });
}
