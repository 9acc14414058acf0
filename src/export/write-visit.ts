import { join } from 'node:path';
import type { Session } from '../domain/types.generated.js';
import type { BodyMapData } from '../notes/body-map-svg.js';
import type { VisitFile } from './packet-assembly.js';
import { Directories, writeAtomic } from './packet-files.js';
import { writeVisitPdf, type WrittenPdf } from './pdf/visit-pdf.js';
import { serviceDay } from './service-day.js';
import { codesLine, summariseVisit, type SummaryCore, type VisitSummary } from './visit-summary.js';
import type { PatientFactsOf, VisitRecord } from './visit-source.js';

/**
 * One visit the packet holds, to be summarised and written: plain data, so it can be handed to a
 * worker thread (visit-pool.ts) as it is. The export's own thread has already decided that the visit
 * belongs in the packet (selectVisit) and which names its files take.
 */
export interface VisitTask {
  /** The packet folder. */
  readonly out: string;
  /** Where the visit's record goes, relative to the packet (internal/visits/<patient>/<date>_<procedure>.json). */
  readonly recordPath: string;
  /** Where the visit's PDF goes, relative to the packet; none when the export makes no PDFs. */
  readonly pdfPath?: string;
  readonly record: VisitRecord;
  readonly facts: PatientFactsOf;
  /** The visit read back as a session by selectVisit: not read a second time. */
  readonly session: Session;
}

/** What the export's thread keeps of a written visit: the PDF's digest and what the cover letter names. */
export interface WrittenVisit {
  readonly pdf?: WrittenPdf;
  readonly payerDisplay: string;
  readonly clinic?: string;
  readonly patientName: string;
  readonly date: string;
}

/** What writing a visit needs besides the task: the profiles and templates, the body map, and a cache of folders made. */
export interface VisitKit {
  readonly core: SummaryCore;
  readonly bodyMap: BodyMapData;
  readonly dirs: Directories;
}

/**
 * Summarises one visit (note, codes, readiness, history: visit-summary.ts), renders its PDF when the
 * task names one, then writes its record (VisitFile) atomically, the PDF's digest in it: the record is
 * what the packet's aggregates are rebuilt from, and what a rerun checks to reuse the visit, so it is
 * written last. The same function runs in the visit workers and, for exports without PDFs, in the
 * export's own thread.
 */
export async function writeVisit(task: VisitTask, kit: VisitKit): Promise<WrittenVisit> {
  const summary = summariseVisit(task.record, task.facts, kit.core, task.session);
  // selectVisit read this visit back and knows its payer policy, so a summary is always made; this guards the contract.
  if (!summary) throw new Error('A visit chosen for the packet could not be summarised');
  const { resources: _resources, ...shown } = summary;
  const pdf = task.pdfPath ? await writeVisitPdf(join(task.out, task.pdfPath), shown, kit.bodyMap, kit.core.profiles, kit.dirs) : undefined;
  const payerDisplay = task.facts.payerName ?? summary.payerName;
  const file = visitFile(summary, payerDisplay, kit.core.timeZone, task.pdfPath, pdf);
  await writeAtomic(join(task.out, task.recordPath), JSON.stringify(file), kit.dirs);
  return { ...(pdf ? { pdf } : {}), payerDisplay, ...(summary.clinic ? { clinic: summary.clinic } : {}), patientName: summary.patientName, date: summary.date };
}

/** The visit's record as the packet folder keeps it: the two index rows, the PDF's digest, and the source resources. */
function visitFile(summary: VisitSummary, payerDisplay: string, timeZone: string | undefined, pdfPath: string | undefined, pdf: WrittenPdf | undefined): VisitFile {
  return {
    procedureId: summary.procedureId,
    sourceHash: summary.sourceHash,
    payer: summary.session.payer,
    ...(summary.draft ? { draft: true } : {}),
    payerDisplay,
    ...(summary.clinic ? { clinic: summary.clinic } : {}),
    ...(pdfPath && pdf ? { pdf: pdfPath, pdfSha256: pdf.sha256, pdfBytes: pdf.bytes, ...(pdf.pages ? { pdfPages: pdf.pages } : {}) } : {}),
    index: [summary.date, summary.patient, summary.encounter, summary.performer, summary.session.muscles.length, codesLine(summary.coding), summary.payerName, summary.readiness.score, pdfPath ?? ''],
    payerIndex: payerIndexRow(summary, payerDisplay, timeZone, pdfPath, pdf?.pages),
    resources: summary.resources,
  };
}

/** The visit's row of the payer's index.csv (PAYER_INDEX_HEADER): names and identifiers, no FHIR references or internal scores. */
function payerIndexRow(summary: VisitSummary, payer: string, timeZone: string | undefined, pdfPath: string | undefined, pages: number | undefined): (string | number)[] {
  const status = summary.draft ? 'Draft, not signed' : summary.notes?.some((n) => n.heading.startsWith('Addendum') && !n.superseded) ? 'Signed, with addendum' : 'Signed';
  return [serviceDay(summary.date, timeZone), summary.patientName, summary.birthDate ?? '', summary.mrn ?? '', summary.memberId ?? '', summary.view.performer.display, codesLine(summary.coding), payer, status, pages ?? '', pdfPath ?? ''];
}
