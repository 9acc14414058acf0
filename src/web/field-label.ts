// A field's name as the page shows it: its control's aria-label or the text of its label.

import { pathInWords } from './clinic-words.js';

/** The label a field has on screen, or its name in words from its path. */
export function fieldLabel(path: string): string {
  const control = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
  const aria = control?.getAttribute('aria-label');
  if (aria) return aria;
  const label = control?.closest('label');
  const text = label ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join(' ').trim() : '';
  return text || pathInWords(path);
}
