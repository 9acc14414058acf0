/**
 * The character rules for free text: what a therapist types or pastes (notes, response, plan,
 * precautions, names of things) and what NeedleChart writes into FHIR `string`s. Pure functions,
 * used at validation (the session schema's `freeText` fields, src/validation/schema-registry.ts) and
 * when mapping to FHIR (src/fhir/extensions.ts `fhirString`).
 *
 * FHIR `string` (http://hl7.org/fhir/R4/datatypes.html#string): Unicode, sent as UTF-8; it SHOULD NOT
 * hold characters below U+0020 other than TAB, CR and LF, and its JSON pattern `[ \r\n\t\S]+` takes
 * no whitespace but those.
 */

/** `multi-line` fields (response, plan, a muscle's notes) keep line breaks and tabs; `single-line` fields turn them into spaces. */
export type FreeTextKind = 'single-line' | 'multi-line';

/**
 * A UTF-16 surrogate not part of a pair. JSON can carry one (`"\ud800"`), UTF-8 cannot encode it, so
 * it cannot be stored in a FHIR string; such text is refused, not repaired, as we cannot know what
 * character was meant.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** Control characters (C0, DEL, C1): invisible, meaningless in a note, and they break PDFs and logs. */
const CONTROL = /\p{Cc}/gu;
const LINE_BREAK = /\r\n?/g;
/** Any character `keptText` may change: CR, LF and TAB are control characters too. */
const HAS_CONTROL = /\p{Cc}/u;

/** Whitespace other than space, TAB, CR and LF (no-break space, line separator, ideographic space…). */
const OTHER_SPACE = /[^\S \r\n\t]/gu;

/** A control character, or a UTF-16 surrogate (paired or not): text the free-text rules may change or refuse. */
const MAY_CHANGE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

/**
 * Whether any string in `value` (an object, array or string, at any depth) holds text the free-text
 * rules may change: when none does, a session can be checked as it came, without copying it first.
 */
export function mayNeedFreeTextCare(value: unknown): boolean {
  if (typeof value === 'string') return MAY_CHANGE.test(value);
  if (Array.isArray(value)) {
    for (const item of value) if (mayNeedFreeTextCare(item)) return true;
    return false;
  }
  if (value && typeof value === 'object') {
    // Own enumerable keys, as Object.values reads them, without building the array on every preview.
    for (const key in value) if (Object.hasOwn(value, key) && mayNeedFreeTextCare((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * Free text as it is kept. Control characters are dropped, not refused: they come from pastes (word
 * processors, PDFs, other EHRs) and a therapist cannot see them to remove them. CR LF and CR become
 * LF. In a `multi-line` field LF and TAB stay; in a `single-line` field each becomes a space, so words
 * on either side stay apart. Lone surrogates are left for `hasLoneSurrogate` to refuse.
 */
export function keptText(text: string, kind: FreeTextKind): string {
  // Most text holds no control character (line breaks and tabs are ones): nothing to change.
  if (!HAS_CONTROL.test(text)) return text;
  const lines = text.replace(LINE_BREAK, '\n');
  const spaced = kind === 'multi-line' ? lines : lines.replace(/[\t\n]/g, ' ');
  return spaced.replace(CONTROL, (ch) => (ch === '\n' || ch === '\t' ? ch : ''));
}

/**
 * Text as written into a FHIR `string`: Unicode spaces a user may paste become spaces; control
 * characters other than TAB, CR and LF are dropped; a lone surrogate becomes U+FFFD (text from the
 * EHR or a template never went through validation).
 */
export function fhirStringText(text: string): string {
  return text
    .replace(CONTROL, (ch) => (ch === '\n' || ch === '\t' || ch === '\r' ? ch : ''))
    .replace(OTHER_SPACE, ' ')
    .replace(/\p{Cs}/gu, '\ufffd');
}
