/**
 * `npm run bench` (last part): CDS Hooks patient-view response time against the sandbox EHR over
 * loopback, with prefetch sent by the EHR and without (the service reads the EHR with the lent token).
 * Prints median and p99; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { readConfig } from '../src/config.js';
import { silentLogger } from '../src/infra/logger.js';
import { startNeedleChart } from '../src/runtime.js';
import { patientAccessToken } from '../test/support/launch.js';

const RUNS = 200;
const nc = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0' }), { logger: silentLogger });
const sandbox = nc.sandbox!;
const cds = sandbox.cds!;
const url = `${nc.appUrl}/cds-services/needlechart-patient-view`;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]?.toFixed(1)} ms, p99 ${s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]?.toFixed(1)} ms`;
};
async function time(body: () => Promise<Record<string, unknown>>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS + 10; i++) {
    const payload = JSON.stringify(await body());
    const token = await cds.sign(sandbox.origin, url);
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: payload });
    await res.json();
    if (!res.ok) throw new Error(`hook answered ${res.status}`);
    if (i >= 10) out.push(performance.now() - started);
  }
  return out;
}
try {
  const prefetch = await cds.prefetch(sandbox.engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
  const withPrefetch = await time(async () => ({ hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch }));
  const token = await patientAccessToken(sandbox, `${nc.appUrl}/callback`, 'needlechart-sandbox', 'p-li-wei', 'patient/Patient.r patient/Coverage.rs patient/Condition.rs patient/Procedure.rs patient/Observation.rs');
  const withoutPrefetch = await time(async () => ({ hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, fhirServer: sandbox.fhirBaseUrl, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.rs', subject: 'x' } }));
  console.log(`\nNeedleChart CDS Hooks benchmark — patient-view for Patient/p-li-wei (5 visits), ${RUNS} calls each, JWT verified on every call`);
  console.log(`with prefetch:    ${stats(withPrefetch)}`);
  console.log(`without prefetch: ${stats(withoutPrefetch)} (4 reads from the EHR per call)`);
} finally {
  await nc.close();
}
