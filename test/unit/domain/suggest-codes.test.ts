import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSuggestion } from '../../../src/domain/coding-types.js';
import { unitsByEightMinuteRule } from '../../../src/domain/estim-units.js';
import { suggestCodes } from '../../../src/domain/suggest-codes.js';
import type { PayerPolicy, Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { completeSession, exampleSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

function payer(id: string): PayerPolicy {
  const p = core.profiles.payers.get(id);
  if (!p) throw new Error(`no payer ${id}`);
  return p;
}

function suggest(session: Session, payerId = session.payer, visitNumber?: number): CodeSuggestion {
  return suggestCodes(session, payer(payerId), core.profiles, visitNumber === undefined ? {} : { visitNumber });
}

const needling = (s: CodeSuggestion) => s.codes.filter((c) => ['20560', '20561', '20999'].includes(c.code));
const rules = (s: CodeSuggestion) => s.warnings.map((w) => w.rule);

describe('needling code by distinct muscle count (codes.json 20560/20561)', () => {
  it.each([
    ['one muscle', '20560', [muscle('gluteus-medius', 'left')]],
    ['two different muscles', '20560', [muscle('gluteus-medius', 'left'), muscle('piriformis', 'left')]],
    ['three different muscles', '20561', [muscle('gluteus-medius', 'left'), muscle('piriformis', 'left'), muscle('gluteus-minimus', 'left')]],
    ['left and right of one muscle (two muscles: bilateral counts as two)', '20560', [muscle('gluteus-medius', 'left'), muscle('gluteus-medius', 'right')]],
    ['left and right of one muscle plus another (three muscles)', '20561', [muscle('gluteus-medius', 'left'), muscle('gluteus-medius', 'right'), muscle('piriformis', 'left')]],
    ['the same muscle and side entered three times (one muscle)', '20560', [muscle('piriformis', 'left'), muscle('piriformis', 'left'), muscle('piriformis', 'left')]],
  ])('when %s is needled, then %s is suggested once with one unit', (_label, code, muscles) => {
    const result = suggest(completeSession({ muscles }));
    expect(needling(result)).toHaveLength(1);
    expect(needling(result)[0]).toMatchObject({ code, units: 1, system: 'http://www.ama-assn.org/go/cpt' });
  });

  it('when many needles go into one muscle, then the unit is still one muscle, not needles', () => {
    const result = suggest(completeSession({ muscles: [muscle('gluteus-medius', 'left', { needles: 12 })] }));
    expect(needling(result)[0]).toMatchObject({ code: '20560', units: 1 });
  });

  it('when 20560 and 20561 could both apply, then never both are suggested (one of the two per session)', () => {
    const five = ['gluteus-medius', 'piriformis', 'gluteus-minimus', 'gluteus-maximus', 'tensor-fasciae-latae'].map((m) => muscle(m, 'right'));
    const codes = suggest(completeSession({ muscles: five })).codes.map((c) => c.code);
    expect(codes.filter((c) => c === '20560' || c === '20561')).toEqual(['20561']);
  });

  it('when the same muscle on the same side is entered twice, then it is merged with a warning naming both entries by number', () => {
    const result = suggest(completeSession({ muscles: [muscle('piriformis', 'left'), muscle('gluteus-medius', 'left'), muscle('piriformis', 'left')] }));
    expect(needling(result)[0]?.code).toBe('20560');
    const warning = result.warnings.find((w) => w.rule === 'duplicate-muscle');
    expect(warning?.message).toContain('left piriformis');
    expect(warning?.message).toContain('entries 1 and 3');
    expect(warning?.path).toBe('muscles[2]');
  });

  it('when the payer counts left and right as one muscle, then both sides count once and no duplicate is claimed', () => {
    const base = payer('commercial-covered');
    const oneSide: PayerPolicy = { ...base, id: 'sides-together', rules: { ...base.rules, bilateralCountsAsTwo: { value: false, citations: ['aapc-tpi-muscles'], effective: '2020-01-01', verified: true } } };
    const muscles = [muscle('gluteus-medius', 'left'), muscle('gluteus-medius', 'right'), muscle('piriformis', 'left'), muscle('piriformis', 'right')];
    const result = suggestCodes(completeSession({ muscles }), oneSide, core.profiles);
    expect(needling(result)[0]?.code).toBe('20560');
    expect(needling(result)[0]?.rationale).toContain('left and right counted as one muscle');
    expect(rules(result)).not.toContain('duplicate-muscle');
  });

  it('when a region word such as thoracic paraspinals is charted, then a warning says it is not counted toward 20560 or 20561 (AAPC)', () => {
    const result = suggest(completeSession({ muscles: [muscle('thoracic-paraspinals', 'left')] }));
    expect(result.warnings.find((w) => w.rule === 'region-not-muscle')).toMatchObject({ path: 'muscles[0].muscle' });
  });

  it('when quadratus lumborum left and lumbar erector spinae left and right are charted, then 20560 (one named muscle) and the regions are named with the muscles to choose instead', () => {
    const result = suggest(completeSession({ muscles: [muscle('quadratus-lumborum', 'left'), muscle('lumbar-erector-spinae', 'left'), muscle('lumbar-erector-spinae', 'right')] }));
    expect(needling(result)).toHaveLength(1);
    expect(needling(result)[0]).toMatchObject({ code: '20560', units: 1 });
    expect(needling(result)[0]?.rationale).toContain('1 distinct muscle needled (left quadratus lumborum;');
    expect(needling(result)[0]?.rationale).toContain('Not counted: left lumbar erector spinae and right lumbar erector spinae, which name regions');
    expect(needling(result)[0]?.rationale).toContain('longissimus lumborum, iliocostalis lumborum or lumbar multifidus');
    const regions = result.warnings.filter((w) => w.rule === 'region-not-muscle');
    expect(regions.map((w) => w.path)).toEqual(['muscles[1].muscle', 'muscles[2].muscle']);
    expect(regions[0]?.message).toContain('longissimus lumborum, iliocostalis lumborum or lumbar multifidus');
    expect(regions[0]?.message).not.toContain('may not count');
  });

  it('when quadratus lumborum left and lumbar multifidus left and right are charted, then 20561 (three named muscles) with no region warning', () => {
    const result = suggest(completeSession({ muscles: [muscle('quadratus-lumborum', 'left'), muscle('lumbar-multifidus', 'left'), muscle('lumbar-multifidus', 'right')] }));
    expect(needling(result)[0]).toMatchObject({ code: '20561', units: 1 });
    expect(rules(result)).not.toContain('region-not-muscle');
  });

  it.each([
    ['thoracic-paraspinals', ['thoracic multifidus', 'longissimus thoracis', 'iliocostalis thoracis']],
    ['suboccipitals', ['rectus capitis posterior major', 'rectus capitis posterior minor', 'obliquus capitis superior', 'obliquus capitis inferior']],
    ['wrist-extensors', ['extensor carpi radialis longus', 'extensor carpi radialis brevis', 'extensor carpi ulnaris', 'extensor digitorum']],
    ['wrist-flexors', ['flexor carpi radialis', 'flexor carpi ulnaris', 'flexor digitorum superficialis']],
    ['intercostals', ['external intercostals', 'internal intercostals']],
  ])('when only the region %s is charted, then no muscle is counted, the needling line is not billable, and the named muscles are offered', (region, named) => {
    const result = suggest(completeSession({ muscles: [muscle(region, 'left')] }));
    expect(needling(result)[0]).toMatchObject({ code: '20560', units: 1, billable: false });
    expect(needling(result)[0]?.rationale).toContain('No named muscle was charted');
    const message = result.warnings.find((w) => w.rule === 'region-not-muscle')?.message ?? '';
    for (const name of named) expect(message).toContain(name);
  });

  it('when the visit is before 2020-01-01, then the unlisted code 20999 is suggested (CPT Assistant Oct 2014)', () => {
    const result = suggest(completeSession({ date: '2019-06-03T10:00:00-07:00' }));
    expect(needling(result)[0]).toMatchObject({ code: '20999', units: 1 });
    expect(result.codes.map((c) => c.code)).not.toContain('20560');
  });

  it('when the count decides the code and the side rule is unverified, then the line reads as advice to check with the payer', () => {
    const result = suggest(completeSession({ muscles: [muscle('gluteus-medius', 'left'), muscle('gluteus-medius', 'right'), muscle('piriformis', 'left')] }));
    expect(needling(result)[0]).toMatchObject({ code: '20561', verified: false });
    expect(needling(result)[0]?.rationale).toMatch(/^Check this with the payer: 3 distinct muscles/);
    expect(needling(result)[0]?.citations.map((c) => c.id)).toContain('aapc-tpi-muscles');
  });

  it('when the side rule does not change the code, then the line is stated plainly with the code table\'s sources (only GP stays advice)', () => {
    const line = needling(suggest(completeSession({ muscles: [muscle('gluteus-medius', 'left'), muscle('piriformis', 'left')] })))[0];
    expect(line).toMatchObject({ code: '20560', verified: false });
    expect(line?.rationale).toMatch(/^2 distinct muscles needled/);
    expect(line?.modifierRationale).toEqual([expect.objectContaining({ modifier: 'GP', verified: false, rationale: expect.stringMatching(/^Check this with the payer: GP marks/) })]);
    expect(line?.citations.map((c) => c.id)).toEqual(['cpt-2020', 'apta-compliance-2020-02', 'aca-cpt-2020', 'nethealth-2025']);
    expect(line?.source).toContain('Net Health \u2014 Dry Needling: CPT Codes, Practitioner Concerns, and More');
  });
});

describe('electrical stimulation through the needles', () => {
  const estim = (extra: Partial<NonNullable<Session['estim']>>): NonNullable<Session['estim']> => ({
    applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'biphasic', intensity: 'tolerance', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }], ...extra,
  });

  it.each([
    ['commercial-covered', '97014', 'http://www.ama-assn.org/go/cpt'],
    ['commercial-investigational', '97014', 'http://www.ama-assn.org/go/cpt'],
    ['wa-lni', '97014', 'http://www.ama-assn.org/go/cpt'],
    ['medicare', 'G0283', 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets'],
  ])('when e-stim is unattended and the payer is %s, then %s with one untimed unit', (payerId, code, system) => {
    const result = suggest(completeSession({ payer: payerId, estim: estim({ attended: false }) }));
    expect(result.codes.find((c) => c.code === code)).toMatchObject({ units: 1, system, billable: true });
  });

  it.each([
    [7, 0], [7.9, 0], [8, 1], [22, 1], [23, 2], [37, 2], [38, 3], [52, 3], [53, 4],
  ])('when attended e-stim lasts %s minutes, then 97032 gets %s unit(s) by the 8-minute rule', (minutes, units) => {
    const result = suggest(completeSession({ estim: estim({ attended: true, minutes }) }));
    const line = result.codes.find((c) => c.code === '97032');
    expect(line).toMatchObject({ units, billable: units > 0 });
    expect(rules(result).includes('estim-under-8-minutes')).toBe(units === 0);
  });

  it('when attended e-stim has no minutes, then it is not billable and a warning asks for the minutes', () => {
    const result = suggest(completeSession({ estim: estim({ attended: true, minutes: undefined }) }));
    expect(result.codes.find((c) => c.code === '97032')).toMatchObject({ units: 0, billable: false });
    expect(result.warnings.find((w) => w.rule === 'estim-minutes-missing')?.path).toBe('estim.minutes');
  });

  it('when e-stim attendance is not recorded, then no e-stim code is guessed and a warning says why', () => {
    const result = suggest(completeSession({ estim: estim({ attended: undefined }) }));
    expect(result.codes.map((c) => c.code)).toEqual(['20560']);
    expect(rules(result)).toContain('estim-attendance-missing');
  });

  it('when e-stim is applied, then the pairing with needling is marked for review (no authoritative ruling)', () => {
    expect(rules(suggest(completeSession({ estim: estim({}) })))).toContain('estim-pairing-review');
    expect(rules(suggest(completeSession()))).not.toContain('estim-pairing-review');
  });

  it('when attended e-stim through the needles is coded 97032, then the line reads as advice to check with the payer (no source pairs 97032 with needle e-stim)', () => {
    const line = suggest(completeSession({ estim: estim({ attended: true, minutes: 15 }) })).codes.find((c) => c.code === '97032');
    expect(line).toMatchObject({ verified: false });
    expect(line?.rationale).toMatch(/^Check this with the payer: Attended e-stim for 15 minutes/);
  });

  it('when Washington L&I is billed for unattended e-stim, then its e-stim code reads as advice to check with the payer', () => {
    const line = suggest(completeSession({ payer: 'wa-lni', estim: estim({ attended: false }) })).codes.find((c) => c.code === '97014');
    expect(line).toMatchObject({ verified: false });
    expect(line?.rationale).toMatch(/^Check this with the payer: /);
  });

  it('when e-stim is not applied, then no e-stim code is suggested', () => {
    expect(suggest(completeSession({ estim: { applied: false } })).codes.map((c) => c.code)).toEqual(['20560']);
  });

  it.each([[8], [22], [23], [37], [38], [52], [53], [0], [-1], [Number.NaN]])('unitsByEightMinuteRule(%s) follows 8–22 = 1, 23–37 = 2, 38–52 = 3', (minutes) => {
    const expected = !(minutes >= 8) ? 0 : minutes <= 22 ? 1 : minutes <= 37 ? 2 : minutes <= 52 ? 3 : 4;
    expect(unitsByEightMinuteRule(minutes)).toBe(expected);
  });
});

describe('modifiers and payer status (profiles/payers)', () => {
  it.each(['commercial-covered', 'commercial-investigational', 'wa-lni', 'medicare'])('when the payer is %s, then GP marks the needling line (PT plan of care)', (payerId) => {
    expect(needling(suggest(completeSession({ payer: payerId })))[0]?.modifiers).toContain('GP');
  });

  it('when the payer is Medicare and the voluntary ABN was given before the visit, then the needling line carries GX, GY is optional, GA never appears, and the voluntary ABN is reminded', () => {
    const result = suggest(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-13', option: 1 } }));
    const line = needling(result)[0];
    expect(line?.modifiers).toEqual(['GP', 'GX']);
    expect(line?.optionalModifiers).toEqual(['GY']);
    expect(result.codes.flatMap((c) => [...c.modifiers, ...c.optionalModifiers])).not.toContain('GA');
    const abn = result.warnings.find((w) => w.rule === 'abn-reminder');
    expect(abn?.message).toMatch(/voluntary ABN/);
    expect(abn?.message).toMatch(/GA is wrong/);
    expect(result.warnings.some((w) => w.message.includes('NCD 30.3.3'))).toBe(true);
  });

  it('when the payer is Medicare and e-stim is unattended, then GX stays off the e-stim line', () => {
    const result = suggest(completeSession({ payer: 'medicare', estim: { applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'x', intensity: 'y', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }] } }));
    expect(result.codes.find((c) => c.code === 'G0283')?.modifiers).toEqual(['GP']);
  });

  it('when the payer calls dry needling investigational, then a warning gives the three options and cites the policy with its number and date', () => {
    const warning = suggest(exampleSession()).warnings.find((w) => w.rule === 'investigational-payer');
    expect(warning?.citations).toContainEqual(expect.objectContaining({ publisher: 'Premera Blue Cross', identifier: 'Medical Policy 2.01.100', date: '2024-07-01' }));
    expect(warning?.source).toContain('Medical Policy 2.01.100 (July 1, 2024)');
    expect(warning?.message).toMatch(/^Commercial plan \(dry needling investigational\) calls dry needling investigational, not covered regardless of diagnosis\./);
    expect(warning?.message).toMatch(/waiver and pays/);
    expect(warning?.message).toMatch(/documented only/);
    expect(warning?.message).toMatch(/billed with the waiver on file/);
  });

  it('when the investigational payer\'s options rest on no source that was read, then that sentence alone reads as advice', () => {
    const warning = suggest(exampleSession()).warnings.find((w) => w.rule === 'investigational-payer');
    expect(warning?.verified).toBe(false);
    expect(warning?.message).toContain('not covered regardless of diagnosis. Check this with the payer: The options:');
  });

  it('when the payer covers dry needling, then no coverage warning is raised', () => {
    expect(rules(suggest(completeSession()))).not.toEqual(expect.arrayContaining(['investigational-payer', 'abn-reminder']));
  });

  it.each(['self-pay', 'document-only'] as const)('when billing is %s, then the codes stay for the record but none is billed to the payer', (billing) => {
    const result = suggest(completeSession({ billing, estim: { applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'x', intensity: 'y', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }] } }));
    expect(result.codes.map((c) => c.code)).toEqual(['20560', '97014']);
    expect(result.codes.every((c) => !c.billable)).toBe(true);
    expect(result.warnings.find((w) => w.rule === 'not-billed')?.message).toMatch(billing === 'self-pay' ? /^The patient pays for this visit: the codes are kept in the record but not billed/ : /^This visit is documented only, with no charge: the codes are kept in the record but not billed/);
  });

  it.each([
    [2, false, undefined],
    [3, false, undefined],
    [4, true, 'up to 6 with documented justification'],
    [7, true, 'beyond the ceiling of 6'],
    [undefined, true, 'count the visits in this course'],
  ])('when Washington L&I is billed for visit %s, then the 3 (up to 6) treatment limit warns: %s', (visit, warns, text) => {
    const result = suggest(completeSession({ payer: 'wa-lni' }), 'wa-lni', visit);
    const warning = result.warnings.find((w) => w.rule === 'visit-limit');
    expect(!!warning).toBe(warns);
    if (text) expect(warning?.message).toContain(text);
  });
});

describe('diagnosis linkage (icd10.json)', () => {
  const dx = (code: string) => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm' as const, code, display: code });

  it('when billable diagnoses are given, then every line points to them', () => {
    const result = suggest(completeSession({ diagnoses: [dx('M54.50'), dx('M62.830')] }));
    expect(result.codes.every((c) => c.diagnoses.join() === 'M54.50,M62.830')).toBe(true);
  });

  it.each([
    ['M54.5', '2026-11-20', ['M54.50', 'M54.51', 'M54.59']],
    ['M79.1', '2026-11-20', ['M79.10', 'M79.11', 'M79.12', 'M79.18']],
    ['M62.83', '2026-11-20', ['M62.830', 'M62.831', 'M62.838']],
    ['M26.62', '2026-11-20', ['M26.621', 'M26.622', 'M26.623', 'M26.629']],
  ])('when the non-billable parent %s is given, then it is refused and the children are named', (code, date, children) => {
    const result = suggest(completeSession({ date: `${date}T09:00:00-05:00`, diagnoses: [dx(code), dx('M72.2')] }));
    expect(result.codes[0]?.diagnoses).toEqual(['M72.2']);
    const warning = result.warnings.find((w) => w.rule === 'diagnosis-not-billable');
    expect(warning?.path).toBe('diagnoses[0].code');
    for (const child of children) expect(warning?.message).toContain(child);
  });

  it('when M54.5 is used on a visit before 2021-10-01, then it is still billable (date of service decides)', () => {
    const result = suggest(completeSession({ date: '2021-05-03T09:00:00-05:00', diagnoses: [dx('M54.5')] }));
    expect(result.codes[0]?.diagnoses).toEqual(['M54.5']);
    expect(rules(result)).not.toContain('diagnosis-not-billable');
  });

  it('when M54.50 is used before it existed, then it is refused', () => {
    const result = suggest(completeSession({ date: '2021-05-03T09:00:00-05:00', diagnoses: [dx('M54.50')] }));
    expect(rules(result)).toEqual(expect.arrayContaining(['diagnosis-not-billable', 'no-billable-diagnosis']));
  });

  it('when the table cannot tell whether a code was valid on the date (M62.85 between the fiscal years read), then it is linked as entered and flagged for the biller', () => {
    const result = suggest(completeSession({ date: '2023-03-01T09:00:00-05:00', diagnoses: [dx('M62.85')] }));
    expect(result.codes[0]?.diagnoses).toEqual(['M62.85']);
    expect(result.codes[0]?.billable).toBe(true);
    expect(result.warnings.find((w) => w.rule === 'diagnosis-unverified')?.path).toBe('diagnoses[0].code');
  });

  it('when a code is outside the blocks NeedleChart checks, then it is linked with the advice that NeedleChart did not check it, and the line stays billable', () => {
    const result = suggest(completeSession({ diagnoses: [dx('J06.9')] }));
    expect(result.codes[0]).toMatchObject({ diagnoses: ['J06.9'], billable: true });
    const note = result.warnings.find((w) => w.rule === 'diagnosis-not-checked');
    expect(note?.path).toBe('diagnoses[0].code');
    expect(note?.message).toContain('J06.9 is not checked by NeedleChart');
  });

  it('when the only diagnosis is a category (M26.60), then no line is billable and each says why in plain words', () => {
    const result = suggest(completeSession({ diagnoses: [dx('M26.60')] }));
    expect(result.codes.length).toBeGreaterThan(0);
    for (const line of result.codes) {
      expect(line).toMatchObject({ billable: false, diagnoses: [] });
      expect(line.rationale).toContain('Not billable: no valid diagnosis is linked to this line, and a claim line needs at least one.');
    }
    expect(result.warnings.find((w) => w.rule === 'diagnosis-not-billable')?.message).toContain('M26.60 is a category, not billable on a claim line: choose M26.601, M26.602, M26.603 or M26.609.');
  });

  it('when the only diagnosis is M54.5 on 2021-10-01, then the line is not billable, while on 2021-09-30 it is', () => {
    const after = suggest(completeSession({ date: '2021-10-01T09:00:00-05:00', diagnoses: [dx('M54.5')] }));
    expect(after.codes[0]).toMatchObject({ billable: false, diagnoses: [] });
    const before = suggest(completeSession({ date: '2021-09-30T09:00:00-05:00', diagnoses: [dx('M54.5')] }));
    expect(before.codes[0]).toMatchObject({ billable: true, diagnoses: ['M54.5'] });
  });

  it('when a code inside a block listed in full is not in the table (M54.7), then it is kept off the claim line', () => {
    const result = suggest(completeSession({ diagnoses: [dx('M54.7'), dx('M54.2')] }));
    expect(result.codes[0]?.diagnoses).toEqual(['M54.2']);
    expect(result.warnings.find((w) => w.rule === 'diagnosis-not-billable')?.path).toBe('diagnoses[0].code');
  });

  it('when a 7-character strain code (S39.012A) is given, then it is linked and the line is billable', () => {
    const result = suggest(completeSession({ diagnoses: [dx('S39.012A')] }));
    expect(result.codes[0]).toMatchObject({ billable: true, diagnoses: ['S39.012A'] });
  });

  it('when no diagnosis is given, then a warning says a claim line needs one', () => {
    expect(rules(suggest(completeSession({ diagnoses: [] })))).toContain('no-billable-diagnosis');
  });
});

describe('rationale', () => {
  it.each(['commercial-covered', 'commercial-investigational', 'medicare', 'wa-lni'])('when the payer is %s, then every line and modifier has a plain sentence with its citations beside it, not inside it', (payerId) => {
    const session = completeSession({ payer: payerId, estim: { applied: true, attended: true, minutes: 20, frequencyHz: 2, waveform: 'x', intensity: 'y', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }] } });
    const result = suggest(session);
    const reasons = result.codes.flatMap((line) => [line, ...line.modifierRationale]);
    for (const r of reasons) {
      expect(r.rationale.trim().endsWith('.')).toBe(true);
      expect(r.citations.length).toBeGreaterThan(0);
      for (const c of r.citations) {
        expect(r.source).toContain(`${c.publisher} \u2014 ${c.title}`);
        expect(r.rationale).not.toContain(c.publisher);
      }
      // An advised sentence always belongs to an unverified line or modifier (a line is also unverified when one of its modifiers is).
      if (r.rationale.startsWith('Check this with the payer: ')) expect(r.verified).toBe(false);
    }
    for (const line of result.codes) for (const m of line.modifierRationale) expect(m.rationale.startsWith('Check this with the payer: ')).toBe(!m.verified);
    for (const line of result.codes) for (const m of line.modifierRationale) expect(m.rationale).toMatch(new RegExp(`^(Check this with the payer: )?${m.modifier} `));
    for (const w of result.warnings) expect(w.citations.length > 0 || w.rule === 'not-billed').toBe(true);
  });
});
