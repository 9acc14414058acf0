import type { OutcomeMeasureFile } from './types.generated.js';

export type RomMovement = OutcomeMeasureFile['romMovements'][number];
export type RomUnit = RomMovement['unit'];

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/**
 * The unit a range-of-motion movement is measured in (profiles/outcome-measures.json `romMovements`):
 * jaw movements (mouth opening, lateral excursion, protrusion) in millimetres, joint angles in degrees.
 * The movement is free text in the session, so it is matched by id, name or alias without regard to
 * case; a movement the table does not know is undefined (the caller decides). Pure.
 */
export function romUnitOf(movement: string, movements: readonly RomMovement[]): RomUnit | undefined {
  const wanted = normalise(movement);
  const found = movements.find((m) => normalise(m.id) === wanted || normalise(m.display) === wanted || (m.aliases ?? []).some((a) => normalise(a) === wanted));
  return found?.unit;
}

/** What follows a number of the unit: " mm" (with its space) or "°". */
export function romUnitSuffix(unit: RomUnit): string {
  return unit === 'mm' ? ' mm' : '\u00b0';
}

/** "40 mm" or "70°": a measurement with its unit, as a clinician writes it. */
export function formatRom(value: number | string, unit: RomUnit): string {
  return `${value}${romUnitSuffix(unit)}`;
}
