import type { Coverage, DocumentReference, Patient } from 'fhir/r4.js';

/** A document from the patient's chart that a payer asks for beside the visit notes (plan of care, consent, ABN or waiver). */
export interface ChartDocument {
  /** What the document is, in words ("Plan of care", "Consent to dry needling"). */
  readonly title: string;
  /** When it was written (ISO, as the EHR holds it). */
  readonly date?: string;
  readonly author?: string;
  /** Its text, when the EHR holds it as text/plain. */
  readonly text?: string;
}

const LOINC = 'http://loinc.org';
/** LOINC document codes confirmed in published value sets: 18776-5 Plan of care note (C-CDA Care Plan Document Type), 59284-0 Consent Document (Consent Management). */
const KNOWN: Readonly<Record<string, string>> = { '18776-5': 'Plan of care', '59284-0': 'Consent' };
/** Documents without one of those codes are recognised by their title: no LOINC code for an ABN was confirmed. */
const TITLE = /plan of care|consent|advance beneficiary notice|\babn\b|waiver/i;

/**
 * The chart documents among a patient's DocumentReferences: current, not a visit note (a note is
 * related to its visit's Procedure), and a plan of care, consent, ABN or waiver by LOINC type or by
 * title. Oldest first.
 */
export function chartDocuments(documents: readonly DocumentReference[]): ChartDocument[] {
  return documents
    .filter((d) => d.status === 'current' && !(d.context?.related ?? []).some((r) => r.reference?.includes('Procedure/')))
    .filter((d) => (d.type?.coding ?? []).some((c) => c.system === LOINC && c.code !== undefined && c.code in KNOWN) || TITLE.test(titleOf(d)))
    .sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''))
    .map((d) => {
      const data = d.content.find((c) => c.attachment.contentType?.startsWith('text/plain'))?.attachment.data;
      const author = d.authenticator?.display ?? d.author?.[0]?.display;
      return { title: titleOf(d), ...(d.date ? { date: d.date } : {}), ...(author ? { author } : {}), ...(data ? { text: Buffer.from(data, 'base64').toString('utf8') } : {}) };
    });
}

function titleOf(d: DocumentReference): string {
  const code = d.type?.coding?.find((c) => c.system === LOINC && c.code && c.code in KNOWN)?.code;
  return d.type?.text ?? d.description ?? d.content[0]?.attachment.title ?? (code ? KNOWN[code] : undefined) ?? 'Chart document';
}

const MR = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** The patient's medical record number: the identifier typed MR (US Core), else the one the EHR marks `usual`. */
export function mrnOf(patient: Patient): string | undefined {
  const ids = patient.identifier ?? [];
  return (ids.find((i) => i.type?.coding?.some((c) => c.system === MR && c.code === 'MR')) ?? ids.find((i) => i.use === 'usual'))?.value;
}

/** The member id the payer knows the patient by: the active Coverage's subscriber id, else its identifier typed MB. */
export function memberIdOf(coverages: readonly Coverage[]): string | undefined {
  const active = coverages.filter((c) => c.status === 'active');
  for (const c of active.length ? active : coverages) {
    const id = c.subscriberId ?? c.identifier?.find((i) => i.type?.coding?.some((t) => t.system === MR && t.code === 'MB'))?.value;
    if (id) return id;
  }
  return undefined;
}

/** The payer's name as the patient's Coverage gives it (its payor's display), for the cover letter and index. */
export function payerNameOf(coverages: readonly Coverage[]): string | undefined {
  const active = coverages.filter((c) => c.status === 'active');
  return (active.length ? active : coverages).map((c) => c.payor[0]?.display).find((name) => name);
}
