import { dateOfService } from '../domain/in-force.js';
import { payerOnDate } from '../domain/payer-on-date.js';
import { checkReadiness } from '../domain/check-readiness.js';
import type { CodeSuggestion, CourseContext } from '../domain/coding-types.js';
import type { Readiness } from '../domain/readiness-types.js';
import { suggestCodes } from '../domain/suggest-codes.js';
import type { PayerPolicy, Session } from '../domain/types.generated.js';
import { parseSession } from '../domain/validate-session.js';
import type { NoteStatus } from '../notes/note-status.js';
import { buildNoteViewModel, type NoteViewModel } from '../notes/note-view-model.js';
import { invalid } from '../outcome/operation-outcome-error.js';
import type { Bundle } from 'fhir/r4.js';
import type { RenderedNote } from '../fhir/note-document.js';
import { toVisitTransaction, type ExistingVisit, type VisitWrite } from '../fhir/visit-bundle.js';
import type { VisitTarget } from '../fhir/visit-context.js';
import type { Core } from './core.js';

export interface SessionAnalysis {
  readonly session: Session;
  readonly payer: PayerPolicy;
  readonly coding: CodeSuggestion;
  readonly readiness: Readiness;
  readonly view: NoteViewModel;
}

/** Parses a session or throws a 422 OperationOutcomeError with one issue per problem. */
export function requireSession(input: unknown, core: Core): { session: Session; payer: PayerPolicy } {
  const parsed = parseSession(input, core.check, core.profiles);
  if (!parsed.ok) throw invalid(parsed.issues);
  const payer = core.profiles.payers.get(parsed.session.payer);
  // The schema's payer enum comes from the same map, so this only fails on a broken start-up.
  if (!payer) throw invalid([{ path: 'payer', message: `payer '${parsed.session.payer}' is not in the payer policies` }]);
  return { session: parsed.session, payer };
}

/**
 * Validate, suggest codes, check readiness and build the note's view model: the whole pure pipeline.
 * The note is a draft unless `status` says who signed it and when (and any addenda since).
 */
export function analyseSession(input: unknown, core: Core, course: CourseContext = {}, status?: NoteStatus): SessionAnalysis {
  const { session, payer } = requireSession(input, core);
  const coding = suggestCodes(session, payer, core.profiles, course);
  const readiness = checkReadiness(session, payer, core.profiles, course);
  // The note speaks of the payer's rules in force on the date of service.
  const view = buildNoteViewModel(session, payerOnDate(payer, dateOfService(session.date)), core.profiles, coding, readiness, core.generator, { timeZone: core.timeZone, status });
  return { session, payer, coding, readiness, view };
}

/** The note as saved: HTML and plain text, rendered from the analysis. */
export function renderNote(core: Core, analysis: SessionAnalysis): RenderedNote {
  return { html: core.renderer.render('note', 'html', analysis.view), text: core.renderer.render('note', 'text', analysis.view) };
}

/** What a write adds to the session: the visit it amends, the note already rendered, who writes it and for which clinic. */
export interface WriteOptions {
  readonly existing?: ExistingVisit;
  readonly note?: RenderedNote;
  /** The signed-in clinician; the session's performer when absent (CLI, preview, seed). */
  readonly author?: VisitWrite['author'];
  /** `Organization/<id>`: Provenance onBehalfOf. */
  readonly organization?: string;
  /** A draft unless said. */
  readonly signing?: VisitWrite['signing'];
}

/** The FHIR transaction a save of `analysis` sends to `target` (an amendment when `options.existing` is given). */
export function visitTransactionFor(core: Core, analysis: SessionAnalysis, target: VisitTarget, now: string, options: WriteOptions = {}): Bundle {
  const { note = renderNote(core, analysis), ...rest } = options;
  return toVisitTransaction({ session: analysis.session, target, coding: analysis.coding, note, version: core.version, now, ...rest }, core.profiles);
}
