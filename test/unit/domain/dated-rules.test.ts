import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSuggestion, CourseContext } from '../../../src/domain/coding-types.js';
import { inForce, policyInForce } from '../../../src/domain/in-force.js';
import { payerOnDate } from '../../../src/domain/payer-on-date.js';
import { suggestCodes } from '../../../src/domain/suggest-codes.js';
import type { PayerPolicy, Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { completeSession, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

function payer(id: string): PayerPolicy {
  const p = core.profiles.payers.get(id);
  if (!p) throw new Error(`no payer ${id}`);
  return p;
}

function suggest(session: Session, course: CourseContext = {}): CodeSuggestion {
  return suggestCodes(session, payer(session.payer), core.profiles, course);
}

const on = (day: string) => `${day}T10:00:00-05:00`;
const rules = (s: CodeSuggestion) => s.warnings.map((w) => w.rule);
const needlingCode = (s: CodeSuggestion) => s.codes.find((c) => ['20560', '20561', '20999'].includes(c.code))?.code;

describe('inForce and policyInForce (src/domain/in-force.ts)', () => {
  it.each([
    ['2019-12-31', false], ['2020-01-01', true], ['2020-12-31', true], ['2021-01-01', false],
  ])('when a rule runs from 2020-01-01 to 2020-12-31, then on %s it is in force: %s', (day, expected) => {
    expect(inForce({ effective: '2020-01-01', expires: '2020-12-31' }, day)).toBe(expected);
  });

  it.each([
    ['2018-12-31', false], ['2019-01-01', true], ['2020-02-29', true], ['2020-03-01', false], ['2023-12-06', false], ['2023-12-07', true], ['2026-11-20', true],
  ])('when the investigational payer\'s policy history is read, then on %s the policy is in force: %s (effective 2019-01-01, archived 2020-03-01, reinstated 2023-12-07)', (day, expected) => {
    expect(policyInForce(payer('commercial-investigational').history, day)).toBe(expected);
  });
});

describe('the needling code on the date of service (codes.json effective/expires)', () => {
  it.each([
    ['2019-12-31', '20999'], ['2020-01-01', '20560'],
  ])('when the visit is on %s, then the needling code is %s', (day, code) => {
    const result = suggest(completeSession({ date: on(day) }));
    expect(needlingCode(result)).toBe(code);
    expect(result.codes.filter((c) => ['20560', '20561', '20999'].includes(c.code))).toHaveLength(1);
  });

  it('when the visit is before 2020, then the 20999 line says 20560 and 20561 took effect on January 1, 2020', () => {
    const line = suggest(completeSession({ date: on('2019-12-31') })).codes.find((c) => c.code === '20999');
    expect(line?.rationale).toContain('before 20560 and 20561 took effect on January 1, 2020');
  });

  it('when the code table says 20999 expires later, then the date of service follows the data, not a fixed cut-over', () => {
    const codes = core.profiles.files.codes.codes.map((c) => (c.code === '20999' ? { ...c, expires: '2020-06-30' } : c.role === 'needling' ? { ...c, effective: '2020-07-01' } : c));
    const profiles = { ...core.profiles, files: { ...core.profiles.files, codes: { ...core.profiles.files.codes, codes } } };
    const result = suggestCodes(completeSession({ date: on('2020-03-01') }), payer('commercial-covered'), profiles);
    expect(result.codes.map((c) => c.code)).toContain('20999');
  });
});

describe('Medicare on the date of service (profiles/payers/medicare.json)', () => {
  it.each([
    ['2020-01-20', false], ['2020-01-21', true],
  ])('when a Medicare visit is on %s, then the NCD 30.3.3 note (effective 2020-01-21) is shown: %s', (day, shown) => {
    const result = suggest(completeSession({ payer: 'medicare', date: on(day), abn: { issuedOn: day } }));
    expect(result.warnings.some((w) => w.rule === 'payer-note' && w.message.includes('NCD 30.3.3'))).toBe(shown);
  });

  it('when a Medicare visit is in 2019, then no GX, no GY, no ABN reminder and no NCD note are applied, and coverage is advice to check', () => {
    const result = suggest(completeSession({ payer: 'medicare', date: on('2019-06-03'), abn: { issuedOn: '2019-06-01' } }));
    expect(result.codes.flatMap((c) => [...c.modifiers, ...c.optionalModifiers])).not.toEqual(expect.arrayContaining(['GX']));
    expect(result.codes.flatMap((c) => c.optionalModifiers)).not.toContain('GY');
    expect(rules(result)).not.toContain('abn-reminder');
    expect(rules(result)).not.toContain('abn-missing');
    expect(result.warnings.some((w) => w.message.includes('NCD 30.3.3'))).toBe(false);
    const noPolicy = result.warnings.find((w) => w.rule === 'no-policy-in-force');
    expect(noPolicy?.message).toMatch(/^Check this with the payer: No dry-needling policy of Medicare Part B/);
  });

  it.each([
    ['2019-12-31', false], ['2020-01-01', true],
  ])('when a Medicare visit with an ABN on file is on %s, then GX is on the needling line: %s (nonCoveredNeedling effective 2020-01-01)', (day, gx) => {
    const result = suggest(completeSession({ payer: 'medicare', date: on(day), abn: { issuedOn: '2019-12-01' } }));
    expect(result.codes[0]?.modifiers.includes('GX')).toBe(gx);
  });
});

describe('GX only with the voluntary ABN on file (issue 13)', () => {
  it('when a billed Medicare visit has no ABN recorded, then the needling line carries no GX or GY and a warning asks for the ABN, citing the payer\'s rule', () => {
    const result = suggest(completeSession({ payer: 'medicare' }));
    const line = result.codes[0];
    expect(line?.modifiers).toEqual(['GP']);
    expect(line?.optionalModifiers).toEqual([]);
    const warning = result.warnings.find((w) => w.rule === 'abn-missing');
    expect(warning?.message).toMatch(/^No voluntary ABN is recorded for this visit: GX goes on the needling line only when the patient was given the ABN before treatment/);
    expect(warning?.path).toBe('abn.issuedOn');
    expect(warning?.citations.map((c) => c.id)).toEqual(payer('medicare').rules.nonCoveredNeedling?.citations);
    expect(warning?.verified).toBe(true);
  });

  it('when the ABN is recorded as given after the visit, then there is no GX and the warning names both days', () => {
    const result = suggest(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-21' } }));
    expect(result.codes[0]?.modifiers).toEqual(['GP']);
    expect(result.warnings.find((w) => w.rule === 'abn-missing')?.message).toContain('recorded as given on November 21, 2026, after this visit on November 20, 2026');
  });

  it.each(['2026-11-20', '2026-01-05'])('when the ABN was given on %s (on or before the visit), then GX is suggested with GY optional and no abn-missing warning', (issuedOn) => {
    const result = suggest(completeSession({ payer: 'medicare', abn: { issuedOn } }));
    expect(result.codes[0]).toMatchObject({ modifiers: ['GP', 'GX'], optionalModifiers: ['GY'] });
    expect(rules(result)).not.toContain('abn-missing');
  });

  it('when the visit is self-pay, then no ABN warning is raised (nothing goes to Medicare)', () => {
    expect(rules(suggest(completeSession({ payer: 'medicare', billing: 'self-pay' })))).not.toContain('abn-missing');
  });
});

describe('the investigational payer\'s policy history (profiles/payers/commercial-investigational.json, its published history)', () => {
  it.each([
    ['2018-12-31', false], ['2019-01-01', true], ['2020-02-29', true], ['2020-03-01', false], ['2023-12-06', false], ['2023-12-07', true], ['2024-07-01', true],
  ])('when the visit is on %s, then the investigational warning is raised: %s', (day, investigational) => {
    const result = suggest(completeSession({ payer: 'commercial-investigational', date: on(day) }));
    expect(rules(result).includes('investigational-payer')).toBe(investigational);
    expect(rules(result).includes('no-policy-in-force')).toBe(!investigational);
  });

  it('when the policy was archived on the date of service, then the payer view reads no policy in force, as advice', () => {
    const view = payerOnDate(payer('commercial-investigational'), '2021-05-05');
    expect(view.coverage).toMatchObject({ status: 'no-policy-in-force', verified: false });
    expect(view.rules.investigational).toBeUndefined();
    expect(view.rules.therapyModifier?.modifier).toBe('GP');
  });
});

describe('Medicare\'s therapy threshold (KX), dated per year', () => {
  it.each([
    [2024, 2329.99, false], [2024, 2330, true], [2025, 2409, false], [2025, 2410, true], [2026, 2479, false], [2026, 2480, true],
  ])('when the %s allowed therapy total is %s dollars before this visit, then the KX warning is raised: %s', (year, amount, warned) => {
    const result = suggest(completeSession({ payer: 'medicare', date: on(`${year}-06-10`), abn: { issuedOn: `${year}-06-01` } }), { therapyAmountThisYear: amount });
    expect(rules(result).includes('therapy-threshold')).toBe(warned);
  });

  it('when the 2024 threshold is reached, then the warning states the amount in plain words and cites the contractor\'s threshold page as read', () => {
    const warning = suggest(completeSession({ payer: 'medicare', date: on('2024-03-01') }), { therapyAmountThisYear: 2500 }).warnings.find((w) => w.rule === 'therapy-threshold');
    expect(warning?.message).toBe("This patient's physical therapy and speech-language pathology charges allowed so far in 2024 come to $2,500, at or above Medicare Part B's threshold of $2,330 for 2024: put KX on each therapy line when the care remains medically necessary and the note shows why.");
    expect(warning).toMatchObject({ verified: true, citations: [expect.objectContaining({ id: 'noridian-kx-thresholds' })] });
  });

  it('when the 2026 threshold comes from a secondary source, then the warning reads as advice to check with the payer', () => {
    const warning = suggest(completeSession({ payer: 'medicare' }), { therapyAmountThisYear: 3000 }).warnings.find((w) => w.rule === 'therapy-threshold');
    expect(warning?.message).toMatch(/^Check this with the payer: .*threshold of \$2,480 for 2026/);
  });

  it('when no threshold amount is known for the year, then a warning says so instead of guessing', () => {
    const result = suggest(completeSession({ payer: 'medicare', date: on('2020-06-10'), abn: { issuedOn: '2020-06-01' } }), { therapyAmountThisYear: 2200 });
    expect(rules(result)).toContain('therapy-threshold-unknown');
    expect(rules(result)).not.toContain('therapy-threshold');
  });

  it('when the chart supplies no earlier amounts, or the payer is not Medicare, then no threshold warning', () => {
    expect(rules(suggest(completeSession({ payer: 'medicare' })))).not.toContain('therapy-threshold');
    expect(rules(suggest(completeSession(), { therapyAmountThisYear: 5000 }))).not.toContain('therapy-threshold');
  });
});

/** Every dated rule and note of the shipped payer files, read once at collection time to name one test each. */
const PAYER_DIR = new URL('../../../profiles/payers/', import.meta.url);
const DATED: { payerId: string; what: string; kind: 'rule' | 'note'; key: string | number; effective: string; expires?: string }[] = readdirSync(PAYER_DIR)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => {
    const p = JSON.parse(readFileSync(new URL(f, PAYER_DIR), 'utf8')) as PayerPolicy;
    return [
      ...Object.entries(p.rules).map(([name, r]) => ({ payerId: p.id, what: `rules.${name}`, kind: 'rule' as const, key: name, effective: r.effective, ...(r.expires ? { expires: r.expires } : {}) })),
      ...p.notes.map((n, i) => ({ payerId: p.id, what: `notes[${i}]`, kind: 'note' as const, key: i, effective: n.effective, ...(n.expires ? { expires: n.expires } : {}) })),
    ];
  });

const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('every dated payer rule and note on both sides of its dates (payer-on-date.ts)', () => {
  it.each(DATED.map((d) => [d.payerId, d.what, d.effective, d] as const))('when %s %s is read the day before %s and on that day, then it is absent, then present', (payerId, _what, effective, d) => {
    const p = payer(payerId);
    const has = (day: string) => {
      const view = payerOnDate(p, day);
      return d.kind === 'rule' ? (view.rules as Record<string, unknown>)[d.key as string] !== undefined : view.notes.includes(p.notes[d.key as number] as PayerPolicy['notes'][number]);
    };
    // A rule that restates the policy also needs the policy in force: read it on the first day both hold.
    const first = policyInForce(p.history, effective) ? effective : (p.history?.events.map((e) => e.date).filter((day) => day > effective && policyInForce(p.history, day)).sort()[0] ?? effective);
    expect(has(shift(effective, -1))).toBe(false);
    expect(has(first)).toBe(true);
    if (d.expires) expect(has(shift(d.expires, 1))).toBe(false);
  });
});

describe('codes and amounts on both sides of their dates', () => {
  it.each(['97140', '97110', '97112', '97530', '97035', '97010'])('when %s is charted on 2013-12-31 and on 2014-01-01 (its first date in the code table), then it is suggested only on the second', (code) => {
    const lines = (day: string) => suggest(completeSession({ date: on(day), services: [{ code, minutes: 15 }] })).codes.map((c) => c.code);
    expect(lines('2013-12-31')).not.toContain(code);
    expect(lines('2014-01-01')).toContain(code);
  });

  it('when attended e-stim is charted on 2013-12-31 and on 2014-01-01, then 97032 is suggested only on the second', () => {
    const estim: Session['estim'] = { applied: true, attended: true, minutes: 15, frequencyHz: 2, waveform: 'x', intensity: 'y', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }] };
    expect(suggest(completeSession({ date: on('2013-12-31'), estim })).codes.map((c) => c.code)).not.toContain('97032');
    expect(suggest(completeSession({ date: on('2014-01-01'), estim })).codes.map((c) => c.code)).toContain('97032');
  });

  it.each([
    ['2024-12-31', true], ['2025-01-01', false],
  ])('when 2,400 dollars of therapy were allowed before a visit on %s, then KX is warned about: %s (2,330 in 2024, 2,410 in 2025)', (day, warned) => {
    expect(rules(suggest(completeSession({ payer: 'medicare', date: on(day), abn: { issuedOn: day } }), { therapyAmountThisYear: 2400 })).includes('therapy-threshold')).toBe(warned);
  });

  it('when a modifier has expired by the date of service, then it is not put on the line even though the payer rule names it', () => {
    const modifiers = new Map([...core.profiles.modifiers].map(([code, m]) => [code, code === 'GX' ? { ...m, expires: '2026-06-30' } : m]));
    const result = suggestCodes(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-13' } }), payer('medicare'), { ...core.profiles, modifiers });
    expect(result.codes[0]?.modifiers).toEqual(['GP']);
  });
});

describe('the option the patient chose on the ABN (Form CMS-R-131, advice)', () => {
  it('when the patient chose option 2 (do not bill Medicare) and the visit is billed to Medicare, then a warning says to bill the patient instead, as advice', () => {
    const warning = suggest(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-13', option: 2 } })).warnings.find((w) => w.rule === 'abn-option');
    expect(warning?.message).toBe('Check this with the payer: The patient chose option 2 on the ABN: they wanted the dry needling and asked that Medicare Part B not be billed. Bill the patient instead of sending this claim.');
    expect(warning?.path).toBe('abn.option');
  });

  it('when the patient chose option 3 (did not want the service), then a warning asks to check the record', () => {
    expect(suggest(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-13', option: 3 } })).warnings.find((w) => w.rule === 'abn-option')?.message).toContain('option 3 on the ABN: they did not want the dry needling');
  });

  it.each([[1], [undefined]])('when the option is %s, or option 2 on a self-pay visit, then no option warning', (option) => {
    expect(rules(suggest(completeSession({ payer: 'medicare', abn: { issuedOn: '2026-11-13', ...(option ? { option: option as 1 } : {}) } })))).not.toContain('abn-option');
    expect(rules(suggest(completeSession({ payer: 'medicare', billing: 'self-pay', abn: { issuedOn: '2026-11-13', option: 2 } })))).not.toContain('abn-option');
  });
});
