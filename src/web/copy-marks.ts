// Copy-forward on the page: the copy itself, the marks on copied fields, and how a change or a
// confirmation clears them (the rules of what is copied are in copy-forward.ts).

import { copiedAfterRemoving, copiedAfterTouching, copyForwardInto, dateInWords } from './copy-forward.js';
import { $ } from './dom.js';
import { getPath } from './paths.js';
import { changed } from './render.js';
import { saveDraft } from './drafts.js';
import { context, session, state } from './state.js';

/** Last visit's repeating parts carried into today's; each copied field stays marked until changed or confirmed. */
export function copyForward(): void {
  const last = context().lastSession;
  if (!last) return;
  const { session: next, copied } = copyForwardInto(session(), last);
  state.session = next;
  state.copied = copied;
  state.copiedFrom = dateInWords(last.date);
  changed(true);
  $('copy-forward-note').textContent = `Copied from the visit of ${state.copiedFrom}: check and update.`;
}

/** The clinician vouches for every copied value at once. */
export function confirmCopied(): void {
  state.copied = [];
  markCopied();
  saveDraft();
}

/** A field was changed: its copied mark (or its row's) goes. */
export function touchCopied(path: string): void {
  if (!state.copied.length) return;
  state.copied = copiedAfterTouching(state.copied, path);
  markCopied();
}

/** A row of `listPath` was removed: its mark goes and the marks of the rows after it move up. */
export function removeRow(listPath: string, index: number): void {
  (getPath(session(), listPath) as unknown[]).splice(index, 1);
  state.copied = copiedAfterRemoving(state.copied, listPath, index);
}

/**
 * Marks each copied field and row (left border, "copied from …" read by screen readers) and shows how
 * many are left to check next to Save.
 */
export function markCopied(): void {
  const copied = new Set(state.copied);
  $('copied-desc').textContent = `copied from ${state.copiedFrom || 'the last visit'}`;
  for (const node of document.querySelectorAll<HTMLElement>('#visit-form [data-path], #visit-form [data-copy-key]')) {
    const key = node.dataset.copyKey ?? node.dataset.path ?? '';
    const on = copied.has(key);
    node.classList.toggle('nc-copied', on);
    const controls = node.matches('input, select, textarea') ? [node] : [...node.querySelectorAll<HTMLElement>('input, select, textarea')];
    for (const control of controls) {
      if (on) control.setAttribute('aria-describedby', 'copied-desc');
      else if (!control.closest('.nc-copied')) control.removeAttribute('aria-describedby');
    }
  }
  const n = state.copied.length;
  $('copied-count').hidden = n === 0;
  $('copied-count').textContent = n === 1 ? '1 copied value to check' : `${n} copied values to check`;
  $('confirm-copied').hidden = n === 0;
}
