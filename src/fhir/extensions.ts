import type { Coding, Extension } from 'fhir/r4.js';
import { fhirStringText } from '../domain/free-text.js';

/** A sub-extension value: the kinds NeedleChart writes. */
export type ExtensionValue = { valueString: string } | { valueCode: string } | { valueBoolean: boolean } | { valueInteger: number } | { valueDecimal: number } | { valueCoding: Coding } | { valueDate: string } | { extension: Extension[] };

/** Builds a complex extension from [name, value] pairs, leaving out undefined values. */
export function complex(url: string, parts: ReadonlyArray<readonly [string, ExtensionValue | undefined]>): Extension {
  return { url, extension: parts.filter((p): p is readonly [string, ExtensionValue] => p[1] !== undefined).map(([name, value]) => ({ url: name, ...value })) };
}

/**
 * FHIR `string` allows no whitespace but space, tab, CR and LF (pattern `[ \r\n\t\S]+`): other
 * Unicode spaces a user may paste (no-break space, line separator, ideographic space) become spaces,
 * and control characters are dropped. The rules live with the other free-text rules in
 * src/domain/free-text.ts.
 */
export function fhirString(text: string): string {
  return fhirStringText(text);
}

/** FHIR strings cannot be empty: a blank free-text field is written as absent. */
export function nonBlank(text: string | undefined): string | undefined {
  return text?.trim() ? fhirString(text) : undefined;
}

export const str = (v: string | undefined): ExtensionValue | undefined => (v === undefined ? undefined : { valueString: fhirString(v) });
export const code = (v: string | undefined): ExtensionValue | undefined => (v === undefined ? undefined : { valueCode: v });
export const bool = (v: boolean | undefined): ExtensionValue | undefined => (v === undefined ? undefined : { valueBoolean: v });
export const int = (v: number | undefined): ExtensionValue | undefined => (v === undefined ? undefined : { valueInteger: v });
export const date = (v: string | undefined): ExtensionValue | undefined => (v === undefined ? undefined : { valueDate: v });
export const dec = (v: number | undefined): ExtensionValue | undefined => (v === undefined ? undefined : { valueDecimal: v });

/** Reads a complex extension's parts by name. */
export class ExtensionReader {
  constructor(private readonly parts: readonly Extension[]) {}

  static of(extensions: readonly Extension[] | undefined, url: string): ExtensionReader | undefined {
    const found = extensions?.find((e) => e.url === url);
    return found ? new ExtensionReader(found.extension ?? []) : undefined;
  }

  static all(extensions: readonly Extension[] | undefined, url: string): ExtensionReader[] {
    return (extensions ?? []).filter((e) => e.url === url).map((e) => new ExtensionReader(e.extension ?? []));
  }

  private get(name: string): Extension | undefined {
    return this.parts.find((p) => p.url === name);
  }

  string(name: string): string | undefined {
    return this.get(name)?.valueString;
  }

  strings(name: string): string[] {
    return this.parts.filter((p) => p.url === name).map((p) => p.valueString ?? '');
  }

  code(name: string): string | undefined {
    return this.get(name)?.valueCode;
  }

  boolean(name: string): boolean | undefined {
    return this.get(name)?.valueBoolean;
  }

  integer(name: string): number | undefined {
    return this.get(name)?.valueInteger;
  }

  decimal(name: string): number | undefined {
    return this.get(name)?.valueDecimal;
  }

  date(name: string): string | undefined {
    return this.get(name)?.valueDate;
  }

  codes(name: string): string[] {
    return this.parts.filter((p) => p.url === name).map((p) => p.valueCode ?? '');
  }

  coding(name: string): Coding | undefined {
    return this.get(name)?.valueCoding;
  }

  children(name: string): ExtensionReader[] {
    return this.parts.filter((p) => p.url === name).map((p) => new ExtensionReader(p.extension ?? []));
  }
}
