import type { Bundle, BundleEntry, Condition, Coverage, DocumentReference, Encounter, ExplanationOfBenefit, Observation, Patient, Procedure, Resource } from 'fhir/r4.js';
import { therapyAllowedThisYear } from './therapy-claims.js';
import type { Profiles } from '../domain/profiles.js';
import { notFound, OperationOutcomeError, upstream } from '../outcome/operation-outcome-error.js';
import { toChartContext, type ChartContext, type ChartResources } from './chart-context.js';
import { collectPages, type FhirGateway } from './client.js';
import { readEntries } from './read-entries.js';
import { practitionerOfRole, toSignedInUser, USER_UNREADABLE, userLookup, type SignedInUser } from './signed-in-user.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from './systems.js';

/** How many earlier dry-needling visits a chart open reads (a course is 2–6; this leaves room for long ones). */
const MAX_VISITS = '100';

function entryResource<T extends Resource>(entry: BundleEntry | undefined, type: T['resourceType'], what: string): T {
  const status = entry?.response?.status ?? '';
  if (!status.startsWith('2') || entry?.resource?.resourceType !== type) {
    if (status.startsWith('404')) throw notFound(`${what} was not found on the FHIR server`);
    throw upstream(`The FHIR server could not return ${what} (${status || 'no response'})`);
  }
  return entry.resource as T;
}

function searchBundle(entry: BundleEntry | undefined, what: string): Bundle {
  return entryResource<Bundle>(entry, 'Bundle', what);
}

/** Who the launch says is signed in: `fhirUser` and the `name` claim of the verified id_token. */
export interface LaunchUser {
  readonly fhirUser?: string;
  readonly idTokenName?: string;
}

/** A chart open: the chart context for the page, and who may save in this launch (cached per launch by the caller). */
export interface LaunchChart {
  readonly context: ChartContext;
  readonly user: SignedInUser;
}

const today = (now: Date): string => now.toISOString().slice(0, 10);

/** `read()`, or undefined when the EHR failed to give what it needs (the user's reads only). */
function orUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof OperationOutcomeError) return undefined;
    throw error;
  }
}

/**
 * Reads what a chart open needs: Patient, Encounter, active Conditions, Coverage, earlier
 * dry-needling Procedures and the signed-in user (Practitioner or PractitionerRole) in one batch;
 * the visits' Observations and notes, and a role's Practitioner, in a second. Two round trips when
 * the server supports batch, parallel reads otherwise; paging followed either way. References
 * always as `Patient/<id>`.
 */
export async function loadLaunchChart(gateway: FhirGateway, patient: string, encounter: string, profiles: Profiles, launchUser: LaunchUser = {}, now = new Date(), timeZone?: string): Promise<LaunchChart> {
  const [patientType, patientId] = patient.split('/');
  const [encounterType, encounterId] = encounter.split('/');
  if (patientType !== 'Patient' || !patientId || encounterType !== 'Encounter' || !encounterId) throw notFound('Patient and encounter must be references like Patient/<id> and Encounter/<id>');
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const lookup = userLookup(launchUser.fhirUser);
  const firstReads = [
    `Patient/${patientId}`,
    `Encounter/${encounterId}`,
    `Condition?${q({ patient, 'clinical-status': 'active', _count: '100' })}`,
    `Coverage?${q({ patient, status: 'active' })}`,
    `Procedure?${q({ patient, code: `${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`, _sort: 'date', _count: MAX_VISITS })}`,
    ...('url' in lookup ? [lookup.url] : []),
  ];

  const [p, e, c, cov, proc, user] = await readEntries(gateway, firstReads);
  const procedures = await collectPages<Procedure>(gateway, searchBundle(proc, 'the earlier visits'), 'Procedure');
  const refs = procedures.filter((x) => x.id).map((x) => `Procedure/${x.id}`).join(',');
  // Who is signed in never stops the chart from opening: a user that cannot be read only cannot save.
  const rolePractitioner = launchUser.fhirUser && 'url' in lookup ? orUndefined(() => practitionerOfRole(launchUser.fhirUser ?? '', user)) : undefined;
  // This year's claims ride in the second round trip; an EHR that keeps none or refuses them gives no KX advice, never an error.
  const claimsRead = `ExplanationOfBenefit?${q({ patient, created: `ge${today(now).slice(0, 4)}-01-01`, _count: '100' })}`;
  const secondReads = [...(refs ? [`Observation?${q({ patient, 'part-of': refs, _count: '1000' })}`, `DocumentReference?${q({ patient, related: refs, _count: '500' })}`] : []), ...(rolePractitioner ? [rolePractitioner] : []), claimsRead];
  const second = await readEntries(gateway, secondReads);
  const [obs, docs] = refs ? second : [undefined, undefined];
  const claimsEntry = second[second.length - 1];
  const claims = claimsEntry?.response?.status?.startsWith('2') && claimsEntry.resource?.resourceType === 'Bundle' ? ((claimsEntry.resource as Bundle).entry ?? []).map((x) => x.resource).filter((r): r is ExplanationOfBenefit => r?.resourceType === 'ExplanationOfBenefit') : [];
  const chart: ChartResources = {
    patient: entryResource<Patient>(p, 'Patient', patient),
    encounter: entryResource<Encounter>(e, 'Encounter', encounter),
    conditions: await collectPages<Condition>(gateway, searchBundle(c, 'the conditions'), 'Condition'),
    coverages: await collectPages<Coverage>(gateway, searchBundle(cov, 'the coverage'), 'Coverage'),
    procedures,
    observations: obs ? await collectPages<Observation>(gateway, searchBundle(obs, 'the outcome observations'), 'Observation') : [],
    documents: docs ? await collectPages<DocumentReference>(gateway, searchBundle(docs, 'the notes'), 'DocumentReference') : [],
  };
  if (chart.encounter.subject?.reference && chart.encounter.subject.reference !== patient) throw notFound(`${encounter} does not belong to ${patient}`);
  const reads = {
    fhirUser: launchUser.fhirUser,
    ...(launchUser.idTokenName ? { idTokenName: launchUser.idTokenName } : {}),
    ...(user ? { user } : {}),
    ...(rolePractitioner ? { practitioner: second[second.length - 2] } : {}),
    ...(chart.patient.managingOrganization?.reference ? { patientOrganization: chart.patient.managingOrganization.reference } : {}),
    today: today(now),
  };
  const context = toChartContext(chart, profiles, timeZone);
  return { context: claims.length ? { ...context, therapyAmountThisYear: therapyAllowedThisYear(claims, `${today(now)}T23:59:59Z`) } : context, user: orUndefined(() => toSignedInUser(reads)) ?? USER_UNREADABLE };
}

/** The chart context alone (no signed-in user): for callers outside a launch. */
export async function loadChartContext(gateway: FhirGateway, patient: string, encounter: string, profiles: Profiles): Promise<ChartContext> {
  return (await loadLaunchChart(gateway, patient, encounter, profiles)).context;
}

/**
 * Who may save in this launch, read on its own (a save that comes before any chart open): the
 * user's record and the Patient (for its managing organization) in one round trip, a role's
 * Practitioner in a second.
 */
export async function loadSignedInUser(gateway: FhirGateway, patient: string, launchUser: LaunchUser, now = new Date()): Promise<SignedInUser> {
  const lookup = userLookup(launchUser.fhirUser);
  if (!('url' in lookup) || !launchUser.fhirUser) return toSignedInUser({ fhirUser: launchUser.fhirUser, today: today(now) });
  const [user, p] = await readEntries(gateway, [lookup.url, patient]);
  const fhirUser = launchUser.fhirUser;
  const rolePractitioner = orUndefined(() => practitionerOfRole(fhirUser, user));
  const [practitioner] = rolePractitioner ? await readEntries(gateway, [rolePractitioner]) : [];
  const managing = p?.resource?.resourceType === 'Patient' ? (p.resource as Patient).managingOrganization?.reference : undefined;
  return toSignedInUser({
    fhirUser: launchUser.fhirUser,
    ...(launchUser.idTokenName ? { idTokenName: launchUser.idTokenName } : {}),
    ...(user ? { user } : {}),
    ...(practitioner ? { practitioner } : {}),
    ...(managing ? { patientOrganization: managing } : {}),
    today: today(now),
  });
}
