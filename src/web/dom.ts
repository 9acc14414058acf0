// Small DOM helpers shared by the pages: look-ups that fail loudly, elements built as text (never
// markup), and the API call that names the launch.

/** The element with this id; a missing one is a page bug, said at once. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The page has no #${id}`);
  return node as T;
}

/** Attributes for el(): `text` sets the text, `on…` adds a listener, false/null/undefined are skipped. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** An element with attributes and children; text goes in as text, so patient data never becomes markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

/** The type of el(), for modules that receive it. */
export type ElementBuilder = typeof el;

/** The launch this page belongs to (from ?launch=). */
export const launchId = new URLSearchParams(location.search).get('launch') ?? '';

/** A call to NeedleChart's API as this launch. */
export function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, { ...init, headers: { 'x-launch-id': launchId, 'content-type': 'application/json', ...((init.headers as Record<string, string> | undefined) ?? {}) } });
}
