/**
 * A sandbox EHR in its own process for the export benchmark, so the export's memory is measured
 * apart from the EHR's. Seeds VISITS signed visits through NeedleChart's mapping, registers the backend
 * client whose public JWK comes in BACKEND_JWK, prints `READY <fhir base>` and serves until killed.
 */
import type { JWK } from 'jose';
import type { Session } from '../../src/domain/types.generated.js';
import { silentLogger } from '../../src/infra/logger.js';
import { backendRegistration } from '../../src/sandbox/registered-scopes.js';
import { createSandbox } from '../../src/sandbox/sandbox-server.js';
import { createCore } from '../../src/service/core.js';
import { analyseSession, visitTransactionFor } from '../../src/service/preview-session.js';

const VISITS = Number(process.env.VISITS ?? 10_000);
const PATIENTS = Math.max(1, Math.round(VISITS / 5));
const jwk = JSON.parse(process.env.BACKEND_JWK ?? '{}') as JWK;
const manifest = (await import('../../manifest.json', { with: { type: 'json' } })).default;

const core = await createCore();
const sandbox = await createSandbox({ core, logger: silentLogger, seed: false, auth: { appUrl: () => 'http://127.0.0.1', clients: () => [{ clientId: 'bench-backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [jwk] }, scopes: backendRegistration(manifest.scopes) }] } });
const muscles = ['upper-trapezius', 'levator-scapulae', 'splenius-capitis', 'infraspinatus', 'gluteus-medius', 'piriformis'];
function session(i: number): Session {
  const day = new Date(Date.UTC(2026, 0, 1) + (i % 300) * 86_400_000).toISOString().slice(0, 10);
  return {
    date: `${day}T${String(8 + (i % 9)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00-05:00`,
    performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true },
    payer: ['commercial-covered', 'medicare', 'commercial-investigational', 'wa-lni'][i % 4] ?? 'commercial-covered',
    billing: 'bill-payer',
    diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.2', display: 'Cervicalgia' }],
    consent: { obtained: true, investigationalStatusDisclosed: true },
    screening: { contraindications: [], precautions: [], cleared: true },
    needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
    muscles: muscles.slice(0, 1 + (i % 4)).map((muscle) => ({ muscle, side: 'left' as const, depth: 'deep' as const, technique: 'pistoning' as const, needles: 1, retentionSeconds: 60, twitch: { elicited: true, count: 1 }, precaution: 'pincer grip' })),
    outcomes: { painPre: 7, painPost: 4 },
    adverseEvents: [],
    response: 'Tolerated well.',
    plan: 'Weekly.',
  };
}
const started = performance.now();
for (let p = 0; p < PATIENTS; p++) {
  await sandbox.engine.execute({ method: 'PUT', path: `/Patient/bp-${p}`, body: { resourceType: 'Patient', id: `bp-${p}`, name: [{ family: `Bench ${p}` }] } });
}
for (let i = 0; i < VISITS; i++) {
  // Signed by their performer, as a clinic's visits are: the packet holds signed notes (drafts only when asked for).
  const visit = session(i);
  const signedAt = new Date(new Date(visit.date).getTime() + 3_600_000).toISOString();
  const analysis = analyseSession(visit, core, {}, { signed: { by: visit.performer.display, at: signedAt }, addenda: [] });
  const bundle = visitTransactionFor(core, analysis, { patient: `Patient/bp-${i % PATIENTS}`, encounter: `Encounter/be-${i}` }, signedAt, { signing: { state: 'signed', authenticator: { reference: visit.performer.reference, display: visit.performer.display } } });
  const [, , status] = await sandbox.engine.execute({ method: 'POST', path: '/', body: bundle });
  if (status >= 300) throw new Error(`seeding visit ${i} failed: ${status}`);
}
const running = await sandbox.listen(0, '127.0.0.1');
process.stdout.write(`READY ${running.fhirBaseUrl} ${VISITS} ${PATIENTS} ${((performance.now() - started) / 1000).toFixed(1)}\n`);
// Exit normally on the benchmark's SIGTERM, so a --cpu-prof given through SANDBOX_NODE_ARGS gets written.
process.once('SIGTERM', () => process.exit(0));
