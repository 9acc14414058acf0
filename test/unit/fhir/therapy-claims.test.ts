import type { ExplanationOfBenefit } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { therapyAllowedThisYear } from '../../../src/fhir/therapy-claims.js';

const ADJ = 'http://terminology.hl7.org/CodeSystem/adjudication';

function claim(start: string, lines: { modifier?: string; eligible?: number; submitted?: number }[], status: ExplanationOfBenefit['status'] = 'active'): ExplanationOfBenefit {
  return {
    resourceType: 'ExplanationOfBenefit',
    status,
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: 'Patient/p-1' },
    created: start,
    billablePeriod: { start },
    insurer: { reference: 'Organization/medicare' },
    provider: { reference: 'Organization/clinic' },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { reference: 'Coverage/c-1' } }],
    item: lines.map((l, i) => ({
      sequence: i + 1,
      productOrService: { coding: [{ code: '97110' }] },
      ...(l.modifier ? { modifier: [{ coding: [{ code: l.modifier }] }] } : {}),
      adjudication: [
        ...(l.submitted !== undefined ? [{ category: { coding: [{ system: ADJ, code: 'submitted' }] }, amount: { value: l.submitted, currency: 'USD' } }] : []),
        ...(l.eligible !== undefined ? [{ category: { coding: [{ system: ADJ, code: 'eligible' }] }, amount: { value: l.eligible, currency: 'USD' } }] : []),
      ],
    })),
  };
}

describe("this year's allowed therapy amount from the chart's claims (KX threshold)", () => {
  it('when claims hold therapy lines this year before the visit, then their allowed amounts are summed; other years, later dates, non-therapy lines and retracted claims are not', () => {
    const claims = [
      claim('2026-02-03', [{ modifier: 'GP', eligible: 1200.5, submitted: 1500 }, { modifier: 'GP', eligible: 300 }]),
      claim('2026-06-10', [{ modifier: 'GN', eligible: 800 }, { eligible: 999 }]),
      claim('2025-12-30', [{ modifier: 'GP', eligible: 5000 }]),
      claim('2026-11-20', [{ modifier: 'GP', eligible: 400 }]),
      claim('2026-03-01', [{ modifier: 'GP', eligible: 700 }], 'entered-in-error'),
    ];
    expect(therapyAllowedThisYear(claims, '2026-11-20T09:00:00-05:00')).toBe(2300.5);
  });

  it('when a therapy line has no allowed amount (only what was billed), then it adds nothing rather than the billed charge', () => {
    expect(therapyAllowedThisYear([claim('2026-04-01', [{ modifier: 'GP', submitted: 2500 }])], '2026-11-20T09:00:00Z')).toBe(0);
  });
});
