import { randomUUID } from 'node:crypto';
import type { Coverage, Encounter, Patient } from 'fhir/r4.js';
import { FhirGateway } from '../../src/fhir/client.js';
import { readConfig } from '../../src/config.js';
import { createJsonLogger, silentLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import type { SandboxEngine } from '../../src/sandbox/fhir-endpoint.js';
import { createSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server.js';
import type { Core } from '../../src/service/core.js';
import { testCore } from './fixtures.js';

export interface TestSandbox {
  readonly core: Core;
  readonly sandbox: RunningSandbox;
  readonly gateway: FhirGateway;
}

/** A seeded sandbox EHR on an ephemeral loopback port, with a gateway pointed at it. */
export async function startTestSandbox(options: { dataFile?: string; seed?: boolean } = {}): Promise<TestSandbox> {
  const core = await testCore();
  const sandbox = await (await createSandbox({ core, logger: silentLogger, ...options })).listen(0, '127.0.0.1');
  return { core, sandbox, gateway: new FhirGateway({ baseUrl: sandbox.fhirBaseUrl, logger: silentLogger, backoffMs: 10 }) };
}

/**
 * A fresh patient with an open encounter, so each test charts on its own data (`encounter` adds to
 * the Encounter: a period, a serviceProvider). Written over HTTP to
 * an open sandbox, or straight into the engine of one that requires tokens.
 */
export async function newChart(sandbox: Pick<RunningSandbox, 'fhirBaseUrl'>, payer = 'payer-acme-health', engine?: SandboxEngine, encounter: Partial<Encounter> = {}): Promise<{ patient: string; encounter: string }> {
  const id = randomUUID().slice(0, 8);
  const put = async (resource: Patient | Encounter | Coverage) => {
    if (engine) {
      const [, , status] = await engine.execute({ method: 'PUT', path: `/${resource.resourceType}/${resource.id}`, body: resource });
      if (status >= 300) throw new Error(`PUT ${resource.resourceType} failed: ${status}`);
      return;
    }
    const res = await fetch(`${sandbox.fhirBaseUrl}/${resource.resourceType}/${resource.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(resource) });
    if (!res.ok) throw new Error(`PUT ${resource.resourceType} failed: ${res.status} ${await res.text()}`);
  };
  await put({ resourceType: 'Patient', id: `t-${id}`, name: [{ given: ['Test'], family: `Patient ${id}` }], gender: 'unknown', birthDate: '1980-01-01' });
  await put({ resourceType: 'Encounter', id: `te-${id}`, status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/t-${id}` }, ...encounter });
  await put({ resourceType: 'Coverage', id: `tc-${id}`, status: 'active', beneficiary: { reference: `Patient/t-${id}` }, payor: [{ reference: `Organization/${payer}`, display: 'Acme Health PPO' }] });
  return { patient: `Patient/t-${id}`, encounter: `Encounter/te-${id}` };
}

/**
 * NeedleChart with its seeded sandbox EHR on ephemeral loopback ports, as `npm start` runs it. Every
 * log line is kept in `logLines`, so a test can check that no PHI or token reached the logs. `env`
 * adds configuration (NEEDLECHART_* variables); `exportTtlMs` shortens how long packets are kept.
 */
export async function startTestNeedleChart(options: { tokenLifetimeSeconds?: number; env?: Readonly<Record<string, string>>; exportTtlMs?: number } = {}): Promise<{ nc: RunningNeedleChart; logLines: string[] }> {
  const logLines: string[] = [];
  const { env, ...rest } = options;
  const nc = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', ...env }), { logger: createJsonLogger((line) => logLines.push(line)), ...rest });
  return { nc, logLines };
}

/** The sandbox a test's NeedleChart runs with (tests start it with one; its absence is a broken test set-up). */
export function sandboxOf(nc: RunningNeedleChart): RunningSandbox {
  if (!nc.sandbox) throw new Error('NeedleChart was started without its sandbox');
  return nc.sandbox;
}
