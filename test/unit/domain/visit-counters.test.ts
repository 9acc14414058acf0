import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../../src/profiles/load-profiles.js';
import { payerVisitLimitOf, plannedVisits, visitCounters } from '../../../src/domain/visit-counters.js';

const plan = { date: '2026-11-02', visitsPerWeek: 2, weeks: 4 };

describe('visit N of the plan of care and of the payer\'s limit', () => {
  it('when the plan is 2 visits a week for 4 weeks and this is visit 3, then it reads visit 3 of 8 with no alert', () => {
    expect(visitCounters(3, plan)).toEqual({ planOfCare: { visit: 3, of: 8, text: 'Visit 3 of 8 in the plan of care' }, alerts: [] });
  });

  it('when this is the last planned visit, then an alert asks for the plan to be updated before the next visit', () => {
    expect(visitCounters(8, plan).alerts).toEqual(['This is the last visit the plan of care allows (8): update or recertify the plan before the next visit.']);
  });

  it('when this visit is beyond the plan, then the alert says so before treating', () => {
    expect(visitCounters(9, plan).alerts).toEqual(['Visit 9 is beyond the 8 visits in the plan of care: update or recertify the plan before treating.']);
  });

  it('when the plan gives no frequency or duration, then there is no plan counter', () => {
    expect(visitCounters(3, { date: '2026-11-02', weeks: 4 })).toEqual({ alerts: [] });
    expect(plannedVisits(undefined)).toBeUndefined();
  });

  it('when the payer allows 3 visits and 6 with justification, then visit 2 reads 2 of 3 with no alert', () => {
    expect(visitCounters(2, undefined, { visits: 3, visitsWithJustification: 6, payer: 'Washington L&I' })).toEqual({
      payer: { visit: 2, of: 3, text: 'Visit 2 of 3 allowed by Washington L&I, up to 6 with documented justification' },
      alerts: [],
    });
  });

  it.each([
    [3, 'This is the last visit Washington L&I allows without documented justification (3).'],
    [4, 'Visit 4 is beyond the 3 visits Washington L&I allows: document the justification (up to 6 visits).'],
    [6, 'This is the last visit Washington L&I allows even with documented justification (6).'],
    [7, 'Visit 7 is beyond the 6 visits Washington L&I allows even with documented justification: it will not be paid.'],
  ])('when this is visit %s against a limit of 3 (6 with justification), then the alert reads in plain words', (visit, alert) => {
    expect(visitCounters(visit, undefined, { visits: 3, visitsWithJustification: 6, payer: 'Washington L&I' }).alerts).toEqual([alert]);
  });

  it('when the payer has a single limit and no name, then at and beyond it the alert speaks of the payer in words', () => {
    expect(visitCounters(12, undefined, { visits: 12 }).alerts).toEqual(['This is the last visit the payer allows (12).']);
    expect(visitCounters(12, undefined, { visits: 12 }).payer?.text).toBe('Visit 12 of 12 allowed by the payer');
    expect(visitCounters(13, undefined, { visits: 12 }).alerts).toEqual(['Visit 13 is beyond the 12 visits the payer allows: it will not be paid.']);
  });

  it('when both limits are reached, then both alerts come back, the plan first', () => {
    const result = visitCounters(8, plan, { visits: 8 });
    expect(result.planOfCare?.text).toBe('Visit 8 of 8 in the plan of care');
    expect(result.alerts).toHaveLength(2);
    expect(result.alerts[0]).toMatch(/plan of care/);
  });

  it('when the payer files are read, then only Washington L&I states a visit limit (3, 6 with justification) and no other limit is assumed', async () => {
    const { profiles } = await loadProfiles();
    const limits = [...profiles.payers.values()].map((p) => [p.id, payerVisitLimitOf(p)]);
    expect(limits.filter(([, l]) => l !== undefined)).toEqual([['wa-lni', { visits: 3, visitsWithJustification: 6, payer: profiles.payers.get('wa-lni')?.name }]]);
  });
});
