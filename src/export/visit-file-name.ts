/**
 * The names of the payer packet's visit PDFs: what a reviewer recognises (date of service, the
 * patient's family name, their MRN), never a FHIR id, safe on any file system, and unique within the
 * packet. Pure apart from the claims one packet keeps.
 */

/** Letters, digits and hyphens only (accents dropped, other characters as hyphens), at most `max` characters. */
function fileSafe(text: string, max: number): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** "2026-03-04_Lopez_MRN12345": the date of service (the clinic's day), family name and MRN; "Patient" when the name has no usable letters. */
export function visitFileStem(day: string, family: string | undefined, mrn: string | undefined): string {
  const name = fileSafe(family ?? '', 40) || 'Patient';
  const id = mrn ? fileSafe(mrn, 40) : '';
  const mrnPart = id ? (/^MRN/i.test(id) ? id : `MRN${id}`) : '';
  return [fileSafe(day, 10) || 'undated', name, ...(mrnPart ? [mrnPart] : [])].join('_');
}

/**
 * The file names taken in one packet, each by the visit it belongs to: a second visit with the same
 * stem (the same patient twice on one day, or two patients with one family name and no MRN) gets
 * `_2`, `_3`, and a visit asking again gets the name it already holds.
 */
export class VisitFileNames {
  private readonly taken = new Map<string, string>();

  /** Claims `path` for `visit` if it is free or already its own; false when another visit holds it. */
  claim(path: string, visit: string): boolean {
    const holder = this.taken.get(path);
    if (holder !== undefined && holder !== visit) return false;
    this.taken.set(path, visit);
    return true;
  }

  /** The first free `<dir>/<stem>[_n].pdf` for `visit`, claimed. */
  next(dir: string, stem: string, visit: string): string {
    for (let n = 1; ; n++) {
      const path = `${dir}/${stem}${n === 1 ? '' : `_${n}`}.pdf`;
      if (this.claim(path, visit)) return path;
    }
  }
}
