import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, OperationOutcome } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { completeSession } from '../support/fixtures.js';
import { complianceSignIn, ehrLaunch, type LaunchedSession } from '../support/launch.js';
import { startTestNeedleChart } from '../support/sandbox.js';

/** The sandbox's compliance officer (seeded, with a compliance-officer PractitionerRole): its default compliance user. */
const OFFICER = 'Practitioner/staff-jordan-ellis';
const OFFICER_ROLE = 'https://needlechart.dev/fhir/CodeSystem/staff-role|compliance-officer';
const ALL_DATES = { from: '2000-01-01', to: '2100-12-31' };
const ONE_PATIENT = { ...ALL_DATES, patient: 'Patient/p-james-carter' };

const api = (appUrl: string, s: LaunchedSession, path: string, init: RequestInit = {}) =>
  fetch(`${appUrl}${path}`, { ...init, headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
const startExport = (appUrl: string, s: LaunchedSession, body: Record<string, unknown> = ALL_DATES) => api(appUrl, s, '/api/exports', { method: 'POST', body: JSON.stringify(body) });
const events = (appUrl: string, s: LaunchedSession, id: string) => fetch(`${appUrl}/api/exports/${id}/events?launch=${s.launchId}`, { headers: { cookie: s.cookie } });
const download = (appUrl: string, s: LaunchedSession, id: string) => fetch(`${appUrl}/api/exports/${id}/download?launch=${s.launchId}`, { headers: { cookie: s.cookie } });

async function outcomeOf(res: Response): Promise<OperationOutcome> {
  expect(res.headers.get('content-type')).toContain('application/fhir+json');
  return (await res.json()) as OperationOutcome;
}

/** Follows an export's events to its end: the last event and its data. */
async function finished(appUrl: string, s: LaunchedSession, id: string): Promise<{ event: string; data: Record<string, unknown> }> {
  const text = await (await events(appUrl, s, id)).text();
  const last = text.trim().split('\n\n').pop() ?? '';
  return { event: /^event: (.*)$/m.exec(last)?.[1] ?? '', data: JSON.parse(/^data: (.*)$/m.exec(last)?.[1] ?? '{}') as Record<string, unknown> };
}

async function started(appUrl: string, s: LaunchedSession, body: Record<string, unknown> = ALL_DATES): Promise<string> {
  const res = await startExport(appUrl, s, body);
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Every folder and file under `dir`, with its permission bits. */
function modesUnder(dir: string): { path: string; dir: boolean; mode: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    const entry = { path, dir: e.isDirectory(), mode: statSync(path).mode & 0o777 };
    return e.isDirectory() ? [entry, ...modesUnder(path)] : [entry];
  });
}

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return check();
}

function expectNoStore(res: Response, what: string): void {
  expect(res.headers.get('cache-control'), what).toBe('no-store');
  expect(res.headers.get('pragma'), what).toBe('no-cache');
}

describe('the compliance export with the sandbox defaults', () => {
  let nc: RunningNeedleChart;
  let logLines: string[];
  const exportDir = join(mkdtempSync(join(tmpdir(), 'nc-export-access-')), 'exports');
  beforeAll(async () => {
    ({ nc, logLines } = await startTestNeedleChart({ env: { NEEDLECHART_EXPORT_DIR: exportDir } }));
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
  });
  const sandboxOrigin = () => nc.sandbox?.origin ?? '';

  it.each(['Patient/p-maria-lopez', 'RelatedPerson/rp-lopez-spouse', 'Person/someone'])('when %s signs in to the compliance export, then the page and every export API refuse with 403 and no packet is made', async (user) => {
    const before = entries(exportDir);
    const s = await complianceSignIn(nc.appUrl, user);
    expect(s.launchId).not.toBe('');
    expect(s.final.status).toBe(403);
    expect(s.final.headers.get('content-type')).toContain('text/html');
    const page = await s.final.text();
    expect(page).toContain('compliance staff');
    expect(page).not.toMatch(/id="export-form"/);

    const res = await startExport(nc.appUrl, s);
    expect(res.status).toBe(403);
    expect((await outcomeOf(res)).issue[0]).toMatchObject({ code: 'forbidden', diagnostics: expect.stringMatching(/patients.*cannot export/i) });
    expect((await events(nc.appUrl, s, 'AAAAAAAAAAAAAAAA')).status).toBe(403);
    expect((await download(nc.appUrl, s, 'AAAAAAAAAAAAAAAA')).status).toBe(403);
    expect(entries(exportDir)).toEqual(before);
  });

  it('when a practitioner who is not compliance staff signs in, then the page and the API refuse with 403', async () => {
    const s = await complianceSignIn(nc.appUrl, 'Practitioner/pt-chen');
    expect(s.final.status).toBe(403);
    expect(await s.final.text()).toContain('not one of the compliance staff');
    const res = await startExport(nc.appUrl, s, ONE_PATIENT);
    expect(res.status).toBe(403);
    expect((await outcomeOf(res)).issue[0]?.diagnostics).toMatch(/not one of the compliance staff/);
  });

  it('when the sandbox\'s compliance officer exports, then the packet is made and the AuditEvent names them from the sign-in, never from the request body', async () => {
    const s = await complianceSignIn(nc.appUrl, OFFICER);
    expect(s.final.status).toBe(200);
    expect(await s.final.text()).toMatch(/id="export-form"/);
    const id = await started(nc.appUrl, s, { ...ONE_PATIENT, requestedBy: 'Mallory Forger', requestedByReference: 'Practitioner/pt-rivera' });
    const end = await finished(nc.appUrl, s, id);
    expect(end.event).toBe('done');
    const [, stored] = await nc.sandbox!.engine.execute({ method: 'GET', path: `/${String(end.data.auditEvent)}` });
    const audit = stored as AuditEvent;
    expect(audit.agent[0]).toMatchObject({ requestor: true, who: { reference: OFFICER, display: 'Jordan Ellis' } });
    expect(JSON.stringify(audit)).not.toMatch(/Mallory|pt-rivera/);
  });

  it('when a user starts a second export while their first is running, then 429 with Retry-After and a plain message, also from another sign-in of theirs', async () => {
    const first = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, first);
    const again = await startExport(nc.appUrl, first, ONE_PATIENT);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await outcomeOf(again)).issue[0]).toMatchObject({ code: 'throttled', diagnostics: 'An export of yours is still running: wait for it to finish' });
    const elsewhere = await complianceSignIn(nc.appUrl, OFFICER);
    expect((await startExport(nc.appUrl, elsewhere, ONE_PATIENT)).status).toBe(429);

    expect((await finished(nc.appUrl, first, id)).event).toBe('done');
    const next = await started(nc.appUrl, elsewhere, ONE_PATIENT);
    expect((await finished(nc.appUrl, elsewhere, next)).event).toBe('done');
  });

  it('when a packet is written, then it lives in its own folder under NEEDLECHART_EXPORT_DIR, folders 0700 and files 0600', async () => {
    const s = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, s, ONE_PATIENT);
    expect((await finished(nc.appUrl, s, id)).event).toBe('done');
    expect(statSync(exportDir).mode & 0o777).toBe(0o700);
    const job = entries(exportDir).filter((name) => name.includes(id));
    expect(job).toHaveLength(1);
    const inside = modesUnder(join(exportDir, job[0] ?? ''));
    expect(inside.filter((e) => !e.dir).map((e) => e.path)).toEqual(expect.arrayContaining([expect.stringMatching(/\.zip$/), expect.stringMatching(/manifest\.json$/), expect.stringMatching(/visits\/.+\.pdf$/)]));
    expect(statSync(join(exportDir, job[0] ?? '')).mode & 0o777).toBe(0o700);
    for (const e of inside) expect(e.mode.toString(8), e.path).toBe(e.dir ? '700' : '600');
  });

  it('when the packet is downloaded, then it is removed from the server and a second download says so', async () => {
    const s = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, s, ONE_PATIENT);
    expect((await finished(nc.appUrl, s, id)).event).toBe('done');
    expect(entries(exportDir).filter((name) => name.includes(id))).toHaveLength(1);
    const res = await download(nc.appUrl, s, id);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect(await eventually(() => entries(exportDir).filter((name) => name.includes(id)).length === 0)).toBe(true);
    const again = await download(nc.appUrl, s, id);
    expect(again.status).toBe(410);
    expect((await outcomeOf(again)).issue[0]?.diagnostics).toMatch(/already downloaded/);
  });

  it('when the internal report is downloaded, then it is a zip of internal/ files only, the payer packet stays for its own download and holds no internal/ file', async () => {
    const s = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, s, { ...ONE_PATIENT, requester: 'Medical Review Unit', requestReference: 'ADR-7' });
    const end = await finished(nc.appUrl, s, id);
    expect(end).toMatchObject({ event: 'done', data: { internalDownload: `/api/exports/${id}/internal` } });
    const internal = await fetch(`${nc.appUrl}/api/exports/${id}/internal?launch=${s.launchId}`, { headers: { cookie: s.cookie } });
    expect(internal.status).toBe(200);
    expectNoStore(internal, 'GET /api/exports/:id/internal');
    const report = Buffer.from(await internal.arrayBuffer());
    expect(report.includes(Buffer.from('internal/index.csv'))).toBe(true);
    expect(report.includes(Buffer.from('cover.pdf'))).toBe(false);
    const packet = await download(nc.appUrl, s, id);
    expect(packet.status).toBe(200);
    const zip = Buffer.from(await packet.arrayBuffer());
    expect(zip.includes(Buffer.from('cover.pdf'))).toBe(true);
    expect(zip.includes(Buffer.from('certification.pdf'))).toBe(true);
    expect(zip.includes(Buffer.from('internal/'))).toBe(false);
    const gone = await fetch(`${nc.appUrl}/api/exports/${id}/internal?launch=${s.launchId}`, { headers: { cookie: s.cookie } });
    expect(gone.status).toBe(410);
  });

  it('when each route that carries patient data answers, then it says no-store (and Pragma: no-cache), while reference data and assets keep their caching', async () => {
    const chart = await ehrLaunch(sandboxOrigin(), { patient: 'p-james-carter', encounter: 'e-james-carter-3' });
    expectNoStore(await api(nc.appUrl, chart, '/api/context'), 'GET /api/context');
    expectNoStore(await api(nc.appUrl, chart, '/api/preview', { method: 'POST', body: JSON.stringify(completeSession()) }), 'POST /api/preview');
    expectNoStore(await api(nc.appUrl, chart, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: {} }) }), 'POST /api/sessions');
    expectNoStore(await api(nc.appUrl, chart, '/api/draft', { method: 'PUT', body: JSON.stringify({ plan: 'x' }) }), 'PUT /api/draft');
    expectNoStore(await api(nc.appUrl, chart, '/api/draft'), 'GET /api/draft');
    expectNoStore(await fetch(`${nc.appUrl}/app?launch=${chart.launchId}`, { headers: { cookie: chart.cookie } }), 'GET /app');

    const staff = await complianceSignIn(nc.appUrl, OFFICER);
    expectNoStore(staff.final, 'GET /compliance');
    const start = await startExport(nc.appUrl, staff, ONE_PATIENT);
    expectNoStore(start, 'POST /api/exports');
    const { id } = (await start.json()) as { id: string };
    const stream = await events(nc.appUrl, staff, id);
    expectNoStore(stream, 'GET /api/exports/:id/events');
    await stream.text();
    const packet = await download(nc.appUrl, staff, id);
    expect(packet.status).toBe(200);
    expectNoStore(packet, 'GET /api/exports/:id/download');
    await packet.arrayBuffer();

    const catalog = await fetch(`${nc.appUrl}/api/catalog`);
    expect(catalog.headers.get('cache-control')).toBe('public, max-age=300');
    expect(catalog.headers.get('pragma')).toBeNull();
    expect((await fetch(`${nc.appUrl}/assets/app.css`)).headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('when exports ran, then the log names no patient and no user', () => {
    const log = logLines.join('\n');
    expect(log).toContain('export finished');
    expect(log).not.toMatch(/Maria|Lopez|James|Carter|Jordan|Ellis|Bearer|eyJ/);
  });
});

describe('the compliance export with a compliance role, an instance limit of one and a short packet lifetime', () => {
  let nc: RunningNeedleChart;
  let closed = false;
  beforeAll(async () => {
    ({ nc } = await startTestNeedleChart({ env: { NEEDLECHART_COMPLIANCE_USERS: 'Practitioner/pt-rivera', NEEDLECHART_COMPLIANCE_ROLE: OFFICER_ROLE, NEEDLECHART_EXPORTS_PER_INSTANCE: '1' }, exportTtlMs: 1500 }));
  }, 60_000);
  afterAll(async () => {
    if (!closed) await nc?.close();
  });
  const exportDir = (): string => nc.exportDir ?? '';

  it('when a practitioner holds the configured PractitionerRole in the EHR, then they may export; one with neither the role nor a listing may not', async () => {
    const officer = await complianceSignIn(nc.appUrl, OFFICER);
    expect(officer.final.status).toBe(200);
    const chen = await complianceSignIn(nc.appUrl, 'Practitioner/pt-chen');
    expect(chen.final.status).toBe(403);
    expect((await startExport(nc.appUrl, chen, ONE_PATIENT)).status).toBe(403);
  });

  it('when no export directory is configured, then packets go to a private folder made for this run under the OS temp folder', () => {
    expect(exportDir().startsWith(tmpdir())).toBe(true);
    expect(exportDir()).not.toBe(join(tmpdir(), 'needlechart-exports'));
    expect(statSync(exportDir()).mode & 0o777).toBe(0o700);
  });

  it('when another compliance user follows or downloads someone else\'s export, then 403', async () => {
    const officer = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, officer, ONE_PATIENT);
    const rivera = await complianceSignIn(nc.appUrl, 'Practitioner/pt-rivera');
    expect(rivera.final.status).toBe(200);
    const follow = await events(nc.appUrl, rivera, id);
    expect(follow.status).toBe(403);
    expect((await outcomeOf(follow)).issue[0]?.diagnostics).toMatch(/started by someone else/);
    expect((await finished(nc.appUrl, officer, id)).event).toBe('done');
    const res = await download(nc.appUrl, rivera, id);
    expect(res.status).toBe(403);
    expect((await outcomeOf(res)).issue[0]?.code).toBe('forbidden');
    expect((await download(nc.appUrl, officer, id)).status).toBe(200);
  });

  it('when the server runs as many exports as it allows, then another user\'s export gets 429 with Retry-After', async () => {
    const officer = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, officer);
    const rivera = await complianceSignIn(nc.appUrl, 'Practitioner/pt-rivera');
    const res = await startExport(nc.appUrl, rivera, ONE_PATIENT);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await outcomeOf(res)).issue[0]).toMatchObject({ code: 'throttled', diagnostics: 'Too many exports are running on this server: try again in a few minutes' });
    expect((await finished(nc.appUrl, officer, id)).event).toBe('done');
  });

  it('when a finished packet is not downloaded within its lifetime, then it is removed and can no longer be downloaded', async () => {
    const officer = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, officer, ONE_PATIENT);
    expect((await finished(nc.appUrl, officer, id)).event).toBe('done');
    expect(entries(exportDir()).filter((name) => name.includes(id))).toHaveLength(1);
    expect(await eventually(() => entries(exportDir()).filter((name) => name.includes(id)).length === 0, 6000)).toBe(true);
    const res = await download(nc.appUrl, officer, id);
    expect([404, 410]).toContain(res.status);
  });

  it('when NeedleChart shuts down, then the export folder it made is removed with every packet in it', async () => {
    const officer = await complianceSignIn(nc.appUrl, OFFICER);
    const id = await started(nc.appUrl, officer, ONE_PATIENT);
    expect((await finished(nc.appUrl, officer, id)).event).toBe('done');
    const dir = exportDir();
    expect(entries(dir).length).toBeGreaterThan(0);
    closed = true;
    await nc.close();
    expect(existsSync(dir)).toBe(false);
  });
});
