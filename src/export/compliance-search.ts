import type { Bundle, Patient, Practitioner } from 'fhir/r4.js';
import { displayName } from '../fhir/chart-context.js';
import type { FhirGateway } from '../fhir/client.js';
import { NPI_SYSTEM } from '../fhir/systems.js';
import type { ValidationIssue } from '../outcome/validation-issue.js';
import { mrnOf } from './chart-documents.js';

/** Most people one search lists: beyond that the staff member is asked to narrow it. */
export const SEARCH_LIMIT = 20;

/** A patient as the compliance page lists them: what staff recognise, and the reference the server keeps to itself. */
export interface PatientMatch {
  /** `Patient/<id>`: never sent to the browser as such (the route seals it). */
  readonly reference: string;
  readonly name: string;
  /** "Mar 4, 1961", absent when the chart has no date of birth. */
  readonly born?: string;
  readonly mrn?: string;
}

/** A performer as the compliance page lists them. */
export interface PerformerMatch {
  /** `Practitioner/<id>`: never sent to the browser as such. */
  readonly reference: string;
  readonly name: string;
  /** "PT, DPT": the credentials after the name. */
  readonly credentials?: string;
  readonly npi?: string;
}

export interface SearchAnswer<T> {
  readonly matches: readonly T[];
  /** More than SEARCH_LIMIT matched: only the first are listed. */
  readonly more: boolean;
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "Mar 4, 1961" from "1961-03-04" (a date of birth is a calendar day: no time zone). */
export function shortDay(iso: string): string {
  const m = DATE.exec(iso);
  if (!m) return iso;
  return `${SHORT_MONTHS[Number(m[2]) - 1] ?? m[2]} ${Number(m[3])}, ${m[1]}`;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * The patient search the compliance page asks for, checked: by name (at least two letters), date of
 * birth (a full date) or MRN, any of them together; each problem names its field in the page's words.
 */
export function patientQuery(input: Record<string, unknown>): { query?: Record<string, string>; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const name = text(input.name);
  const birthdate = text(input.birthdate);
  const mrn = text(input.mrn);
  if (!name && !birthdate && !mrn) issues.push({ path: 'name', message: 'Enter part of the patient\'s name, their date of birth or their MRN to search.' });
  if (name && (name.length < 2 || name.length > 100)) issues.push({ path: 'name', message: 'Enter at least two letters of the patient\'s name (at most 100).' });
  if (birthdate && (!DATE.test(birthdate) || Number.isNaN(Date.parse(birthdate)))) issues.push({ path: 'birthdate', message: 'Enter the date of birth in full, like 1961-03-04.' });
  if (mrn && (mrn.length > 64 || /[\p{Cc},|$\\]/u.test(mrn))) issues.push({ path: 'mrn', message: 'Enter the MRN as the chart shows it (letters, digits and dashes, at most 64 characters).' });
  if (issues.length) return { issues };
  return { query: { ...(name ? { name } : {}), ...(birthdate ? { birthdate } : {}), ...(mrn ? { identifier: mrn } : {}) }, issues };
}

/** The performer search: by name (at least two letters). */
export function performerQuery(input: Record<string, unknown>): { query?: Record<string, string>; issues: ValidationIssue[] } {
  const name = text(input.name);
  if (!name || name.length < 2 || name.length > 100) return { issues: [{ path: 'name', message: 'Enter at least two letters of the performer\'s name (at most 100).' }] };
  return { query: { name }, issues: [] };
}

function entries<T>(bundle: Bundle, type: string): T[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type).map((e) => e.resource as T);
}

/**
 * Searches the EHR's patients with the gateway it is given (the staff member's own sign-in, so the
 * EHR applies their access), one page of SEARCH_LIMIT + 1 to know whether there are more.
 */
export async function findPatients(gateway: FhirGateway, query: Record<string, string>): Promise<SearchAnswer<PatientMatch>> {
  const bundle = await gateway.search('Patient', { ...query, _count: String(SEARCH_LIMIT + 1) });
  const found = entries<Patient>(bundle, 'Patient').filter((p) => p.id);
  const matches = found.slice(0, SEARCH_LIMIT).map((p): PatientMatch => {
    const mrn = mrnOf(p);
    return { reference: `Patient/${p.id ?? ''}`, name: displayName(p.name), ...(p.birthDate ? { born: shortDay(p.birthDate) } : {}), ...(mrn ? { mrn } : {}) };
  });
  return { matches, more: found.length > SEARCH_LIMIT || (bundle.total ?? 0) > SEARCH_LIMIT };
}

/** Searches the EHR's practitioners by name with the staff member's own sign-in: name, credentials and NPI when the EHR has them. */
export async function findPerformers(gateway: FhirGateway, query: Record<string, string>): Promise<SearchAnswer<PerformerMatch>> {
  const bundle = await gateway.search('Practitioner', { ...query, _count: String(SEARCH_LIMIT + 1) });
  const found = entries<Practitioner>(bundle, 'Practitioner').filter((p) => p.id);
  const matches = found.slice(0, SEARCH_LIMIT).map((p): PerformerMatch => {
    const official = p.name?.find((n) => n.use === 'official') ?? p.name?.[0];
    const credentials = official?.suffix?.filter(Boolean).join(', ');
    const npi = p.identifier?.find((i) => i.system === NPI_SYSTEM)?.value;
    const name = official ? (official.text ?? ([...(official.given ?? []), official.family].filter(Boolean).join(' ') || 'Unnamed practitioner')) : 'Unnamed practitioner';
    return { reference: `Practitioner/${p.id ?? ''}`, name, ...(credentials ? { credentials } : {}), ...(npi ? { npi } : {}) };
  });
  return { matches, more: found.length > SEARCH_LIMIT || (bundle.total ?? 0) > SEARCH_LIMIT };
}
