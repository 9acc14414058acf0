// Reading and writing form controls by their data-type (boolean, number, list, datetime…), and the
// builders for generated inputs and selects.

import { el, type Attrs } from './dom.js';

/** A control the form binds to a field. */
export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2026-11-24T09:30" (input) → ISO with this browser's UTC offset. */
export function toIsoWithOffset(local: string): string | undefined {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return undefined;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** Now, as a datetime-local input value. */
export function nowLocal(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The field value a control holds, by its data-type. */
export function readInput(input: Control): unknown {
  const type = input.dataset.type;
  if (type === 'boolean') return (input as HTMLInputElement).checked;
  if (type === 'tristate') return input.value === '' ? undefined : input.value === 'true';
  if (type === 'number' || type === 'integer') {
    if (input.value === '') return undefined;
    const n = Number(input.value);
    return type === 'integer' ? Math.round(n) : n;
  }
  if (type === 'list') return input.value.split(',').map((v) => v.trim()).filter(Boolean);
  if (type === 'multi') return [...(input as HTMLSelectElement).selectedOptions].map((o) => o.value);
  if (type === 'datetime') return toIsoWithOffset(input.value);
  return input.value;
}

/** Shows a field value in a control, by its data-type. */
export function writeInput(input: Control, value: unknown): void {
  const type = input.dataset.type;
  if (type === 'boolean') (input as HTMLInputElement).checked = value === true;
  else if (type === 'tristate') input.value = value === undefined ? '' : String(value);
  else if (type === 'list') input.value = (Array.isArray(value) ? value : []).join(', ');
  else if (type === 'multi') for (const o of (input as HTMLSelectElement).options) o.selected = Array.isArray(value) && value.includes(o.value);
  else if (type === 'datetime') input.value = typeof value === 'string' ? value.slice(0, 16) : '';
  else input.value = value === undefined || value === null ? '' : String(value);
}

/** An input bound to `path`, showing `value`. */
export function field(path: string, value: unknown, attrs: Attrs = {}): HTMLInputElement {
  const input = el('input', { 'data-path': path, ...attrs });
  writeInput(input, value);
  return input;
}

/** A select bound to `path`, with [value, words] options. */
export function select(path: string, value: unknown, options: readonly (readonly [string, string])[], attrs: Attrs = {}): HTMLSelectElement {
  const node = el('select', { 'data-path': path, ...attrs }, ...options.map(([v, label]) => el('option', { value: v, text: label })));
  node.value = typeof value === 'string' ? value : '';
  return node;
}
