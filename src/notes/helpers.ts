import type { HelperDelegate } from 'handlebars';

/**
 * The only helpers templates may call; pure and unit-tested. Formatting that needs the catalog or
 * the payer is done in the view model, not here.
 */
export const HELPERS: Readonly<Record<string, HelperDelegate>> = {
  /** `{{join list ", "}}`: joins strings; an empty list gives "none". */
  join(list: unknown, separator: unknown): string {
    const sep = typeof separator === 'string' ? separator : ', ';
    return Array.isArray(list) && list.length ? list.map(String).join(sep) : 'none';
  },
  /** `{{yesNo value}}`: "yes" / "no" / "not recorded". */
  yesNo(value: unknown): string {
    return value === true ? 'yes' : value === false ? 'no' : 'not recorded';
  },
  /** `{{#if (eq a b)}}`. */
  eq(a: unknown, b: unknown): boolean {
    return a === b;
  },
  /** `{{codeWithModifiers code modifiers}}`: "20561-GP-GX", the way a claim line reads. */
  codeWithModifiers(code: unknown, modifiers: unknown): string {
    const mods = Array.isArray(modifiers) ? modifiers.map(String) : [];
    return [String(code), ...mods].join('-');
  },
  /** `{{upper text}}`. */
  upper(text: unknown): string {
    return String(text).toUpperCase();
  },
};
