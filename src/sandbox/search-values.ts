import type { RefValue } from './search-request.js';

/** Reading single search values (R4 search: escaping, string normalization, the forms of a reference). */

const REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Splits a search value on commas not escaped with `\` (R4 search, escaping), unescaping `\,` `\$` `\|` `\\`. */
export function splitOnCommas(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) current += value[++i];
    else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Lowercase without accents: how string search compares (R4: "normalized by case and accent"). */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * A reference search value in any of R4's forms: `Type/id`; a bare `id` (the parameter's one target
 * type, or any of its targets); an absolute URL, read as `Type/id` when it is on this server.
 */
export function readReference(value: string, targets: readonly string[] | '*', typeModifier: string | undefined, base: string | undefined): RefValue | undefined {
  let text = value;
  if (base && text.startsWith(`${base}/`) && REFERENCE.test(text.slice(base.length + 1))) text = text.slice(base.length + 1);
  const typed = REFERENCE.exec(text);
  if (typed) return typeModifier && typed[1] !== typeModifier ? { reference: `${typeModifier}/${text}` } : { reference: text };
  if (ID.test(text)) {
    if (typeModifier) return { reference: `${typeModifier}/${text}` };
    return targets !== '*' && targets.length === 1 ? { reference: `${targets[0]}/${text}` } : { id: text, types: targets };
  }
  return /^(https?|urn):/.test(text) ? { reference: text } : undefined;
}
