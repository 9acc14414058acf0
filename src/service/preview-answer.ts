import { CitedOnce } from './cited-once.js';
import { withoutUndefined } from '../domain/without-undefined.js';
import { badRequest } from '../outcome/operation-outcome-error.js';
import { analyseSession, visitTransactionFor } from './preview-session.js';
import type { Core } from './core.js';
import type { CourseContext, PreviousNarrative } from '../domain/coding-types.js';

const REFERENCE = /^(Patient|Encounter)\/[A-Za-z0-9\-.]{1,64}$/;

function reference(value: unknown, type: 'Patient' | 'Encounter'): string {
  if (value === undefined) return `${type}/preview`;
  if (typeof value !== 'string' || !REFERENCE.test(value) || !value.startsWith(`${type}/`)) throw badRequest(`${type.toLowerCase()} must be a reference like ${type}/<id>`, type.toLowerCase());
  return value;
}

/** The optional parts of a preview a caller may ask for (`?include=`). */
export const PREVIEW_PARTS: ReadonlySet<string> = new Set(['bundle', 'text', 'review', 'sources']);

const shortText = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 4000 ? v : undefined);

/**
 * The course facts the page knows from the chart it read (`{visitNumber, previous}`): advice for the
 * live panel only (signing reads them from the EHR itself). Anything malformed is ignored, not refused.
 */
function courseOf(value: unknown): CourseContext {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const { visitNumber, previous, therapyAmountThisYear } = value as { visitNumber?: unknown; previous?: unknown; therapyAmountThisYear?: unknown };
  const course: { visitNumber?: number; previousNarrative?: PreviousNarrative; therapyAmountThisYear?: number } = {};
  if (typeof therapyAmountThisYear === 'number' && Number.isFinite(therapyAmountThisYear) && therapyAmountThisYear >= 0 && therapyAmountThisYear <= 10_000_000) course.therapyAmountThisYear = therapyAmountThisYear;
  if (typeof visitNumber === 'number' && Number.isInteger(visitNumber) && visitNumber >= 1 && visitNumber <= 1000) course.visitNumber = visitNumber;
  if (previous && typeof previous === 'object' && !Array.isArray(previous)) {
    const p = previous as Record<string, unknown>;
    const date = typeof p.date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(p.date) && p.date.length <= 40 ? p.date : undefined;
    const parts = { response: shortText(p.response), plan: shortText(p.plan), goalProgress: shortText(p.goalProgress), functionalLimitation: shortText(p.functionalLimitation) };
    if (date) course.previousNarrative = { date, ...withoutUndefined(parts) };
  }
  return course;
}

/**
 * The answer to POST /api/preview, as JSON text: a session (or {session, patient?, encounter?,
 * course?}) in; the suggested codes, warnings, readiness findings (each naming its citations by id,
 * resolved by GET /api/sources) and the rendered HTML note out, plus the parts `include` asks for
 * (PREVIEW_PARTS: the FHIR transaction a save would send, the plain-text note, the payer-review
 * summary, the citations with each item's one-line source; the bundle also comes whenever the
 * request names a patient and encounter). Writes nothing; throws an OperationOutcomeError (400, 422)
 * for a request it refuses. The same function answers in the request's thread or in a preview
 * worker (preview-pool.ts), so both answer alike.
 */
export function previewAnswer(core: Core, body: unknown, include: ReadonlySet<string>, now: string): string {
  const wrapped = !!body && typeof body === 'object' && !Array.isArray(body) && 'session' in body;
  const request = body as Record<string, unknown>;
  const analysis = analyseSession(wrapped ? request.session : body, core, wrapped ? courseOf(request.course) : {});
  const noteHtml = core.renderer.render('note', 'html', analysis.view);
  const wantsBundle = include.has('bundle') || (wrapped && (request.patient !== undefined || request.encounter !== undefined));
  const noteText = include.has('text') || wantsBundle ? core.renderer.render('note', 'text', analysis.view) : undefined;
  const target = wantsBundle ? { patient: reference(wrapped ? request.patient : undefined, 'Patient'), encounter: reference(wrapped ? request.encounter : undefined, 'Encounter') } : undefined;
  const cited = new CitedOnce(include.has('sources'));
  const codes = analysis.coding.codes.map((c) => ({ ...cited.item(c), modifierRationale: c.modifierRationale.map((m) => cited.item(m)) }));
  const warnings = analysis.coding.warnings.map((w) => cited.item(w));
  const findings = analysis.readiness.findings.map((f) => cited.item(f));
  return JSON.stringify({
    codes,
    warnings,
    score: analysis.readiness.score,
    findings,
    noteHtml,
    ...(include.has('sources') ? { sources: cited.sources } : {}),
    ...(include.has('text') ? { noteText } : {}),
    ...(include.has('review') ? { reviewHtml: core.renderer.render('payer-review', 'html', analysis.view) } : {}),
    ...(target ? { bundle: visitTransactionFor(core, analysis, target, now, { note: { html: noteHtml, text: noteText ?? '' } }) } : {}),
  });
}

/**
 * previewAnswer of a request body as sent (JSON text): the preview reads its own body, so the server
 * thread only passes text to a preview worker, and parsing happens beside the rest of the work. An
 * empty body reads as `{}` and malformed JSON is refused exactly as the server refuses any other
 * malformed JSON body (400, "The request body is not valid JSON").
 */
export function previewAnswerToText(core: Core, text: string, include: ReadonlySet<string>, now: string): string {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  return previewAnswer(core, body, include, now);
}
