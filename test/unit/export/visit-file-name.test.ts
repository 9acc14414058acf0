import { describe, expect, it } from 'vitest';
import { visitFileStem, VisitFileNames } from '../../../src/export/visit-file-name.js';

describe('visit PDF names in the payer packet', () => {
  it('when a visit has a date, a family name and an MRN, then its name reads date_Family_MRN, with MRN said once', () => {
    expect(visitFileStem('2026-03-04', 'Lopez', '12345')).toBe('2026-03-04_Lopez_MRN12345');
    expect(visitFileStem('2026-03-04', 'Lopez', 'MRN-MARIA-LOPEZ')).toBe('2026-03-04_Lopez_MRN-MARIA-LOPEZ');
  });

  it('when the name or MRN holds accents, spaces, slashes or dots, then the name keeps letters, digits and hyphens only', () => {
    expect(visitFileStem('2026-03-04', "Núñez de O'Brien", '12/34.5')).toBe('2026-03-04_Nunez-de-O-Brien_MRN12-34-5');
    expect(visitFileStem('2026-03-04', '../../etc', undefined)).toBe('2026-03-04_etc');
    expect(visitFileStem('2026-03-04', '李', undefined)).toBe('2026-03-04_Patient');
  });

  it('when two visits would share a name, then the second gets _2, and a visit asking again keeps its own', () => {
    const names = new VisitFileNames();
    expect(names.next('visits', '2026-03-04_Lopez', 'proc-a')).toBe('visits/2026-03-04_Lopez.pdf');
    expect(names.next('visits', '2026-03-04_Lopez', 'proc-b')).toBe('visits/2026-03-04_Lopez_2.pdf');
    expect(names.next('visits', '2026-03-04_Lopez', 'proc-a')).toBe('visits/2026-03-04_Lopez.pdf');
    expect(names.claim('visits/2026-03-04_Lopez_2.pdf', 'proc-a')).toBe(false);
  });
});
