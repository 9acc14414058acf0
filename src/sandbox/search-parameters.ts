import type { Resource } from '@medplum/fhirtypes';

/**
 * The search parameters the sandbox supports, per resource type: the one table behind the
 * CapabilityStatement, the query parser and the fast path's matching. Each parameter reads its
 * values as the R4 SearchParameter's FHIRPath expression does (http://hl7.org/fhir/R4/searchparameter-registry.html),
 * in plain JavaScript; a unit test checks every name, type and target list against Medplum's copy of
 * those definitions.
 */

/** A Coding or an Identifier as a token: `system` and `code` (an identifier's `value`). */
export interface Token {
  readonly system?: string;
  readonly code?: string;
}

/** A date-typed element as stored: a date, dateTime or instant string, or a Period. */
export type DateValue = string | { readonly start?: string; readonly end?: string };

interface ParamBase<T extends string, V> {
  readonly type: T;
  /** The values of this parameter in one resource (an empty list: the resource has none). */
  readonly values: (resource: Resource) => readonly V[];
}
export interface ReferenceParam extends ParamBase<'reference', string> {
  /** Resource types the reference may point at; `*` for any type. */
  readonly targets: readonly string[] | '*';
}
export type TokenParam = ParamBase<'token', Token>;
export type DateParam = ParamBase<'date', DateValue>;
export type StringParam = ParamBase<'string', string>;
export type SearchParam = ReferenceParam | TokenParam | DateParam | StringParam;

/** The resource as a loose record: values are read defensively, whatever shape was stored. */
type Loose = Readonly<Record<string, unknown>>;
const loose = (r: Resource): Loose => r as unknown as Loose;
const list = (x: unknown): readonly unknown[] => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);
const field = (x: unknown, name: string): unknown => (x && typeof x === 'object' ? (x as Loose)[name] : undefined);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const strings = (xs: readonly unknown[]): string[] => xs.map(str).filter((s): s is string => s !== undefined);

/** `Reference.reference` of each reference in `x` (a Reference or a list of them). */
const refs = (x: unknown): string[] => strings(list(x).map((r) => field(r, 'reference')));
const patientRefs = (x: unknown): string[] => refs(x).filter((r) => r.startsWith('Patient/'));
/** The codings of a Coding, a CodeableConcept, or a list of either. */
function codings(x: unknown): Token[] {
  return list(x).flatMap((c) => {
    const inner = field(c, 'coding');
    const all = inner === undefined ? [c] : list(inner);
    return all.map((coding) => ({ system: str(field(coding, 'system')), code: str(field(coding, 'code')) })).filter((t) => t.system !== undefined || t.code !== undefined);
  });
}
const identifiers = (x: unknown): Token[] => list(x).map((i) => ({ system: str(field(i, 'system')), code: str(field(i, 'value')) })).filter((t) => t.system !== undefined || t.code !== undefined);
const code = (x: unknown): Token[] => (typeof x === 'string' ? [{ code: x }] : []);
const dates = (...xs: unknown[]): DateValue[] =>
  xs.flatMap(list).flatMap((x): DateValue[] => {
    if (typeof x === 'string') return [x];
    const start = str(field(x, 'start'));
    const end = str(field(x, 'end'));
    return start !== undefined || end !== undefined ? [{ ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) }] : [];
  });
/** Every string part of each HumanName: family, given, prefix, suffix and text. */
const nameParts = (x: unknown): string[] => list(x).flatMap((n) => strings([field(n, 'family'), ...list(field(n, 'given')), ...list(field(n, 'prefix')), ...list(field(n, 'suffix')), field(n, 'text')]));

const reference = (targets: readonly string[] | '*', values: (r: Loose) => string[]): ReferenceParam => ({ type: 'reference', targets, values: (r) => values(loose(r)) });
const token = (values: (r: Loose) => Token[]): TokenParam => ({ type: 'token', values: (r) => values(loose(r)) });
const date = (values: (r: Loose) => DateValue[]): DateParam => ({ type: 'date', values: (r) => values(loose(r)) });
const text = (values: (r: Loose) => string[]): StringParam => ({ type: 'string', values: (r) => values(loose(r)) });

/** Parameters every type has (R4 Resource-id, Resource-lastUpdated, Resource-tag: NeedleChart's Provenance is created conditionally on its tag). */
const COMMON: Readonly<Record<string, SearchParam>> = {
  _id: token((r) => code(r.id)),
  _lastUpdated: date((r) => dates(field(r.meta, 'lastUpdated'))),
  _tag: token((r) => codings(field(r.meta, 'tag'))),
};

const status = token((r) => code(r.status));
const identifier = token((r) => identifiers(r.identifier));
const subjectPatient = reference(['Patient'], (r) => patientRefs(r.subject));
const encounterOf = (get: (r: Loose) => unknown): ReferenceParam => reference(['Encounter', 'EpisodeOfCare'], (r) => refs(get(r)));
const humanNames = {
  name: text((r) => nameParts(r.name)),
  family: text((r) => strings(list(r.name).map((n) => field(n, 'family')))),
  given: text((r) => strings(list(r.name).flatMap((n) => list(field(n, 'given'))))),
};
const ACTORS = ['Practitioner', 'Organization', 'Device', 'Patient', 'PractitionerRole', 'RelatedPerson'];

/** The sandbox's search parameters by resource type (`_id` and `_lastUpdated` on every one). */
export const SEARCH_PARAMETERS: Readonly<Record<string, Readonly<Record<string, SearchParam>>>> = {
  Patient: { ...COMMON, identifier, ...humanNames, birthdate: date((r) => dates(r.birthDate)), gender: token((r) => code(r.gender)) },
  Practitioner: { ...COMMON, identifier, ...humanNames },
  Organization: { ...COMMON, identifier, name: text((r) => strings([r.name, ...list(r.alias)])) },
  // Read for the signed-in user (their Practitioner) and the compliance role (their PractitionerRoles).
  PractitionerRole: {
    ...COMMON,
    identifier,
    practitioner: reference(['Practitioner'], (r) => refs(r.practitioner)),
    organization: reference(['Organization'], (r) => refs(r.organization)),
    role: token((r) => codings(r.code)),
    active: token((r) => (typeof r.active === 'boolean' ? [{ code: String(r.active) }] : [])),
  },
  Encounter: {
    ...COMMON,
    patient: subjectPatient,
    subject: reference(['Group', 'Patient'], (r) => refs(r.subject)),
    date: date((r) => dates(r.period)),
    status,
    identifier,
    class: token((r) => codings(r.class)),
    type: token((r) => codings(r.type)),
  },
  Condition: {
    ...COMMON,
    patient: subjectPatient,
    subject: reference(['Group', 'Patient'], (r) => refs(r.subject)),
    'clinical-status': token((r) => codings(r.clinicalStatus)),
    code: token((r) => codings(r.code)),
    encounter: reference(['Encounter'], (r) => refs(r.encounter)),
  },
  Coverage: {
    ...COMMON,
    patient: reference(['Patient'], (r) => refs(r.beneficiary)),
    beneficiary: reference(['Patient'], (r) => refs(r.beneficiary)),
    status,
    payor: reference(['Organization', 'Patient', 'RelatedPerson'], (r) => refs(r.payor)),
  },
  Procedure: {
    ...COMMON,
    patient: subjectPatient,
    subject: reference(['Group', 'Patient'], (r) => refs(r.subject)),
    code: token((r) => codings(r.code)),
    date: date((r) => dates(r.performedDateTime, r.performedPeriod)),
    encounter: encounterOf((r) => r.encounter),
    identifier,
    performer: reference(ACTORS, (r) => refs(list(r.performer).map((p) => field(p, 'actor')))),
    status,
  },
  Observation: {
    ...COMMON,
    patient: subjectPatient,
    subject: reference(['Group', 'Device', 'Patient', 'Location'], (r) => refs(r.subject)),
    code: token((r) => codings(r.code)),
    date: date((r) => dates(r.effectiveDateTime, r.effectivePeriod, r.effectiveInstant)),
    'part-of': reference(['Immunization', 'MedicationDispense', 'MedicationAdministration', 'Procedure', 'ImagingStudy', 'MedicationStatement'], (r) => refs(r.partOf)),
    identifier,
    encounter: encounterOf((r) => r.encounter),
    category: token((r) => codings(r.category)),
    status,
  },
  DocumentReference: {
    ...COMMON,
    patient: subjectPatient,
    subject: reference(['Practitioner', 'Group', 'Device', 'Patient'], (r) => refs(r.subject)),
    type: token((r) => codings(r.type)),
    date: date((r) => dates(r.date)),
    identifier: token((r) => [...identifiers(r.masterIdentifier), ...identifiers(r.identifier)]),
    encounter: encounterOf((r) => field(r.context, 'encounter')),
    related: reference('*', (r) => refs(field(r.context, 'related'))),
    status,
  },
  Provenance: {
    ...COMMON,
    patient: reference(['Patient'], (r) => patientRefs(r.target)),
    target: reference('*', (r) => refs(r.target)),
    recorded: date((r) => dates(r.recorded)),
  },
  AuditEvent: {
    ...COMMON,
    date: date((r) => dates(r.recorded)),
    agent: reference(ACTORS, (r) => refs(list(r.agent).map((a) => field(a, 'who')))),
    entity: reference('*', (r) => refs(list(r.entity).map((e) => field(e, 'what')))),
    type: token((r) => codings(r.type)),
  },
};

/** The parameter `name` of `type`, or undefined when the sandbox does not support it. */
export function searchParameter(type: string, name: string): SearchParam | undefined {
  const params = SEARCH_PARAMETERS[type];
  return params && Object.hasOwn(params, name) ? params[name] : undefined;
}
