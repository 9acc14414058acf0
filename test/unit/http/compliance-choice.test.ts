import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openChoices, sealChoice } from '../../../src/http/compliance-choice.js';
import { SealedJson } from '../../../src/smart/sealed-json.js';

const sealer = new SealedJson(randomBytes(32));
const OFFICER = 'Practitioner/staff-1';

describe('picks from the compliance searches', () => {
  it('when the staff member who searched sends a pick back, then it opens into the FHIR reference, and the pick itself carries no id in clear', async () => {
    const choice = await sealChoice(sealer, 'patient', 'Patient/p-maria-lopez', OFFICER);
    expect(choice).not.toMatch(/maria|Patient/i);
    expect(await openChoices(sealer, { patient: choice, from: '2026-01-01' }, OFFICER)).toEqual({ body: { patient: 'Patient/p-maria-lopez', from: '2026-01-01' }, issues: [] });
  });

  it('when another staff member sends the pick, or sends it as the other field, or after it expired, then it is refused naming its field', async () => {
    const choice = await sealChoice(sealer, 'patient', 'Patient/p-maria-lopez', OFFICER, 1_000);
    expect((await openChoices(sealer, { patient: choice }, 'Practitioner/someone-else', 2_000)).issues).toEqual([{ path: 'patient', message: expect.stringMatching(/search for the patient again/) }]);
    expect((await openChoices(sealer, { performer: choice }, OFFICER, 2_000)).issues).toEqual([{ path: 'performer', message: expect.stringMatching(/search for the performer again/) }]);
    expect((await openChoices(sealer, { patient: choice }, OFFICER, 1_000 + 9 * 3_600_000)).issues).toHaveLength(1);
  });

  it('when an API caller sends a plain reference, then it passes unchanged for the filter check', async () => {
    expect(await openChoices(sealer, { patient: 'Patient/p-1', performer: 'Practitioner/pt-1' }, OFFICER)).toEqual({ body: { patient: 'Patient/p-1', performer: 'Practitioner/pt-1' }, issues: [] });
  });
});
