import type { OperationOutcome } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { complianceSignIn, ehrLaunch, type LaunchedSession } from '../support/launch.js';
import { sandboxOf, startTestNeedleChart } from '../support/sandbox.js';

/** The sandbox's compliance officer: its default compliance user. */
const OFFICER = 'Practitioner/staff-jordan-ellis';
const ALL_DATES = { from: '2000-01-01', to: '2100-12-31' };
/** Any FHIR id the sandbox seeds, or a uuid-style one it makes: none may reach the browser. */
const FHIR_IDS = /p-maria-lopez|p-james-carter|pt-rivera|pt-chen|Patient\/|Practitioner\/|[0-9a-f]{8}-/;

interface PatientRow { readonly name: string; readonly born?: string; readonly mrn?: string; readonly choice: string }
interface PerformerRow { readonly name: string; readonly credentials?: string; readonly npi?: string; readonly choice: string }

const api = (appUrl: string, s: LaunchedSession, path: string, init: RequestInit = {}) =>
  fetch(`${appUrl}${path}`, { ...init, headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

describe('finding patients and performers on the compliance page', () => {
  let nc: RunningNeedleChart;
  let logLines: string[];
  let staff: LaunchedSession;
  beforeAll(async () => {
    ({ nc, logLines } = await startTestNeedleChart());
    staff = await complianceSignIn(nc.appUrl, OFFICER);
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
  });

  const patients = async (query: string): Promise<{ status: number; text: string; body: { patients: PatientRow[]; more: boolean } }> => {
    const res = await api(nc.appUrl, staff, `/api/compliance/patients?${query}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as { patients: PatientRow[]; more: boolean } };
  };

  it.each([
    ['by name', 'name=Lopez'],
    ['by given name', 'name=maria'],
    ['by date of birth', 'birthdate=1984-03-12'],
    ['by MRN', 'mrn=MRN-MARIA-LOPEZ'],
  ])('when staff search %s, then the seeded patient is listed by name, date of birth and MRN, with no FHIR id in the answer', async (_how, query) => {
    const { status, text, body } = await patients(query);
    expect(status).toBe(200);
    expect(body.patients).toEqual([expect.objectContaining({ name: 'Maria Lopez', born: 'Mar 12, 1984', mrn: 'MRN-MARIA-LOPEZ' })]);
    expect(body.more).toBe(false);
    expect(text).not.toMatch(FHIR_IDS);
  });

  it('when staff search a performer by name, then they are listed with credentials and NPI, with no FHIR id in the answer', async () => {
    const res = await api(nc.appUrl, staff, '/api/compliance/performers?name=Rivera');
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { performers: PerformerRow[] };
    expect(body.performers).toEqual([expect.objectContaining({ name: 'Alex Rivera', credentials: 'PT, DPT', npi: '1234567893' })]);
    expect(text).not.toMatch(FHIR_IDS);
  });

  it('when a search gives nothing to search by, then 400 names the name field in the page\'s words', async () => {
    const { status, text } = await patients('name=');
    expect(status).toBe(400);
    const outcome = JSON.parse(text) as OperationOutcome;
    expect(outcome.issue[0]).toMatchObject({ expression: ['name'], diagnostics: expect.stringMatching(/name, their date of birth or their MRN/) });
    const badDate = await patients('birthdate=12%2F03%2F1984');
    expect(badDate.status).toBe(400);
    expect((JSON.parse(badDate.text) as OperationOutcome).issue[0]).toMatchObject({ expression: ['birthdate'] });
  });

  it('when staff pick a patient and a performer, then the count before the export equals the packet that export makes, and the start answer holds no FHIR id', async () => {
    const maria = (await patients('name=Lopez')).body.patients[0]?.choice ?? '';
    const rivera = ((await (await api(nc.appUrl, staff, '/api/compliance/performers?name=Rivera')).json()) as { performers: PerformerRow[] }).performers[0]?.choice ?? '';
    const request = { ...ALL_DATES, patient: maria, performer: rivera };
    const preview = await api(nc.appUrl, staff, '/api/exports/preview', { method: 'POST', body: JSON.stringify(request) });
    expect(preview.status).toBe(200);
    const count = (await preview.json()) as { visits: number; patients: number; firstDay?: string; lastDay?: string };
    expect(count).toMatchObject({ visits: 3, patients: 1 });
    expect(count.firstDay && count.lastDay && count.firstDay <= count.lastDay).toBe(true);
    const start = await api(nc.appUrl, staff, '/api/exports', { method: 'POST', body: JSON.stringify(request) });
    expect(start.status).toBe(202);
    const started = await start.text();
    expect(started).not.toMatch(FHIR_IDS);
    const { id } = JSON.parse(started) as { id: string };
    const events = await (await fetch(`${nc.appUrl}/api/exports/${id}/events?launch=${staff.launchId}`, { headers: { cookie: staff.cookie } })).text();
    const done = JSON.parse(/event: done\ndata: (.*)/.exec(events)?.[1] ?? '{}') as { visits?: number; patients?: number };
    expect(done).toMatchObject({ visits: count.visits, patients: count.patients });
  });

  it('when a pick is forged, then the count refuses it naming the patient field in the page\'s words', async () => {
    const forged = await api(nc.appUrl, staff, '/api/exports/preview', { method: 'POST', body: JSON.stringify({ ...ALL_DATES, patient: 'eyJhbGciOiJkaXIifQ..aaaa.bbbb.cccc' }) });
    expect(forged.status).toBe(422);
    expect(((await forged.json()) as OperationOutcome).issue[0]).toMatchObject({ expression: ['patient'], diagnostics: expect.stringMatching(/search for the patient again/) });
  });

  it('when a practitioner who is not compliance staff, or a charting launch, searches, then it is refused (403, 401) and nothing is listed', async () => {
    const clinician = await complianceSignIn(nc.appUrl, 'Practitioner/pt-chen');
    const refused = await api(nc.appUrl, clinician, '/api/compliance/patients?name=Lopez');
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('Maria');
    const performers = await api(nc.appUrl, clinician, '/api/compliance/performers?name=Rivera');
    expect(performers.status).toBe(403);
    const preview = await api(nc.appUrl, clinician, '/api/exports/preview', { method: 'POST', body: JSON.stringify(ALL_DATES) });
    expect(preview.status).toBe(403);
    const chart = await ehrLaunch(sandboxOf(nc).origin, { patient: 'p-james-carter', encounter: 'e-james-carter-3' });
    const charting = await api(nc.appUrl, chart, '/api/compliance/patients?name=Lopez');
    expect(charting.status).toBe(401);
    expect(await charting.text()).not.toContain('Maria');
  });

  it('when searches ran, then the log names no patient and carries no search term', () => {
    const log = logLines.join('\n');
    expect(log).toContain('/api/compliance/patients');
    expect(log).not.toMatch(/Maria|Lopez|1984-03-12|MRN-MARIA|Rivera/);
  });
});
