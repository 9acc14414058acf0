import type { BundleEntry, Extension, Practitioner, PractitionerRole } from 'fhir/r4.js';
import type { Performer } from '../domain/types.generated.js';
import { notFound, OperationOutcomeError, upstream } from '../outcome/operation-outcome-error.js';
import { fhirString } from './extensions.js';
import { DRY_NEEDLING_QUALIFICATION, NPI_SYSTEM, PLAN_NET_QUALIFICATION, QUALIFICATION_SYSTEM, USPS_STATE } from './systems.js';

/**
 * The signed-in clinician as the EHR records them: the performer of a visit they chart and the author
 * of every write they make (Procedure performer, note author, Provenance author). Never taken from a
 * request body (DESIGN.md 'Who, and in which state').
 */
export interface Clinician {
  /** The user as the launch named them (`fhirUser`): `Practitioner/<id>` or `PractitionerRole/<id>`. */
  readonly fhirUser: string;
  /** Name with credentials, certification, state and NPI; `reference` is always the Practitioner. */
  readonly performer: Performer;
  /** `Organization/<id>` the user acts for when the encounter names none: the role's, else the patient's managing organization. */
  readonly organization?: string;
}

/**
 * Who may save in this launch: a clinician, or the plain-language reason nobody can (`transient`
 * when the EHR only failed to answer just now: not to be kept for the launch).
 */
export type SignedInUser = { readonly ok: true; readonly clinician: Clinician } | { readonly ok: false; readonly reason: string; readonly transient?: true };

/** What a chart open reports when the EHR failed to answer for the user: the chart still opens. */
export const USER_UNREADABLE: SignedInUser = { ok: false, reason: 'NeedleChart could not read your user record from the EHR just now, so it cannot save yet. Reload the page to try again.', transient: true };

const REFERENCE = /^(Practitioner|PractitionerRole)\/([A-Za-z0-9\-.]{1,64})$/;
const ORGANIZATION = /^Organization\/[A-Za-z0-9\-.]{1,64}$/;

/** What to read first for the launch's `fhirUser`, or why no one can save in this launch. */
export function userLookup(fhirUser: string | undefined): { readonly url: string } | { readonly refused: string } {
  if (!fhirUser) return { refused: 'The EHR launch does not say who is signed in, so NeedleChart cannot record who wrote the visit. Launch NeedleChart again from the EHR while signed in as yourself.' };
  if (/^(Patient|RelatedPerson|Person)\//.test(fhirUser)) return { refused: 'You are signed in to the EHR as a patient or a relative: only a clinician can save a dry-needling visit.' };
  if (!REFERENCE.test(fhirUser)) return { refused: 'The EHR named a signed-in user NeedleChart cannot record as a clinician: only a practitioner can save a dry-needling visit.' };
  return { url: fhirUser };
}

function statusOf(entry: BundleEntry | undefined): number {
  return Number((entry?.response?.status ?? '').slice(0, 3)) || (entry?.resource ? 200 : 0);
}

/**
 * The resource a batch entry holds, `undefined` when the EHR may not show it to us (401/403: the
 * launch lacks the scope), an error when it is gone (404/410, not cached as transient) or the EHR failed.
 */
function resourceIn<T extends Practitioner | PractitionerRole>(entry: BundleEntry | undefined, type: T['resourceType'], what: string): T | undefined {
  const status = statusOf(entry);
  if (status >= 200 && status < 300 && entry?.resource?.resourceType === type) return entry.resource as T;
  if (status === 401 || status === 403) return undefined;
  if (status === 404 || status === 410) throw notFound(what);
  throw upstream(`The FHIR server could not return the signed-in user's record (${status || 'no response'})`, { transient: true });
}

/** The second read a PractitionerRole needs: its Practitioner (undefined for a Practitioner user). */
export function practitionerOfRole(fhirUser: string, entry: BundleEntry | undefined): string | undefined {
  if (!fhirUser.startsWith('PractitionerRole/')) return undefined;
  const role = resourceIn<PractitionerRole>(entry, 'PractitionerRole', 'The EHR has no record of your role');
  const reference = role?.practitioner?.reference;
  return reference && /^Practitioner\/[A-Za-z0-9\-.]{1,64}$/.test(reference) ? reference : undefined;
}

function display(practitioner: Practitioner | undefined): string | undefined {
  const name = practitioner?.name?.find((n) => n.use === 'official') ?? practitioner?.name?.[0];
  if (!name) return undefined;
  const text = name.text ?? [[...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' '), ...(name.suffix ?? [])].filter(Boolean).join(', ');
  return text.trim() ? fhirString(text.trim()).slice(0, 200) : undefined;
}

/** The USPS state a qualification is valid in (Plan-Net practitioner-qualification `whereValid`). */
function stateOf(extensions: readonly Extension[] | undefined): string | undefined {
  const where = extensions?.find((e) => e.url === PLAN_NET_QUALIFICATION)?.extension?.find((e) => e.url === 'whereValid')?.valueCodeableConcept?.coding;
  const code = where?.find((c) => c.system === USPS_STATE)?.code;
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}

const current = (period: { start?: string; end?: string } | undefined, today: string): boolean => (!period?.start || period.start.slice(0, 10) <= today) && (!period?.end || period.end.slice(0, 10) >= today);

/**
 * The performer as the EHR records the practitioner: name with suffixes (credentials), the NPI, the
 * dry-needling certificate (a qualification coded `dry-needling`, current today) and the state its
 * licence is valid in (for the scope-of-practice check). `idTokenName` stands in for the name only
 * when the EHR would not show the Practitioner.
 */
export function toPerformer(reference: string, practitioner: Practitioner | undefined, idTokenName: string | undefined, today: string): Performer | undefined {
  const name = display(practitioner) ?? (idTokenName?.trim() ? fhirString(idTokenName.trim()).slice(0, 200) : undefined);
  if (!name) return undefined;
  const qualifications = (practitioner?.qualification ?? []).filter((q) => current(q.period, today));
  const certificate = qualifications.find((q) => q.code.coding?.some((c) => c.system === QUALIFICATION_SYSTEM && c.code === DRY_NEEDLING_QUALIFICATION));
  const state = stateOf(certificate?.extension) ?? qualifications.map((q) => stateOf(q.extension)).find(Boolean);
  const npi = practitioner?.identifier?.find((i) => i.system === NPI_SYSTEM && /^\d{10}$/.test(i.value ?? ''))?.value;
  return { reference, display: name, dryNeedlingCertified: certificate !== undefined, ...(state ? { state } : {}), ...(npi ? { npi } : {}) };
}

export interface UserReads {
  readonly fhirUser: string | undefined;
  readonly idTokenName?: string;
  /** The batch entry for the `fhirUser` read. */
  readonly user?: BundleEntry;
  /** The batch entry for the role's Practitioner, when the user is a PractitionerRole. */
  readonly practitioner?: BundleEntry;
  /** `Organization/<id>` the patient is managed by (the last fallback for onBehalfOf). */
  readonly patientOrganization?: string;
  readonly today: string;
}

/**
 * Turns what was read about the launch's user into a clinician, or the reason no one can save:
 * no user, a patient, or a user the EHR does not know. A Practitioner the launch may not read
 * falls back on the verified id_token's name (no credentials); an EHR failure throws (not cached).
 */
export function toSignedInUser(reads: UserReads): SignedInUser {
  const lookup = userLookup(reads.fhirUser);
  if ('refused' in lookup) return { ok: false, reason: lookup.refused };
  const fhirUser = lookup.url;
  try {
    const role = fhirUser.startsWith('PractitionerRole/') ? resourceIn<PractitionerRole>(reads.user, 'PractitionerRole', 'The EHR has no record of your role') : undefined;
    const practitionerRef = role ? practitionerOfRole(fhirUser, reads.user) : fhirUser;
    if (!practitionerRef) return { ok: false, reason: 'Your role in the EHR names no practitioner, so NeedleChart cannot record who wrote the visit.' };
    const practitioner = resourceIn<Practitioner>(role ? reads.practitioner : reads.user, 'Practitioner', 'The EHR has no record of your user account');
    const performer = toPerformer(practitionerRef, practitioner, reads.idTokenName, reads.today);
    if (!performer) return { ok: false, reason: 'NeedleChart could not read your name from the EHR, so it cannot record who wrote the visit. Ask your administrator to let NeedleChart read practitioner records.' };
    const roleOrganization = role?.organization?.reference;
    const organization = [roleOrganization, reads.patientOrganization].find((o): o is string => !!o && ORGANIZATION.test(o));
    return { ok: true, clinician: { fhirUser, performer, ...(organization ? { organization } : {}) } };
  } catch (error) {
    if (error instanceof OperationOutcomeError && error.status === 404) return { ok: false, reason: `${error.message}, so NeedleChart cannot record who wrote the visit.` };
    throw error;
  }
}
