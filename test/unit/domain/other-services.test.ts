import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSuggestion } from '../../../src/domain/coding-types.js';
import { suggestCodes } from '../../../src/domain/suggest-codes.js';
import type { PayerPolicy, Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { completeSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

function payer(id: string): PayerPolicy {
  const p = core.profiles.payers.get(id);
  if (!p) throw new Error(`no payer ${id}`);
  return p;
}

const suggest = (session: Session): CodeSuggestion => suggestCodes(session, payer(session.payer), core.profiles);
const line = (s: CodeSuggestion, code: string) => s.codes.find((c) => c.code === code);
const rules = (s: CodeSuggestion) => s.warnings.map((w) => w.rule);
const attended = (minutes: number): Session['estim'] => ({ applied: true, attended: true, minutes, frequencyHz: 2, waveform: 'x', intensity: 'y', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }] });

describe('the other services of the visit (session.services, codes.json role other-service)', () => {
  it('when manual therapy, exercise and hot packs are charted, then each appears as a claim line with units, GP and a plain rationale', () => {
    const result = suggest(completeSession({ services: [{ code: '97140', minutes: 20, regions: ['hip'] }, { code: '97110', minutes: 25 }, { code: '97010', minutes: 10 }] }));
    expect(result.codes.map((c) => c.code)).toEqual(['20560', '97140', '97110', '97010']);
    expect(line(result, '97140')).toMatchObject({ units: 1, billable: true, modifiers: ['GP'], system: 'http://www.ama-assn.org/go/cpt' });
    expect(line(result, '97110')).toMatchObject({ units: 2, billable: true });
    expect(line(result, '97010')).toMatchObject({ units: 1, billable: true });
    expect(line(result, '97010')?.rationale).toBe('Check this with the payer: The patient had hot or cold packs: an untimed service, one unit for the visit whatever its minutes.');
    expect(line(result, '97010')?.verified).toBe(false);
    expect(line(result, '97140')?.rationale).toContain("the visit's timed services add up to 45 minutes, 3 units in all");
    expect(line(result, '97140')?.citations.map((c) => c.id)).toEqual(expect.arrayContaining(['cms-100-04-5', 'physicaltherapy-com-8-minute', 'chirosecure-8-minute-2014']));
    expect(line(result, '97140')?.rationale).toMatch(/^Manual therapy/);
  });

  it('when attended e-stim and manual therapy share the visit, then the 8-minute rule runs over their total (7 + 7 minutes: one unit, to the service charted first)', () => {
    const result = suggest(completeSession({ estim: attended(7), services: [{ code: '97140', minutes: 7 }] }));
    expect(line(result, '97032')).toMatchObject({ units: 1, billable: true });
    expect(line(result, '97140')).toMatchObject({ units: 0, billable: false });
    expect(rules(result)).not.toContain('estim-under-8-minutes');
  });

  it('when e-stim alone would take 2 units but other timed minutes share the total, then units follow the whole visit (24 + 23 minutes: 3 in all)', () => {
    const result = suggest(completeSession({ estim: attended(24), services: [{ code: '97112', minutes: 23 }] }));
    expect(line(result, '97032')).toMatchObject({ units: 2 });
    expect(line(result, '97112')).toMatchObject({ units: 1 });
  });

  it('when e-stim takes no unit because other services had more minutes, then the warning says the minutes went to the total', () => {
    const result = suggest(completeSession({ estim: attended(3), services: [{ code: '97110', minutes: 20 }] }));
    expect(line(result, '97032')).toMatchObject({ units: 0, billable: false });
    expect(result.warnings.find((w) => w.rule === 'estim-under-8-minutes')?.message).toContain("its minutes count toward the visit's timed total");
  });

  it('when the timed services together last under 8 minutes, then no timed unit is billed and a warning says so', () => {
    const result = suggest(completeSession({ services: [{ code: '97110', minutes: 3 }, { code: '97140', minutes: 4 }] }));
    expect(result.codes.filter((c) => c.code !== '20560').every((c) => c.units === 0 && !c.billable)).toBe(true);
    expect(rules(result)).toContain('timed-under-8-minutes');
  });

  it('when an untimed service is charted, then its minutes do not count toward the timed total', () => {
    const result = suggest(completeSession({ services: [{ code: '97010', minutes: 15 }, { code: '97140', minutes: 7 }] }));
    expect(line(result, '97140')).toMatchObject({ units: 0 });
  });

  it('when the payer is Medicare, then GX stays off the other services (it is for the needling alone)', () => {
    const result = suggest(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-13' }, services: [{ code: '97110', minutes: 15 }] }));
    expect(line(result, '97110')?.modifiers).toEqual(['GP']);
    expect(line(result, '20560')?.modifiers).toEqual(['GP', 'GX']);
  });

  it('when a service code was not in force on the date of service, then it is not suggested and a warning says so', () => {
    const result = suggest(completeSession({ date: '2013-06-03T10:00:00-05:00', services: [{ code: '97140', minutes: 15 }] }));
    expect(line(result, '97140')).toBeUndefined();
    expect(result.warnings.find((w) => w.rule === 'code-not-in-force')?.path).toBe('services[0].code');
  });
});

describe('97140 with 20560/20561 (correct-coding edit; 59/XS only for a distinct region, as advice)', () => {
  const lowBack = [muscle('quadratus-lumborum', 'left')];

  it('when manual therapy is in the region needled, then the edit warning says it is not separately payable there and 59/XS do not fit', () => {
    const result = suggest(completeSession({ muscles: lowBack, services: [{ code: '97140', minutes: 15, regions: ['lumbopelvic'] }] }));
    const warning = result.warnings.find((w) => w.rule === 'manual-therapy-with-needling');
    expect(warning?.message).toMatch(/^Check this with the payer: Manual therapy \(97140\) and dry needling \(20560\) on the same day are paired by the correct-coding edits\. Manual therapy to the low back and pelvis was in the region needled/);
    expect(warning?.message).toContain('59 and XS do not fit');
    expect(warning).toMatchObject({ verified: false, path: 'services[0]' });
  });

  it('when manual therapy is in a region apart from every needled muscle, then 59 or XS is suggested, as advice', () => {
    const result = suggest(completeSession({ muscles: lowBack, services: [{ code: '97140', minutes: 15, regions: ['neck', 'shoulder'] }] }));
    const warning = result.warnings.find((w) => w.rule === 'manual-therapy-with-needling');
    expect(warning?.message).toContain('Manual therapy was applied to the neck and shoulder, apart from the needling: 59, or XS for a separate structure, may be added to 97140');
    expect(warning?.message).toMatch(/^Check this with the payer: /);
  });

  it('when manual therapy covers the region needled and another, then only the other region may carry 59 or XS', () => {
    const message = suggest(completeSession({ muscles: lowBack, services: [{ code: '97140', minutes: 15, regions: ['lumbopelvic', 'neck'] }] })).warnings.find((w) => w.rule === 'manual-therapy-with-needling')?.message;
    expect(message).toContain('Only the manual therapy to the neck was apart from it and may carry 59 or XS');
  });

  it('when manual therapy has no region recorded, then the warning asks where it was applied and suggests no modifier', () => {
    const message = suggest(completeSession({ services: [{ code: '97140', minutes: 15 }] })).warnings.find((w) => w.rule === 'manual-therapy-with-needling')?.message;
    expect(message).toContain('record where manual therapy was applied');
  });

  it('when no manual therapy is charted, or the visit predates 20560 (20999), then no edit warning', () => {
    expect(rules(suggest(completeSession({ services: [{ code: '97110', minutes: 15 }] })))).not.toContain('manual-therapy-with-needling');
    expect(rules(suggest(completeSession({ date: '2019-06-03T10:00:00-05:00', services: [{ code: '97140', minutes: 15, regions: ['lumbopelvic'] }] })))).not.toContain('manual-therapy-with-needling');
  });

  it('when the edit warning is shown, then no 59 or XS is put on any line by itself', () => {
    const result = suggest(completeSession({ muscles: lowBack, services: [{ code: '97140', minutes: 15, regions: ['neck'] }] }));
    expect(result.codes.flatMap((c) => [...c.modifiers, ...c.optionalModifiers])).not.toEqual(expect.arrayContaining(['59']));
    expect(result.codes.flatMap((c) => [...c.modifiers, ...c.optionalModifiers])).not.toContain('XS');
  });
});
