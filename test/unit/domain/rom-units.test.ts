import { beforeAll, describe, expect, it } from 'vitest';
import type { Profiles } from '../../../src/domain/profiles.js';
import { formatRom, romUnitOf, type RomMovement } from '../../../src/domain/rom-units.js';
import { loadProfiles } from '../../../src/profiles/load-profiles.js';

let movements: readonly RomMovement[];
beforeAll(async () => {
  const { profiles }: { profiles: Profiles } = await loadProfiles();
  movements = profiles.files.outcomeMeasures.romMovements;
});

describe('the unit of a range-of-motion movement', () => {
  it.each([
    ['Mouth opening', 'mm'],
    ['maximum mouth opening', 'mm'],
    ['Lateral excursion', 'mm'],
    ['protrusion', 'mm'],
    ['Cervical rotation', 'degrees'],
    ['  NECK   ROTATION ', 'degrees'],
    ['cervical-side-bending', 'degrees'],
    ['Shoulder abduction', 'degrees'],
  ])('when the movement is "%s", then it is measured in %s', (movement, unit) => {
    expect(romUnitOf(movement, movements)).toBe(unit);
  });

  it('when the movement is not in the table, then the unit is unknown rather than guessed', () => {
    expect(romUnitOf('Thumb opposition', movements)).toBeUndefined();
  });

  it('when the table is plain data, then the match uses it', () => {
    expect(romUnitOf('Jaw gap', [{ id: 'jaw-gap', display: 'Jaw gap', unit: 'mm' }])).toBe('mm');
  });

  it('when a value is written with its unit, then millimetres and degrees read as a clinician writes them', () => {
    expect(formatRom(42, 'mm')).toBe('42 mm');
    expect(formatRom(70, 'degrees')).toBe('70\u00b0');
  });
});
