import express, { type Router } from 'express';
import type { Bundle, Encounter, Patient } from 'fhir/r4.js';
import { displayName } from '../fhir/chart-context.js';
import type { SandboxAuthServer } from './auth-server.js';
import type { Card } from '../cds/cds-cards.js';
import type { SandboxCdsClient } from './cds-client.js';
import type { SandboxEngine } from './fhir-endpoint.js';
import { escapeHtml } from '../infra/escape-html.js';
import { renderPage } from './pages.js';
import { SEED_COMPLIANCE_OFFICER, SEED_PRACTITIONERS } from './seed-data.js';

export interface OpenChart {
  readonly patient: Patient & { id: string };
  readonly encounters: readonly (Encounter & { id: string })[];
}

/** Patients with their open (in-progress) encounters, for the launcher and the standalone picker. */
export async function openCharts(engine: SandboxEngine): Promise<OpenChart[]> {
  const [, patients] = await engine.execute({ method: 'GET', path: '/Patient', query: { _count: '200' } });
  const [, encounters] = await engine.execute({ method: 'GET', path: '/Encounter', query: { status: 'in-progress', _count: '500' } });
  const open = ((encounters as Bundle | undefined)?.entry ?? []).map((e) => e.resource as Encounter & { id: string });
  return ((patients as Bundle | undefined)?.entry ?? [])
    .map((e) => e.resource as Patient & { id: string })
    .map((patient) => ({ patient, encounters: open.filter((e) => e.subject?.reference === `Patient/${patient.id}`) }))
    .sort((a, b) => displayName(a.patient.name).localeCompare(displayName(b.patient.name)));
}

const practitionerName = (p: (typeof SEED_PRACTITIONERS)[number]): string => `${p.given} ${p.family}, ${p.suffix}`;
export const PRACTITIONERS = SEED_PRACTITIONERS.map((p) => ({ id: p.id, name: practitionerName(p) }));
/** Staff who sign in without a patient (the compliance export), offered first on the sandbox's sign-in page. */
export const STAFF = [{ id: SEED_COMPLIANCE_OFFICER.id, name: `${SEED_COMPLIANCE_OFFICER.given} ${SEED_COMPLIANCE_OFFICER.family}`, label: `${SEED_COMPLIANCE_OFFICER.given} ${SEED_COMPLIANCE_OFFICER.family}, ${SEED_COMPLIANCE_OFFICER.role.display}` }];
/** The sandbox's default compliance-export user, when neither NEEDLECHART_COMPLIANCE_USERS nor NEEDLECHART_COMPLIANCE_ROLE is set. */
export const SANDBOX_COMPLIANCE_USER = `Practitioner/${SEED_COMPLIANCE_OFFICER.id}`;

/**
 * The sandbox EHR's launcher (`/sandbox`): the seeded patients and their open encounters, a
 * practitioner picker, and buttons that do a true EHR launch of NeedleChart — in a new tab, or inside
 * an EHR-like page that frames the app with the sandbox flags real EHRs use — plus a standalone launch.
 */
function cardsHtml(cards: readonly Card[], patient: string, openEncounter: string, encounterOf: ReadonlyMap<string, string>): string {
  if (!cards.length) return '';
  return `<ul class="cds-cards">${cards
    .map((card) => {
      const links = card.links
        .map((l) => {
          const context = l.appContext ? (JSON.parse(l.appContext) as { procedureId?: string }) : {};
          const encounter = context.procedureId ? (encounterOf.get(context.procedureId) ?? openEncounter) : openEncounter;
          return `<form method="post" action="/sandbox/launch" class="cds-link"><input type="hidden" name="patient" value="${escapeHtml(patient)}"><input type="hidden" name="encounter" value="${escapeHtml(encounter)}"><input type="hidden" name="practitioner" value="" class="practitioner-field">${l.appContext ? `<input type="hidden" name="appContext" value="${escapeHtml(l.appContext)}">` : ''}<button type="submit" name="mode" value="tab" data-action="cds-link">${escapeHtml(l.label)}</button></form>`;
        })
        .join('');
      return `<li class="cds-card cds-${escapeHtml(card.indicator)}" data-summary="${escapeHtml(card.summary)}"><strong>${escapeHtml(card.summary)}</strong> <a href="${escapeHtml(card.source.url)}">${escapeHtml(card.source.label)}</a>${links}</li>`;
    })
    .join('')}</ul>`;
}

export function launcherRouter(deps: { engine: SandboxEngine; auth: SandboxAuthServer; fhirBaseUrl: () => string; appUrl: () => string; cds?: SandboxCdsClient; cdsIss?: () => string }): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false }));

  router.get('/', async (_req, res) => {
    const charts = await openCharts(deps.engine);
    // The EHR calls NeedleChart's patient-view hook for each chart on screen, as it would on opening it.
    const cardsByPatient = new Map<string, Card[]>();
    const encounterOf = new Map<string, string>();
    if (deps.cds && deps.cdsIss) {
      const [, procedures] = await deps.engine.execute({ method: 'GET', path: '/Procedure', query: { _count: '5000' } });
      for (const e of (procedures as { entry?: { resource?: { id?: string; encounter?: { reference?: string } } }[] } | undefined)?.entry ?? []) {
        if (e.resource?.id && e.resource.encounter?.reference) encounterOf.set(e.resource.id, e.resource.encounter.reference.replace('Encounter/', ''));
      }
      await Promise.all(charts.map(async ({ patient }) => cardsByPatient.set(patient.id, await deps.cds!.call(deps.engine, deps.cdsIss!(), deps.appUrl(), 'needlechart-patient-view', { patientId: patient.id, userId: `Practitioner/${PRACTITIONERS[0]?.id ?? ''}` }))));
    }
    const users = PRACTITIONERS.map((p) => `<option value="Practitioner/${escapeHtml(p.id)}">${escapeHtml(p.name)}</option>`).join('');
    const rows = charts
      .flatMap(({ patient, encounters }) =>
        encounters.map(
          (e) => `<tr data-patient="${escapeHtml(patient.id)}"><td>${escapeHtml(displayName(patient.name))}</td><td>${escapeHtml(patient.birthDate ?? '')}</td><td><code>Patient/${escapeHtml(patient.id)}</code><br><code>Encounter/${escapeHtml(e.id)}</code></td>
<td><form method="post" action="/sandbox/launch"><input type="hidden" name="patient" value="${escapeHtml(patient.id)}"><input type="hidden" name="encounter" value="${escapeHtml(e.id)}"><input type="hidden" name="practitioner" value="" class="practitioner-field">
<button type="submit" name="mode" value="tab" data-action="launch">Launch NeedleChart</button> <button type="submit" name="mode" value="frame" data-action="launch-frame">Launch in EHR frame</button></form>
${cardsHtml(cardsByPatient.get(patient.id) ?? [], patient.id, e.id, encounterOf)}</td></tr>`,
        ),
      )
      .join('\n');
    const standalone = `${deps.appUrl()}/launch?iss=${encodeURIComponent(deps.fhirBaseUrl())}`;
    res.type('html').send(
      renderPage(
        'Sandbox EHR launcher',
        `<p>Pick the practitioner, then launch NeedleChart for a patient's open encounter, exactly as an EHR would (SMART App Launch, EHR launch).</p>
<p><label>Practitioner <select id="practitioner">${users}</select></label></p>
<table class="launcher"><thead><tr><th>Patient</th><th>Born</th><th>Chart</th><th></th></tr></thead><tbody>${rows}</tbody></table>
<p>Standalone launch (the app asks the EHR to pick a patient): <a id="standalone" href="${escapeHtml(standalone)}">${escapeHtml(standalone)}</a></p>
<p>Compliance staff: <a id="compliance" href="${escapeHtml(deps.appUrl())}/compliance">NeedleChart compliance export</a> (standalone sign-in, no patient).</p>
<p>FHIR base: <code>${escapeHtml(deps.fhirBaseUrl())}</code></p>`,
        { script: '/sandbox/assets/launcher.js' },
      ),
    );
  });

  router.post('/launch', (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    // The user the EHR names: a practitioner from the picker; tests may also name a role, a patient or nobody (`none`).
    const named = body.practitioner ?? '';
    const practitioner = named === 'none' ? undefined : /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/.test(named) ? named : `Practitioner/${PRACTITIONERS[0]?.id ?? ''}`;
    if (!body.patient || !body.encounter) {
      res.status(400).type('html').send(renderPage('Launch refused', '<p>Choose a patient and an encounter.</p>'));
      return;
    }
    const deny = typeof body.deny === 'string' && body.deny ? body.deny.split(/\s+/) : [];
    const appContext = typeof body.appContext === 'string' && body.appContext.length < 2000 ? body.appContext : undefined;
    const launch = deps.auth.createLaunch({ patient: body.patient, encounter: body.encounter, ...(practitioner ? { fhirUser: practitioner } : {}), ...(body.nameClaim === 'omit' ? { nameClaim: false } : {}), needPatientBanner: body.mode === 'tab', deny, ...(appContext ? { appContext } : {}) });
    const url = `${deps.appUrl()}/launch?iss=${encodeURIComponent(deps.fhirBaseUrl())}&launch=${encodeURIComponent(launch)}`;
    if (body.mode !== 'frame') {
      res.redirect(303, url);
      return;
    }
    res.type('html').send(
      renderPage(
        'Chart — dry needling visit',
        `<div class="patient-banner">Patient <code>${escapeHtml(body.patient)}</code> · Encounter <code>${escapeHtml(body.encounter)}</code></div>
<iframe class="app-frame" title="NeedleChart" src="${escapeHtml(url)}" sandbox="allow-scripts allow-same-origin allow-forms allow-popups"></iframe>`,
      ),
    );
  });
  return router;
}
