import type { SealedJson } from '../smart/sealed-json.js';
import type { ValidationIssue } from '../outcome/validation-issue.js';

/** The export filters a compliance search fills in: a patient or a performer picked from a list. */
export type ChoiceField = 'patient' | 'performer';

/** How long a pick from the search stays good: a working session on the page. */
const CHOICE_LIFETIME_MS = 8 * 3_600_000;

interface Choice {
  readonly field: ChoiceField;
  readonly reference: string;
  /** The staff member (fhirUser) the search answered: a pick is no good to anyone else. */
  readonly owner: string;
  readonly expires: number;
}

/** A JWE in compact form with `dir` key management (an empty encrypted key): what SealedJson makes. */
const SEALED = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const WORDS: Readonly<Record<ChoiceField, string>> = {
  patient: 'The patient picked is no longer valid here: search for the patient again and pick them from the list.',
  performer: 'The performer picked is no longer valid here: search for the performer again and pick them from the list.',
};

/**
 * The opaque value the compliance page sends back for a patient or performer picked from a search:
 * the FHIR reference sealed (encrypted and authenticated with the session secret), bound to the
 * staff member and to the field, for a limited time. The browser never sees a FHIR id.
 */
export function sealChoice(sealer: SealedJson, field: ChoiceField, reference: string, owner: string, now = Date.now()): Promise<string> {
  const choice: Choice = { field, reference, owner, expires: now + CHOICE_LIFETIME_MS };
  return sealer.seal(choice);
}

/**
 * The request body with each sealed pick (patient, performer) opened back into its FHIR reference,
 * for parseExportFilters. A plain reference (`Patient/<id>`, as API callers send) passes unchanged;
 * a pick that does not open, is another user's, another field's or expired is an issue naming its field.
 */
export async function openChoices(sealer: SealedJson, body: Record<string, unknown>, owner: string, now = Date.now()): Promise<{ body: Record<string, unknown>; issues: ValidationIssue[] }> {
  const opened: Record<string, unknown> = { ...body };
  const issues: ValidationIssue[] = [];
  for (const field of ['patient', 'performer'] as const) {
    const value = body[field];
    if (typeof value !== 'string' || !SEALED.test(value.trim())) continue;
    const choice = await sealer.open<Choice>(value.trim()).catch(() => undefined);
    if (!choice || choice.field !== field || choice.owner !== owner || !(choice.expires > now) || typeof choice.reference !== 'string') issues.push({ path: field, message: WORDS[field] });
    else opened[field] = choice.reference;
  }
  return { body: opened, issues };
}
