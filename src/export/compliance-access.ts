import type { PractitionerRole } from 'fhir/r4.js';
import type { FhirGateway } from '../fhir/client.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import { allows, splitScopes } from '../smart/scopes.js';

/** A PractitionerRole code; without a system any coding with the code matches. */
export interface RoleCode {
  readonly system?: string;
  readonly code: string;
}

/**
 * Who may export record packets (every patient's visits, read with NeedleChart's own system token):
 * staff named by fhirUser reference, and/or staff whose PractitionerRole in the EHR carries `role`.
 * Both empty means nobody.
 */
export interface CompliancePolicy {
  readonly users: readonly string[];
  readonly role?: RoleCode;
}

/**
 * The policy in force: the configured users and role; when neither is configured, the sandbox's
 * compliance officer in the sandbox and nobody with a real EHR (`sandboxUser` undefined). Pure.
 */
export function resolveCompliancePolicy(configured: { readonly users: readonly string[] | undefined; readonly role: RoleCode | undefined }, sandboxUser: string | undefined): CompliancePolicy & { readonly sandboxDefault: boolean } {
  const sandboxDefault = configured.users === undefined && configured.role === undefined && sandboxUser !== undefined;
  const users = configured.users ?? (sandboxDefault && sandboxUser ? [sandboxUser] : []);
  return { users, ...(configured.role ? { role: configured.role } : {}), sandboxDefault };
}

/** The signed-in user as the launch established them: the verified id_token's fhirUser and the scopes granted. */
export interface ComplianceUser {
  readonly fhirUser?: string;
  readonly scope: string;
}

export type ComplianceDecision = { readonly allowed: true } | { readonly allowed: false; readonly message: string };

/** The scope the compliance sign-in asks for when a role is configured: to read the user's own PractitionerRoles. */
export const ROLE_SCOPE = 'user/PractitionerRole.rs';

/**
 * What the compliance sign-in asks for (manifest.json `complianceLaunch`): identity, and patient and
 * practitioner search so that staff find a patient (name, date of birth, MRN) or a performer (name)
 * with their own access instead of typing FHIR ids. The PractitionerRole read only when a compliance
 * role is configured: a sign-in asks for no more than it uses.
 */
export function complianceScopes(registered: readonly string[], roleConfigured: boolean): string[] {
  return registered.filter((scope) => scope !== ROLE_SCOPE || roleConfigured);
}

const PATIENT_SIDE = /^(Patient|RelatedPerson|Person)\//;

const refuse = (message: string): ComplianceDecision => ({ allowed: false, message });

export const NOBODY_CONFIGURED = 'No one may export record packets yet: NeedleChart\'s administrator has not named the compliance staff.';
const PATIENT_REFUSED = 'Patients and people signed in for a patient cannot export record packets: the compliance export is for the clinic\'s compliance staff.';
const NO_IDENTITY = 'The EHR did not say who signed in, so NeedleChart cannot check that you are compliance staff. Ask your NeedleChart administrator.';
const NOT_STAFF = 'You are not one of the compliance staff who may export record packets. If you need to, ask your NeedleChart administrator to add you.';
const ROLES_UNREADABLE = 'The EHR did not let NeedleChart read your staff roles, so it cannot check that you are compliance staff. Sign in again and allow it, or ask your NeedleChart administrator.';

/** Whether `role` is in force (active, within its period) and carries the wanted code. Pure. */
export function holdsRole(role: PractitionerRole, wanted: RoleCode, now = new Date()): boolean {
  if (role.active === false) return false;
  if (role.period?.end && Date.parse(role.period.end) < now.getTime()) return false;
  if (role.period?.start && Date.parse(role.period.start) > now.getTime()) return false;
  return (role.code ?? []).some((concept) => (concept.coding ?? []).some((c) => c.code === wanted.code && (wanted.system === undefined || c.system === wanted.system)));
}

/**
 * Decides whether the signed-in user may use the compliance export. Patients, their representatives
 * and unnamed users never may. A listed fhirUser may. With a role configured, the user's own
 * PractitionerRole (fhirUser is a PractitionerRole) or roles (`PractitionerRole?practitioner=`, when
 * fhirUser is a Practitioner) are read from the EHR with the user's own token, so the EHR's record of
 * their job decides, not anything the browser sends.
 */
export async function decideComplianceAccess(policy: CompliancePolicy, user: ComplianceUser, gateway: Pick<FhirGateway, 'read' | 'searchAll'>): Promise<ComplianceDecision> {
  const who = user.fhirUser;
  if (who && PATIENT_SIDE.test(who)) return refuse(PATIENT_REFUSED);
  if (!policy.users.length && !policy.role) return refuse(NOBODY_CONFIGURED);
  if (!who) return refuse(NO_IDENTITY);
  if (policy.users.includes(who)) return { allowed: true };
  const wanted = policy.role;
  if (!wanted) return refuse(NOT_STAFF);
  const [type, id = ''] = who.split('/');
  const granted = splitScopes(user.scope);
  try {
    if (type === 'PractitionerRole') {
      if (!allows(granted, 'PractitionerRole', 'r', ['user'])) return refuse(ROLES_UNREADABLE);
      return holdsRole(await gateway.read<PractitionerRole>('PractitionerRole', id), wanted) ? { allowed: true } : refuse(NOT_STAFF);
    }
    if (type === 'Practitioner') {
      if (!allows(granted, 'PractitionerRole', 's', ['user'])) return refuse(ROLES_UNREADABLE);
      const roles = await gateway.searchAll<PractitionerRole>('PractitionerRole', { practitioner: who, _count: '50' }, 2);
      // Only the user's own roles count, should a server ignore the search parameter.
      return roles.some((r) => referenceTo(r.practitioner?.reference) === who && holdsRole(r, wanted)) ? { allowed: true } : refuse(NOT_STAFF);
    }
  } catch (error) {
    // The EHR refusing the read (403) or not having the role (404, 410) is a refusal here; an EHR that fails stays an error.
    if (error instanceof OperationOutcomeError && [403, 404, 410].includes(error.status)) return refuse(error.status === 403 ? ROLES_UNREADABLE : NOT_STAFF);
    throw error;
  }
  return refuse(NOT_STAFF);
}

/** `Type/id` of a relative or absolute reference. */
function referenceTo(reference: string | undefined): string | undefined {
  return /(?:^|\/)([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '')?.[1];
}
