/**
 * `npm run bench`: the pure pipeline a live preview runs on every keystroke — validate, suggest codes,
 * check readiness, render the HTML note — on a 12-muscle session. Prints mean and p99 latency and
 * ops/s per step and for the whole. Goal (issue 2): whole-pipeline mean ≤ 200 µs. No assertions.
 */
import { Bench } from 'tinybench';
import { checkReadiness } from '../src/domain/check-readiness.js';
import { suggestCodes } from '../src/domain/suggest-codes.js';
import type { Session } from '../src/domain/types.generated.js';
import { parseSession } from '../src/domain/validate-session.js';
import { buildNoteViewModel } from '../src/notes/note-view-model.js';
import { createCore } from '../src/service/core.js';

const core = await createCore();
const side = (i: number): 'left' | 'right' => (i % 2 ? 'right' : 'left');
const ids = ['upper-trapezius', 'levator-scapulae', 'splenius-capitis', 'infraspinatus', 'gluteus-medius', 'piriformis'];
const session: Session = {
  date: '2026-11-20T14:30:00-05:00',
  performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true, state: 'CO' },
  payer: 'medicare',
  billing: 'bill-payer',
  diagnoses: [
    { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M79.12', display: 'Myalgia of auxiliary muscles, head and neck' },
    { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.2', display: 'Cervicalgia' },
  ],
  consent: { obtained: true, investigationalStatusDisclosed: true, written: true },
  screening: { contraindications: [], precautions: ['anticoagulant therapy'], cleared: true },
  needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
  muscles: Array.from({ length: 12 }, (_, i) => ({
    muscle: ids[Math.floor(i / 2)] ?? 'deltoid', side: side(i), depth: 'deep' as const, technique: 'pistoning' as const,
    needles: 2, retentionSeconds: 60, twitch: { elicited: true, count: 2 }, precaution: 'pincer grip',
  })),
  estim: { applied: true, attended: true, minutes: 24, frequencyHz: 2, waveform: 'biphasic', intensity: 'tolerance', muscles: [{ muscle: 'upper-trapezius', side: 'left' }] },
  outcomes: { painPre: 7, painPost: 4, rom: [{ movement: 'cervical rotation', side: 'left', preDegrees: 55, postDegrees: 70 }], measures: [{ instrument: 'NDI', score: 30 }] },
  adverseEvents: [{ type: 'bruising', severity: 'mild', muscle: 'upper-trapezius', side: 'left' }],
  response: 'Tolerated well.',
  plan: 'Weekly for 3 visits.',
};
const input: unknown = JSON.parse(JSON.stringify(session));
const payer = core.profiles.payers.get('medicare');
if (!payer) throw new Error('medicare payer missing');

function pipeline(): string {
  const parsed = parseSession(input, core.check, core.profiles);
  if (!parsed.ok) throw new Error('bench session invalid');
  const coding = suggestCodes(parsed.session, payer!, core.profiles);
  const readiness = checkReadiness(parsed.session, payer!, core.profiles);
  return core.renderer.render('note', 'html', buildNoteViewModel(parsed.session, payer!, core.profiles, coding, readiness, core.generator));
}

const coding = suggestCodes(session, payer, core.profiles);
const readiness = checkReadiness(session, payer, core.profiles);
const view = buildNoteViewModel(session, payer, core.profiles, coding, readiness, core.generator);

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('validate (schema + cross-field)', () => parseSession(input, core.check, core.profiles))
  .add('suggestCodes', () => suggestCodes(session, payer, core.profiles))
  .add('checkReadiness', () => checkReadiness(session, payer, core.profiles))
  .add('render HTML note (view model + template)', () => core.renderer.render('note', 'html', buildNoteViewModel(session, payer, core.profiles, coding, readiness, core.generator)))
  .add('render template only', () => core.renderer.render('note', 'html', view))
  .add('whole pipeline (12 muscles)', pipeline);
await bench.run();

const us = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms * 1000).toFixed(1)} µs`);
console.log(`NeedleChart core benchmark — Node ${process.version}, ${session.muscles.length}-muscle session\n`);
console.log(`${'step'.padEnd(44)}${'mean'.padStart(12)}${'p99'.padStart(12)}${'ops/s'.padStart(12)}${'samples'.padStart(10)}`);
for (const task of bench.tasks) {
  const r = task.result;
  if (!r || r.error) {
    console.log(`${task.name.padEnd(44)} failed: ${String(r?.error)}`);
    continue;
  }
  console.log(`${task.name.padEnd(44)}${us(r.latency.mean).padStart(12)}${us(r.latency.p99).padStart(12)}${Math.round(r.throughput.mean).toLocaleString('en-US').padStart(12)}${String(r.latency.samples.length).padStart(10)}`);
}
const whole = bench.tasks.at(-1)?.result;
if (whole) console.log(`\nGoal: whole-pipeline mean ≤ 200 µs — measured ${us(whole.latency.mean)} (${whole.latency.mean * 1000 <= 200 ? 'met' : 'NOT met'}).`);
