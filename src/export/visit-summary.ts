import { createHash } from 'node:crypto';
import type { DocumentReference, Resource } from 'fhir/r4.js';
import { checkReadiness } from '../domain/check-readiness.js';
import type { CodeSuggestion } from '../domain/coding-types.js';
import type { Readiness } from '../domain/readiness-types.js';
import { suggestCodes } from '../domain/suggest-codes.js';
import type { Session } from '../domain/types.generated.js';
import { displayName } from '../fhir/chart-context.js';
import { NotANeedleChartVisit, toSession } from '../fhir/visit-to-session.js';
import { displayZone, formatDateTime, formatDay } from '../domain/human-dates.js';
import { coverageSources } from '../domain/payer-rules.js';
import { buildNoteViewModel, type NoteViewModel } from '../notes/note-view-model.js';
import type { Core } from '../service/core.js';
import { isSigned, noteHistory, visitNotes } from '../fhir/note-history.js';
import type { PatientFactsOf, VisitRecord } from './visit-source.js';

/** One version of the visit's note as the packet prints it. */
export interface NoteCopy {
  /** "Signed note", "Addendum", "Draft (not signed)"; with "superseded" when a later version replaced it. */
  readonly heading: string;
  /** "Signed by Alex Rivera, PT, DPT on Friday, November 20, 2026, 3:10 PM", and the reason for an addendum. */
  readonly byline: string;
  readonly text: string;
  readonly superseded: boolean;
}

/** Everything the packet says about one visit, built without I/O from what the EHR returned. */
export interface VisitSummary {
  readonly procedureId: string;
  readonly patient: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly birthDate?: string;
  /** The patient's medical record number and payer member id, as the EHR holds them. */
  readonly mrn?: string;
  readonly memberId?: string;
  /** `Organization/<id>` that manages the patient's record (the clinic): the cover letter names it. */
  readonly clinic?: string;
  /** The date of service in words ("November 20, 2026"), in the clinic's zone. */
  readonly dayDisplay?: string;
  /** No signed version of the note: printed only when drafts are asked for, stamped DRAFT. */
  readonly draft?: boolean;
  /** Every version of the note to print, the one in force first, then each superseded one. */
  readonly notes?: readonly NoteCopy[];
  /** Plan of care, consent, ABN or waiver from the chart, dated on or before the visit (dates in words). */
  readonly chartDocuments?: readonly { readonly title: string; readonly dateDisplay?: string; readonly author?: string; readonly text?: string }[];
  readonly encounter: string;
  readonly date: string;
  readonly performer: string;
  readonly session: Session;
  readonly payerName: string;
  /** The sources of the payer's coverage, when they were read (as the note's "Sources for the payer's coverage"). */
  readonly payerPolicy?: string;
  /** The visit in words, as the note shows it (dates in the clinic's zone, findings with their field names). */
  readonly view: NoteViewModel;
  readonly coding: CodeSuggestion;
  readonly readiness: Readiness;
  readonly noteText: string;
  /** `recorded` is the ISO instant (data); `recordedDisplay` the same in words, in the clinic's zone. */
  readonly provenance: readonly { readonly recorded: string; readonly recordedDisplay: string; readonly activity: string; readonly author: string }[];
  readonly amendments: number;
  readonly painTrend: readonly { readonly date: string; readonly pre?: number; readonly post?: number }[];
  readonly resources: readonly Resource[];
  /** Digest of the source resources and their versions: a rerun skips a visit whose digest did not change. */
  readonly sourceHash: string;
}

export function sourceHash(record: VisitRecord): string {
  const parts = [record.procedure, ...record.observations, ...record.documents, ...record.provenance].map((r) => `${r.resourceType}/${r.id ?? ''}/${r.meta?.versionId ?? ''}`).sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** The note as it was saved: the current DocumentReference's text/plain attachment. */
function savedNote(record: VisitRecord): string | undefined {
  const current = record.documents.find((d) => d.status === 'current') ?? record.documents[0];
  const data = current?.content.find((c) => c.attachment.contentType === 'text/plain')?.attachment.data;
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

/** What summarising needs of the core: the profiles, the note templates, the generator's name and the clinic's zone (no schema check). */
export type SummaryCore = Pick<Core, 'profiles' | 'renderer' | 'generator' | 'timeZone'>;

/**
 * Builds the summary, or undefined for a Procedure NeedleChart did not write (it cannot be read back
 * as a session). `readBack` is the session already read from this record (selectVisit's), when there is one.
 */
export function summariseVisit(record: VisitRecord, facts: Pick<PatientFactsOf, 'patient' | 'pain'> & Partial<PatientFactsOf>, core: SummaryCore, readBack?: Session): VisitSummary | undefined {
  let session: Session;
  try {
    session = readBack ?? toSession(record.procedure, record.observations, core.profiles);
  } catch (error) {
    if (error instanceof NotANeedleChartVisit) return undefined;
    throw error;
  }
  const payer = core.profiles.payers.get(session.payer);
  if (!payer) return undefined;
  const earlier = facts.pain.filter((p) => p.date < session.date);
  const visitNumber = earlier.length + 1;
  const coding = suggestCodes(session, payer, core.profiles, { visitNumber });
  const readiness = checkReadiness(session, payer, core.profiles, { visitNumber });
  const view = buildNoteViewModel(session, payer, core.profiles, coding, readiness, core.generator, { timeZone: core.timeZone });
  const zone = displayZone(core.timeZone, session.date);
  const coverage = coverageSources(core.profiles, payer);
  const provenance = [...record.provenance]
    .sort((a, b) => a.recorded.localeCompare(b.recorded))
    .map((p) => ({ recorded: p.recorded, recordedDisplay: formatDateTime(p.recorded, zone), activity: p.activity?.coding?.[0]?.code ?? 'CREATE', author: p.agent.find((a) => a.type?.coding?.[0]?.code === 'author')?.who.display ?? p.agent[0]?.who.display ?? 'unknown' }));
  const patient = record.procedure.subject.reference ?? '';
  const notes = noteCopies(record.documents, `Procedure/${record.procedure.id}`, session.date, core.timeZone);
  const clinic = facts.patient.managingOrganization?.reference;
  const serviceDay = session.date.slice(0, 10);
  const chartDocuments = (facts.documents ?? [])
    .filter((d) => !d.date || d.date.slice(0, 10) <= serviceDay)
    .map((d) => ({ title: d.title, ...(d.date ? { dateDisplay: formatDay(d.date, d.date.length > 10 ? zone : undefined) } : {}), ...(d.author ? { author: d.author } : {}), ...(d.text ? { text: d.text } : {}) }));
  return {
    ...(facts.mrn ? { mrn: facts.mrn } : {}),
    ...(facts.memberId ? { memberId: facts.memberId } : {}),
    ...(clinic ? { clinic } : {}),
    dayDisplay: formatDay(session.date, zone),
    draft: !notes.signed,
    notes: notes.copies,
    chartDocuments,
    procedureId: record.procedure.id,
    patient,
    patientId: patient.split('/')[1] ?? '',
    patientName: displayName(facts.patient.name),
    ...(facts.patient.birthDate ? { birthDate: facts.patient.birthDate } : {}),
    encounter: record.procedure.encounter?.reference ?? '',
    date: session.date,
    performer: `${session.performer.display} (${session.performer.reference})`,
    session,
    payerName: payer.name,
    ...(coverage.verified && coverage.source ? { payerPolicy: coverage.source } : {}),
    view,
    coding,
    readiness,
    noteText: savedNote(record) ?? core.renderer.render('note', 'text', view),
    provenance,
    amendments: provenance.filter((p) => p.activity === 'UPDATE').length,
    painTrend: facts.pain,
    resources: [record.procedure, ...record.observations, ...record.documents, ...record.provenance],
    sourceHash: sourceHash(record),
  };
}

const HEADINGS = { Draft: 'Draft note (not signed)', Signed: 'Signed note', Addendum: 'Addendum' } as const;

/**
 * The note's versions to print: the one in force, then every earlier version it replaced (marked
 * superseded), each with who wrote or signed it, when, and the reason for an addendum. `signed`
 * says whether any version was signed (a visit with none is a draft).
 */
function noteCopies(documents: readonly DocumentReference[], procedureRef: string, visitDate: string, timeZone: string | undefined): { signed: boolean; copies: NoteCopy[] } {
  const notes = visitNotes(documents, procedureRef);
  const history = noteHistory(notes, visitDate, timeZone);
  const signed = notes.some(isSigned);
  const copies = notes.map((d, i): NoteCopy & { current: boolean; kind: string } => {
    const v = history[i];
    const kind = v?.kind ?? 'Draft';
    const data = d.content.find((c) => c.attachment.contentType?.startsWith('text/plain'))?.attachment.data;
    const verb = kind === 'Draft' ? 'Written' : 'Signed';
    return {
      heading: `${HEADINGS[kind]}${v?.current ? '' : ' - superseded by a later version, kept as it was'}`,
      byline: `${verb} by ${v?.by ?? 'unknown'} on ${v?.when ?? 'a date not recorded'}${v?.reason ? `. Reason for the addendum: ${v.reason}` : ''}`,
      text: data ? Buffer.from(data, 'base64').toString('utf8') : '',
      superseded: !v?.current,
      current: v?.current ?? false,
      kind,
    };
  });
  // A draft that signing replaced is working material, not part of the signed record: left out once the note is signed.
  const kept = copies.filter((c) => !(signed && c.kind === 'Draft' && !c.current));
  const ordered = [...kept.filter((c) => c.current).reverse(), ...kept.filter((c) => !c.current).reverse()];
  return { signed, copies: ordered.map(({ current: _current, kind: _kind, ...c }) => c) };
}

/** "20561-GP x1; 97014-GP x1": how a visit's codes read in the index. */
export function codesLine(coding: CodeSuggestion): string {
  return coding.codes.map((c) => `${[c.code, ...c.modifiers].join('-')} x${c.units}${c.billable ? '' : ' (not billed)'}`).join('; ');
}
