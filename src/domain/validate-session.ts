import type { ValidationIssue } from '../outcome/validation-issue.js';
import type { Profiles } from './profiles.js';
import type { Session } from './types.generated.js';
import { mayNeedFreeTextCare } from './free-text.js';
import { outcomeIssues } from './outcome-checks.js';

export const SESSION_SCHEMA_ID = 'https://needlechart.dev/schemas/session.schema.json';

/** Validates against a JSON Schema by $id; the edge supplies it (compiled ajv), so the domain stays free of it. */
export type SchemaCheck = (schemaId: string, value: unknown) => ValidationIssue[];

export type SessionParse = { readonly ok: true; readonly session: Session } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Rules a schema cannot state: they need two fields at once or a profile table. */
function crossFieldIssues(session: Session, profiles: Profiles): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  session.muscles.forEach((m, i) => {
    if (!m.twitch.elicited && (m.twitch.count ?? 0) > 0) {
      issues.push({ path: `muscles[${i}].twitch.count`, message: `muscles[${i}].twitch.count must be 0 or left out when no twitch was elicited` });
    }
  });
  const seen = new Map<string, number>();
  session.diagnoses.forEach((d, i) => {
    const first = seen.get(d.code);
    if (first !== undefined) issues.push({ path: `diagnoses[${i}].code`, message: `diagnoses[${i}].code ${d.code} repeats diagnoses[${first}]` });
    else seen.set(d.code, i);
  });
  session.outcomes?.measures?.forEach((m, i) => {
    const instrument = profiles.instruments.get(m.instrument);
    if (instrument && (m.score < instrument.min || m.score > instrument.max)) {
      issues.push({ path: `outcomes.measures[${i}].score`, message: `outcomes.measures[${i}].score ${m.score} is outside the ${instrument.id} range ${instrument.min}–${instrument.max}; ${instrument.scoreNote}` });
    }
  });
  issues.push(...outcomeIssues(session.outcomes, profiles));
  return issues;
}

/**
 * The one door a session comes in by: the schema (shape, catalogs, free-text characters) first, then
 * the cross-field rules. The session returned is a copy whose free text is as it will be kept.
 * Every shape problem comes back at once, each with its field path; the cross-field rules need a
 * well-shaped session, so they report once the shape is valid. Nothing is thrown.
 */
export function parseSession(input: unknown, check: SchemaCheck, profiles: Profiles): SessionParse {
  // The schema's free-text fields are normalised as they are checked (control characters dropped,
  // src/domain/free-text.ts): when a string may change, check a copy, so the caller's value is left
  // as it was. Most sessions hold no such text, and copying one costs more than checking it.
  const copy = mayNeedFreeTextCare(input) ? structuredClone(input) : input;
  const shape = check(SESSION_SCHEMA_ID, copy);
  if (shape.length > 0) return { ok: false, issues: shape };
  const session = copy as Session;
  const rules = crossFieldIssues(session, profiles);
  return rules.length > 0 ? { ok: false, issues: rules } : { ok: true, session };
}
