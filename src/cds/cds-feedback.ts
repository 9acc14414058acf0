import type { LogFields } from '../infra/logger.js';

/** Card ids are the UUIDs NeedleChart gave its cards (cds-cards.ts). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A suggestion id or a reason code: a token, never a sentence. */
const TOKEN = /^[A-Za-z0-9\-._:]{1,64}$/;
const OUTCOMES = new Set(['accepted', 'overridden']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const token = (value: unknown): string | undefined => (typeof value === 'string' && TOKEN.test(value) ? value : undefined);

/**
 * What one CDS Hooks feedback item (https://cds-hooks.hl7.org/2.0/#feedback) may put in a log line:
 * the card id, the outcome, the accepted suggestion ids and the override reason's code, each only
 * when it has the form of an id or code. Everything else (`userComment`, the reason's display, a
 * sentence where an id belongs) is free text a clinician typed about a patient, and is never logged.
 */
export function feedbackLogFields(item: unknown): LogFields {
  const f = isObject(item) ? item : {};
  const suggestions = Array.isArray(f.acceptedSuggestions) ? f.acceptedSuggestions : [];
  const ids = suggestions.map((s) => token(isObject(s) ? s.id : undefined) ?? 'not-an-id');
  const reason = isObject(f.overrideReason) && isObject(f.overrideReason.reason) ? f.overrideReason.reason.code : undefined;
  return {
    card: typeof f.card === 'string' && UUID.test(f.card) ? f.card : 'not-a-card-id',
    outcome: typeof f.outcome === 'string' && OUTCOMES.has(f.outcome) ? f.outcome : 'unknown',
    acceptedSuggestions: ids.length > 0 ? ids.join(',') : undefined,
    overrideReason: reason === undefined ? undefined : (token(reason) ?? 'not-a-code'),
  };
}
