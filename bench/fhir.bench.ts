/**
 * `npm run bench` (second part): chart-context load and save against the embedded sandbox EHR over
 * loopback HTTP — median and p95 of each, and the number of FHIR requests per chart open (counted at
 * the server). Prints figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { FhirGateway } from '../src/fhir/client.js';
import { loadLaunchChart } from '../src/fhir/load-chart-context.js';
import { silentLogger } from '../src/infra/logger.js';
import { createSandbox } from '../src/sandbox/sandbox-server.js';
import { createCore } from '../src/service/core.js';
import { saveVisit } from '../src/service/save-visit.js';
import type { Session } from '../src/domain/types.generated.js';

const RUNS = 60;
/** A chart open also reads the signed-in user (in the same batch). */
const USER = { fhirUser: 'Practitioner/pt-rivera' };
const core = await createCore();
const sandbox = await (await createSandbox({ core, logger: silentLogger })).listen(0, '127.0.0.1');
const gateway = new FhirGateway({ baseUrl: sandbox.fhirBaseUrl, logger: silentLogger });

function stats(samples: number[]): { median: number; p95: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95), mean: samples.reduce((s, x) => s + x, 0) / samples.length };
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

// Chart open: the first one also fetches the CapabilityStatement (cached per server afterwards).
let before = sandbox.requestLog.length;
await loadLaunchChart(gateway, 'Patient/p-li-wei', 'Encounter/e-li-wei-6', core.profiles, USER);
const firstOpenRequests = sandbox.requestLog.length - before;
const opens: number[] = [];
before = sandbox.requestLog.length;
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await loadLaunchChart(gateway, 'Patient/p-li-wei', 'Encounter/e-li-wei-6', core.profiles, USER);
  opens.push(performance.now() - t);
}
const requestsPerOpen = (sandbox.requestLog.length - before) / RUNS;

const example: Session = {
  date: '2026-11-20T14:30:00-05:00',
  performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true },
  payer: 'commercial-covered',
  billing: 'bill-payer',
  diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.2', display: 'Cervicalgia' }],
  consent: { obtained: true, investigationalStatusDisclosed: false },
  screening: { contraindications: [], precautions: [], cleared: true },
  needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
  muscles: ['upper-trapezius', 'levator-scapulae', 'splenius-capitis', 'infraspinatus'].map((muscle) => ({ muscle, side: 'left' as const, depth: 'deep' as const, technique: 'pistoning' as const, needles: 1, retentionSeconds: 60, twitch: { elicited: true, count: 1 }, precaution: 'pincer grip' })),
  estim: { applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'biphasic', intensity: 'tolerance', muscles: [{ muscle: 'upper-trapezius', side: 'left' }] },
  outcomes: { painPre: 7, painPost: 4, rom: [{ movement: 'cervical rotation', side: 'left', unit: 'degrees', pre: 55, post: 70 }], measures: [{ instrument: 'NDI', score: 30 }] },
  adverseEvents: [],
  response: 'Tolerated well.',
  plan: 'Weekly.',
};
const saves: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const id = randomUUID().slice(0, 8);
  const chart = { patient: `Patient/p-maria-lopez`, encounter: `Encounter/bench-${id}` };
  // A save checks that the encounter is the patient's: each run charts in its own.
  await fetch(`${sandbox.fhirBaseUrl}/Encounter/bench-${id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Encounter', id: `bench-${id}`, status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: chart.patient } }) });
  const t = performance.now();
  await saveVisit(gateway, core, { session: { ...example, date: `2026-11-20T14:${String(i % 60).padStart(2, '0')}:00-05:00` }, target: chart, author: { fhirUser: example.performer.reference, performer: example.performer } });
  saves.push(performance.now() - t);
}
await sandbox.close();

const open = stats(opens);
const save = stats(saves);
console.log(`NeedleChart FHIR benchmark — Node ${process.version}, embedded sandbox over loopback HTTP, ${RUNS} runs each\n`);
console.log(`${'operation'.padEnd(52)}${'median'.padStart(12)}${'p95'.padStart(12)}${'mean'.padStart(12)}`);
console.log(`${'chart-context load (Patient/p-li-wei, 5 visits)'.padEnd(52)}${ms(open.median).padStart(12)}${ms(open.p95).padStart(12)}${ms(open.mean).padStart(12)}`);
console.log(`${'save a 4-muscle e-stim visit (checks + transaction)'.padEnd(52)}${ms(save.median).padStart(12)}${ms(save.p95).padStart(12)}${ms(save.mean).padStart(12)}`);
console.log(`\nFHIR requests per chart open: ${requestsPerOpen} (first open on a server: ${firstOpenRequests}, including its CapabilityStatement)`);
