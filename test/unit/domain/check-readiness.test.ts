import { beforeAll, describe, expect, it } from 'vitest';
import { checkReadiness } from '../../../src/domain/check-readiness.js';
import type { Readiness } from '../../../src/domain/readiness-types.js';
import type { Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { completeSession, exampleSession, muscle, testCore } from '../../support/fixtures.js';
import { OperationOutcomeError } from '../../../src/outcome/operation-outcome-error.js';
import { analyseSession, requireSession } from '../../../src/service/preview-session.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

function check(session: Session, visitNumber?: number): Readiness {
  const payer = core.profiles.payers.get(session.payer);
  if (!payer) throw new Error('unknown payer');
  return checkReadiness(session, payer, core.profiles, visitNumber === undefined ? {} : { visitNumber });
}

const fullEstim: NonNullable<Session['estim']> = { applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'biphasic', intensity: 'visible contraction', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }] };

describe('a complete record', () => {
  it('when the session lacks nothing, then there are no findings and the score is 100', () => {
    expect(check(completeSession())).toEqual({ score: 100, findings: [] });
  });

  it('when the shared example is checked, then it has no error findings', () => {
    const result = check(exampleSession());
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.score).toBeGreaterThan(50);
  });
});

type Case = readonly [label: string, change: (s: Session) => Session, severity: 'error' | 'warning' | 'info', rule: string, path: string];

const CASES: readonly Case[] = [
  ['consent not obtained (Documentation: informed consent)', (s) => ({ ...s, consent: { ...s.consent, obtained: false } }), 'error', 'consent-missing', 'consent.obtained'],
  ['investigational payer without disclosure (advice: no source requiring disclosure was read)', (s) => ({ ...s, payer: 'commercial-investigational' }), 'warning', 'investigational-disclosure', 'consent.investigationalStatusDisclosed'],
  ['screening not cleared (Safety: contraindications; advice: no source was read)', (s) => ({ ...s, screening: { ...s.screening, cleared: false } }), 'warning', 'screening-not-cleared', 'screening.cleared'],
  ['screening cleared despite a contraindication (Safety)', (s) => ({ ...s, screening: { ...s.screening, contraindications: ['local infection'] } }), 'warning', 'cleared-despite-contraindication', 'screening.contraindications'],
  ['a pneumothorax-risk muscle without precaution (Safety: pneumothorax risk regions)', (s) => ({ ...s, muscles: [muscle('rhomboid-major', 'left')] }), 'warning', 'pneumothorax-precaution', 'muscles[0].precaution'],
  ['both sides of the thorax in one session (Safety: avoid both sides)', (s) => ({ ...s, muscles: [muscle('middle-trapezius', 'left', { precaution: 'pincer grip' }), muscle('middle-trapezius', 'right', { precaution: 'pincer grip' })] }), 'warning', 'bilateral-thorax', 'muscles'],
  ['pain before missing (Documentation: objective outcomes)', (s) => ({ ...s, outcomes: { ...s.outcomes, painPre: undefined } }), 'warning', 'pain-missing', 'outcomes.painPre'],
  ['pain after missing (Documentation: objective outcomes)', (s) => ({ ...s, outcomes: { ...s.outcomes, painPost: undefined } }), 'warning', 'pain-missing', 'outcomes.painPost'],
  ['no ROM recorded (Documentation: ROM before/after)', (s) => ({ ...s, outcomes: { ...s.outcomes, rom: [] } }), 'info', 'rom-missing', 'outcomes.rom'],
  ['no questionnaire (Documentation: region-specific questionnaire)', (s) => ({ ...s, outcomes: { ...s.outcomes, measures: [] } }), 'info', 'questionnaire-missing', 'outcomes.measures'],
  ['e-stim without minutes (E-stim: record type, area, parameters)', (s) => ({ ...s, estim: { ...fullEstim, minutes: undefined } }), 'error', 'estim-parameters', 'estim.minutes'],
  ['e-stim without frequency', (s) => ({ ...s, estim: { ...fullEstim, frequencyHz: undefined } }), 'error', 'estim-parameters', 'estim.frequencyHz'],
  ['e-stim without waveform', (s) => ({ ...s, estim: { ...fullEstim, waveform: undefined } }), 'error', 'estim-parameters', 'estim.waveform'],
  ['e-stim without intensity', (s) => ({ ...s, estim: { ...fullEstim, intensity: undefined } }), 'error', 'estim-parameters', 'estim.intensity'],
  ['e-stim without attendance', (s) => ({ ...s, estim: { ...fullEstim, attended: undefined } }), 'error', 'estim-parameters', 'estim.attended'],
  ['e-stim without muscles', (s) => ({ ...s, estim: { ...fullEstim, muscles: [] } }), 'error', 'estim-parameters', 'estim.muscles'],
  ['e-stim on a muscle that was not needled', (s) => ({ ...s, estim: { ...fullEstim, muscles: [{ muscle: 'piriformis', side: 'left' }] } }), 'error', 'estim-muscle-not-needled', 'estim.muscles[0]'],
  ['e-stim with a pacemaker recorded (Safety: pacemaker with e-stim; advice: no source was read)', (s) => ({ ...s, estim: fullEstim, screening: { ...s.screening, precautions: ['Pacemaker'] } }), 'warning', 'implant-estim', 'estim.applied'],
  ['anticoagulants and deep needling (Safety: avoid deep muscles that cannot be compressed)', (s) => ({ ...s, screening: { ...s.screening, precautions: ['warfarin'] } }), 'warning', 'anticoagulant-deep', 'muscles[0].depth'],
  ['performer not certified (Documentation: performer credential)', (s) => ({ ...s, performer: { ...s.performer, dryNeedlingCertified: false } }), 'warning', 'performer-not-certified', 'performer.dryNeedlingCertified'],
  ['performer in California (Who may perform it: not permitted; advice from a secondary summary)', (s) => ({ ...s, performer: { ...s.performer, state: 'CA' } }), 'warning', 'state-not-permitted', 'performer.state'],
  ['performer in New York (Who may perform it: not permitted; advice from a secondary summary)', (s) => ({ ...s, performer: { ...s.performer, state: 'NY' } }), 'warning', 'state-not-permitted', 'performer.state'],
  ['performer in Pennsylvania (Who may perform it: silent or ambiguous)', (s) => ({ ...s, performer: { ...s.performer, state: 'PA' } }), 'warning', 'state-ambiguous', 'performer.state'],
  ['performer in Arizona (Who may perform it: training hours)', (s) => ({ ...s, performer: { ...s.performer, state: 'AZ' } }), 'info', 'state-requirements', 'performer.state'],
  ['performer in Colorado without written consent (Who may perform it: written consent)', (s) => ({ ...s, performer: { ...s.performer, state: 'CO' } }), 'warning', 'written-consent', 'consent.written'],
  ['no diagnosis (Documentation: indication and medical necessity)', (s) => ({ ...s, diagnoses: [] }), 'error', 'diagnosis-missing', 'diagnoses'],
  ['a non-billable parent diagnosis (Diagnoses: refuse a parent code)', (s) => ({ ...s, diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.5', display: 'Low back pain' }] }), 'error', 'diagnosis-not-billable', 'diagnoses[0].code'],
  ['a region word instead of a muscle (CPT codes: each muscle must be named)', (s) => ({ ...s, muscles: [muscle('lumbar-erector-spinae', 'left')] }), 'warning', 'region-not-muscle', 'muscles[0].muscle'],
  ['the same muscle twice (CPT codes: the count must match the code)', (s) => ({ ...s, muscles: [muscle('quadratus-lumborum', 'left'), muscle('quadratus-lumborum', 'left')] }), 'warning', 'duplicate-muscle', 'muscles[1]'],
  ['needles not counted in and out (Documentation: needles counted)', (s) => ({ ...s, needle: { ...s.needle, countVerified: false } }), 'warning', 'needle-count', 'needle.countVerified'],
  ['adverse events not recorded (Documentation: adverse events)', (s) => ({ ...s, adverseEvents: undefined }), 'warning', 'adverse-events-unrecorded', 'adverseEvents'],
  ['an adverse event on a muscle not needled', (s) => ({ ...s, adverseEvents: [{ type: 'bruising', severity: 'mild', muscle: 'piriformis', side: 'left' }] }), 'warning', 'adverse-event-muscle', 'adverseEvents[0].muscle'],
  ['a moderate adverse event (Safety: report per state)', (s) => ({ ...s, adverseEvents: [{ type: 'bleeding', severity: 'moderate' }] }), 'info', 'adverse-event-significant', 'adverseEvents[0].severity'],
  ['no response recorded (Documentation: patient response)', (s) => ({ ...s, response: '  ' }), 'warning', 'response-missing', 'response'],
  ['no plan recorded (Documentation: link to the plan)', (s) => ({ ...s, plan: undefined }), 'warning', 'plan-missing', 'plan'],
  ['Medicare billed without an ABN recorded (Modifiers and payer status: voluntary ABN; GX only with it)', (s) => ({ ...s, payer: 'medicare' }), 'error', 'abn-missing', 'abn.issuedOn'],
  ['Medicare billed with an ABN dated after the visit', (s) => ({ ...s, payer: 'medicare', abn: { issuedOn: '2026-11-21' } }), 'error', 'abn-after-visit', 'abn.issuedOn'],
  ['an investigational payer billed without a waiver (Commercial: waiver or document-only)', (s) => ({ ...s, payer: 'commercial-investigational', consent: { ...s.consent, investigationalStatusDisclosed: true } }), 'warning', 'waiver-missing', 'waiver.signedOn'],
  ['no chief complaint (Documentation: indication and medical necessity)', (s) => ({ ...s, necessity: { ...s.necessity, chiefComplaint: undefined } }), 'warning', 'complaint-missing', 'necessity.chiefComplaint'],
  ['no onset or duration (Documentation: duration of symptoms)', (s) => ({ ...s, necessity: { ...s.necessity, duration: undefined } }), 'warning', 'duration-missing', 'necessity.onsetDate'],
  ['no prior conservative care (Documentation: prior conservative care)', (s) => ({ ...s, necessity: { ...s.necessity, priorCare: [] } }), 'warning', 'prior-care-missing', 'necessity.priorCare'],
  ['no palpation findings (Documentation: trigger points found by palpation)', (s) => ({ ...s, muscles: s.muscles.map(({ exam: _exam, ...m }) => m) }), 'warning', 'palpation-missing', 'muscles[0].exam'],
  ['no functional limitation (Documentation: functional limitation)', (s) => ({ ...s, necessity: { ...s.necessity, functionalLimitation: ' ' } }), 'warning', 'limitation-missing', 'necessity.functionalLimitation'],
  ['no measurable goal (Documentation: link to plan-of-care goals)', (s) => ({ ...s, necessity: { ...s.necessity, goal: undefined } }), 'warning', 'goal-missing', 'necessity.goal'],
  ['no plan of care (Documentation: link to the plan of care)', (s) => ({ ...s, planOfCare: undefined }), 'warning', 'plan-of-care-missing', 'planOfCare.date'],
  ['a plan of care without who certified it', (s) => ({ ...s, planOfCare: { date: '2026-11-02', visitsPerWeek: 1, weeks: 6 } }), 'warning', 'plan-of-care-certification', 'planOfCare.certifiedBy'],
  ['a plan of care without frequency and duration', (s) => ({ ...s, planOfCare: { date: '2026-11-02', certifiedBy: 'Dr. Maya Patel, MD' } }), 'warning', 'plan-of-care-frequency', 'planOfCare.weeks'],
  ['a plan of care dated after the visit', (s) => ({ ...s, planOfCare: { date: '2026-11-21', visitsPerWeek: 1, weeks: 6, certifiedBy: 'Dr. Maya Patel, MD' } }), 'error', 'plan-of-care-after-visit', 'planOfCare.date'],
  ['attended e-stim without its justification (E-stim: attended must be justified)', (s) => ({ ...s, estim: { ...fullEstim, attended: true } }), 'warning', 'attended-estim-justification', 'estim.justification'],
  ['clean technique not confirmed (Safety: sterile single-use needles, sharps disposal)', (s) => ({ ...s, practices: undefined }), 'info', 'clean-technique', 'practices.sterileSingleUseNeedles'],
];

describe('each readiness rule (documentation a payer reviewer looks for, safety, who may perform it)', () => {
  it.each(CASES)('when %s, then a finding names the field and cites its sources', (_label, change, severity, rule, path) => {
    const findings = check(change(completeSession())).findings;
    expect(findings).toContainEqual(expect.objectContaining({ severity, rule, path }));
    const finding = findings.find((f) => f.rule === rule);
    expect(finding?.message.length).toBeGreaterThan(10);
    expect(finding?.citations.length).toBeGreaterThan(0);
    for (const c of finding?.citations ?? []) expect(finding?.source).toContain(`${c.publisher} \u2014 ${c.title}`);
  });

  it.each(CASES)('when %s and its rule rests on no source that was read, then the message is advice and the finding is never an error', (_label, change) => {
    for (const f of check(change(completeSession())).findings) {
      expect(f.verified || f.severity !== 'error', f.rule).toBe(true);
      expect(f.message.startsWith('Check this '), f.rule).toBe(!f.verified);
    }
  });

  it.each(CASES)('when %s is fixed again, then the finding is gone (the rule fires only on the gap)', (_label, _change, _severity, rule) => {
    expect(check(completeSession()).findings.map((f) => f.rule)).not.toContain(rule);
  });

  it('when a pneumothorax-risk muscle has its precaution recorded, then no precaution warning', () => {
    const findings = check(completeSession({ muscles: [muscle('upper-trapezius', 'left', { precaution: 'pincer grip, needle directed posteriorly' })] })).findings;
    expect(findings.map((f) => f.rule)).not.toContain('pneumothorax-precaution');
  });

  it('when the risk muscle warning is raised, then it names the muscle', () => {
    const finding = check(completeSession({ muscles: [muscle('upper-trapezius', 'right')] })).findings.find((f) => f.rule === 'pneumothorax-precaution');
    expect(finding?.message).toContain('right upper trapezius');
  });

  it('when Colorado consent is in writing, then no written-consent warning', () => {
    const session = completeSession({ performer: { ...completeSession().performer, state: 'CO' }, consent: { obtained: true, investigationalStatusDisclosed: false, written: true } });
    expect(check(session).findings.map((f) => f.rule)).not.toContain('written-consent');
  });

  it('when the investigational status was disclosed, then no disclosure error', () => {
    const session = completeSession({ payer: 'commercial-investigational', consent: { obtained: true, investigationalStatusDisclosed: true } });
    expect(check(session).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('when attended e-stim ran under 8 minutes, then an info finding explains 97032 needs 8', () => {
    const finding = check(completeSession({ estim: { ...fullEstim, attended: true, minutes: 6 } })).findings.find((f) => f.rule === 'estim-under-8-minutes');
    expect(finding?.severity).toBe('info');
  });
});

describe('unverified rules read as advice', () => {
  const dx = (code: string) => [{ system: 'http://hl7.org/fhir/sid/icd-10-cm' as const, code, display: code }];

  it('when M79.10 is used before the first fiscal year read (2020-06-01), then an info finding says NeedleChart cannot judge it, and nothing refuses it', () => {
    const findings = check(completeSession({ date: '2020-06-01T09:00:00-05:00', diagnoses: dx('M79.10') })).findings;
    expect(findings.find((f) => f.rule === 'diagnosis-not-billable')).toBeUndefined();
    const finding = findings.find((f) => f.rule === 'diagnosis-unverified');
    expect(finding).toMatchObject({ severity: 'info', path: 'diagnoses[0].code' });
    expect(finding?.message).toContain('starts with the code set in force from October 1, 2020, so it cannot judge M79.10 on June 1, 2020');
  });

  it('when M62.85 is used between the two fiscal years read (2023-03-01), then an info finding says NeedleChart cannot tell, and nothing refuses it', () => {
    const findings = check(completeSession({ date: '2023-03-01T09:00:00-05:00', diagnoses: dx('M62.85') })).findings;
    expect(findings.find((f) => f.rule === 'diagnosis-not-billable')).toBeUndefined();
    expect(findings.find((f) => f.rule === 'diagnosis-unverified')?.message).toContain('NeedleChart did not read the code sets in between');
  });

  it('when a code outside the blocks NeedleChart checks is used, then an info finding says NeedleChart did not check it', () => {
    const finding = check(completeSession({ diagnoses: dx('J06.9') })).findings.find((f) => f.path === 'diagnoses[0].code');
    expect(finding).toMatchObject({ severity: 'info', rule: 'diagnosis-not-checked' });
    expect(finding?.message).toContain('J06.9 is not checked by NeedleChart');
  });

  it('when a code inside a block but not in the code files read is used (M54.7), then it is an error refusing it as unknown, citing the code files', () => {
    const finding = check(completeSession({ diagnoses: dx('M54.7') })).findings.find((f) => f.path === 'diagnoses[0].code');
    expect(finding).toMatchObject({ severity: 'error', rule: 'diagnosis-not-billable', verified: true });
    expect(finding?.message).toBe('M54.7 is not an ICD-10-CM code: NeedleChart lists every code of Dorsopathies (M40 to M54), read from the code sets in force until September 30, 2025, and this is not one of them; check the code.');
    expect(finding?.citations.map((c) => c.id)).toContain('cms-icd10cm-fy2025-code-list');
  });

  it('when M54.50 is used before October 1, 2021 (a date read in a source), then the date check stays an error stated plainly', () => {
    const finding = check(completeSession({ date: '2021-05-03T09:00:00-05:00', diagnoses: dx('M54.50') })).findings.find((f) => f.rule === 'diagnosis-not-billable');
    expect(finding).toMatchObject({ severity: 'error', verified: true, message: 'M54.50 is not valid before October 1, 2021: pick a code valid on May 3, 2021.' });
    expect(finding?.citations.map((c) => c.id)).toEqual(['acupuncture-today-2021-12', 'cms-icd10cm-fy2021-code-list', 'cms-icd10cm-fy2025-code-list', 'icd10cm-guidelines-2026']);
  });

  it('when the performer practises in California, then the scope finding is advice to check with the state board, citing the summary it comes from', () => {
    const finding = check(completeSession({ performer: { ...completeSession().performer, state: 'CA' } })).findings.find((f) => f.rule === 'state-not-permitted');
    expect(finding).toMatchObject({ severity: 'warning', verified: false });
    expect(finding?.message).toBe('Check this with the state board: California does not permit physical therapists to perform dry needling (as of January 1, 2026).');
    expect(finding?.citations.map((c) => c.id)).toEqual(['myopain-2025']);
  });

  it('when the performer practises in Florida, then the requirements read in the statute and board rule are stated plainly, without the unconfirmed 15-day reporting rule', () => {
    const finding = check(completeSession({ performer: { ...completeSession().performer, state: 'FL' } })).findings.find((f) => f.rule === 'state-requirements');
    expect(finding).toMatchObject({ severity: 'info', verified: true });
    expect(finding?.message).toMatch(/^Florida \(as of January 1, 2026\): 2 years of licensed practice, 50 hours/);
    expect(finding?.message).not.toMatch(/15 days/);
    expect(finding?.citations.map((c) => c.id)).toEqual(['fl-stat-486-117', 'fl-rule-64b17-6-008']);
  });
});

describe('region words and state endorsements', () => {
  it('when a region is charted, then the finding names the muscles to chart instead, by their names', () => {
    const finding = check(completeSession({ muscles: [muscle('quadratus-lumborum', 'left'), muscle('thoracic-paraspinals', 'left')] })).findings.find((f) => f.rule === 'region-not-muscle');
    expect(finding).toMatchObject({ severity: 'warning', path: 'muscles[1].muscle' });
    expect(finding?.message).toContain('is not counted toward 20560 or 20561');
    expect(finding?.message).toContain('thoracic multifidus, longissimus thoracis or iliocostalis thoracis');
  });

  it('when the performer practises in Washington, then scope is permitted with an endorsement, stated plainly from the bill report and rule, with advice to keep the endorsement on file', () => {
    const findings = check(completeSession({ performer: { ...completeSession().performer, state: 'WA' } })).findings.filter((f) => f.path === 'performer.state');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'state-endorsement', severity: 'info', verified: true });
    expect(findings[0]?.message).toMatch(/^Washington permits physical therapists to perform dry needling with an endorsement/);
    expect(findings[0]?.message).toContain('keep the endorsement on file');
    expect(findings[0]?.message).not.toMatch(/325|hours/);
    expect(findings[0]?.citations.map((c) => c.id)).toEqual(['wa-2shb-1039-2023', 'wa-wsr-24-11-160']);
  });
});

describe('score', () => {
  it('when there is one error and two warnings, then the score is 100 - 20 - 2 x 5 = 70', () => {
    const session = completeSession({ consent: { obtained: false, investigationalStatusDisclosed: false }, response: undefined, plan: undefined });
    const result = check(session);
    expect(result.findings.map((f) => f.severity).sort()).toEqual(['error', 'warning', 'warning']);
    expect(result.score).toBe(70);
  });

  it('when info findings are the only ones, then the score stays 100', () => {
    const result = check(completeSession({ outcomes: { painPre: 5, painPost: 2 } }));
    expect(result.findings.every((f) => f.severity === 'info')).toBe(true);
    expect(result.score).toBe(100);
  });

  it('when everything is missing, then the score floors at 0', () => {
    const session = completeSession({
      consent: { obtained: false, investigationalStatusDisclosed: false },
      screening: { contraindications: [], precautions: [], cleared: false },
      diagnoses: [],
      estim: { applied: true },
      performer: { reference: 'Practitioner/x', display: 'X', dryNeedlingCertified: false, state: 'CA' },
    });
    expect(check(session).score).toBe(0);
  });
});

describe('reviewer items the schema itself requires (a session without them is refused, so no note lacks them)', () => {
  const without = (path: readonly (string | number)[]): unknown => {
    const session = structuredClone(completeSession()) as unknown as Record<string, unknown>;
    let node: Record<string | number, unknown> = session;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    delete node[path[path.length - 1] as string | number];
    return session;
  };
  it.each([
    ['needle diameter', ['needle', 'diameterMm'], 'needle.diameterMm'],
    ['needle length', ['needle', 'lengthMm'], 'needle.lengthMm'],
    ['depth of each muscle', ['muscles', 0, 'depth'], 'muscles[0].depth'],
    ['technique of each muscle', ['muscles', 0, 'technique'], 'muscles[0].technique'],
    ['retention of each muscle', ['muscles', 0, 'retentionSeconds'], 'muscles[0].retentionSeconds'],
    ['local twitch response per muscle', ['muscles', 0, 'twitch'], 'muscles[0].twitch'],
    ['the side of each muscle', ['muscles', 0, 'side'], 'muscles[0].side'],
  ] as const)('when the %s is missing, then the session is refused with 422 naming it', (_label, path, expected) => {
    let error: unknown;
    try {
      requireSession(without(path), core);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect((error as OperationOutcomeError).status).toBe(422);
    expect((error as OperationOutcomeError).outcome.issue.map((i) => i.expression?.[0])).toContain(expected);
  });

  it('when any note is rendered, then it says the needling was done without injection', () => {
    const analysis = analyseSession(completeSession(), core);
    expect(core.renderer.render('note', 'text', analysis.view)).toContain('dry needling of myofascial trigger points without injection');
  });
});
