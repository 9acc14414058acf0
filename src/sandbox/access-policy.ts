import { allows, splitScopes, type Interaction } from '../smart/scopes.js';

/** What a verified access token grants: its scopes and, for patient scopes, the patient compartment. */
export interface Grant {
  readonly scope: string;
  /** Patient id (no type prefix) the token is bound to. */
  readonly patient?: string;
}

export interface AccessRequest {
  readonly method: string;
  /** `/Type`, `/Type/id`, `/Type/id/_history[/vid]` or `/` */
  readonly path: string;
  readonly query: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
}

/** Where each resource type we serve points at its patient. */
const PATIENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Encounter: ['subject'],
  Condition: ['subject'],
  Coverage: ['beneficiary', 'subscriber'],
  Procedure: ['subject'],
  Observation: ['subject'],
  DocumentReference: ['subject'],
  AuditEvent: [],
};
const PATIENT_PARAMS = ['patient', 'subject', 'beneficiary'];

function patientOf(resource: Record<string, unknown>): string | undefined {
  if (resource.resourceType === 'Patient') return typeof resource.id === 'string' ? resource.id : undefined;
  for (const field of PATIENT_FIELDS[String(resource.resourceType)] ?? []) {
    const ref = (resource[field] as { reference?: string } | undefined)?.reference;
    if (ref?.startsWith('Patient/')) return ref.slice('Patient/'.length);
  }
  return undefined;
}

/**
 * Decides one FHIR request against a SMART grant (the sandbox's enforcement): the scope must allow
 * the interaction on the type, and with patient scopes every read, search and write must stay inside
 * the token's patient compartment. Returns the reason for a refusal, or undefined to allow.
 * Single-resource reads of another patient's data are refused by `checkResult` after the read.
 */
export function refusal(grant: Grant, req: AccessRequest): string | undefined {
  const granted = splitScopes(grant.scope);
  const segments = req.path.split('/').filter(Boolean);
  const [type, id] = segments;
  if (!type) {
    const bundle = req.body as { type?: string; entry?: { request?: { method?: string; url?: string }; resource?: Record<string, unknown> }[] } | undefined;
    if (req.method !== 'POST' || (bundle?.type !== 'batch' && bundle?.type !== 'transaction')) return 'Only batch and transaction are served at the base';
    for (const [i, entry] of (bundle.entry ?? []).entries()) {
      const url = entry.request?.url ?? '';
      const [path = '', search = ''] = url.split('?');
      const reason = refusal(grant, { method: entry.request?.method ?? 'GET', path: `/${path}`, query: Object.fromEntries(new URLSearchParams(search)), body: entry.resource });
      if (reason) return `Bundle.entry[${i}]: ${reason}`;
    }
    return undefined;
  }
  const interaction: Interaction = req.method === 'GET' ? (id ? 'r' : 's') : req.method === 'POST' ? 'c' : req.method === 'PUT' ? 'u' : 'd';
  if (!allows(granted, type, interaction)) return `The token's scopes do not allow '${interaction}' on ${type}`;
  // The patient compartment binds only what patient scopes alone allow: a user/ or system/ scope on the type lifts it.
  if (allows(granted, type, interaction, ['user', 'system']) || !grant.patient) return undefined;
  if (interaction === 's') {
    if (type === 'Patient') return req.query._id === grant.patient ? undefined : 'A patient-scoped token searches Patient only by its own _id';
    const named = PATIENT_PARAMS.map((p) => req.query[p]).find((v) => v !== undefined);
    const values = typeof named === 'string' ? named.split(',') : Array.isArray(named) ? named : [];
    if (values.length === 0) return `A patient-scoped search of ${type} must name the patient (patient=Patient/${grant.patient})`;
    if (values.some((v) => v !== `Patient/${grant.patient}` && v !== grant.patient)) return 'The search names another patient';
    return undefined;
  }
  if (interaction === 'c' || interaction === 'u') {
    const owner = req.body && typeof req.body === 'object' ? patientOf(req.body as Record<string, unknown>) : undefined;
    if (owner !== grant.patient && (req.body as { resourceType?: string } | undefined)?.resourceType !== 'Provenance') return 'The resource does not belong to the token\'s patient';
  }
  if (type === 'Patient' && id && id !== grant.patient) return 'The token is for another patient';
  return undefined;
}

/** After a read: a patient-scoped token must not see a resource of another patient. */
export function refusesResult(grant: Grant, resource: unknown): boolean {
  if (!grant.patient || !resource || typeof resource !== 'object') return false;
  const r = resource as Record<string, unknown>;
  if (allows(splitScopes(grant.scope), String(r.resourceType), 'r', ['user', 'system'])) return false;
  if (r.resourceType === 'Bundle' || r.resourceType === 'OperationOutcome' || r.resourceType === 'Provenance') return false;
  const owner = patientOf(r);
  return owner !== undefined && owner !== grant.patient;
}
