import type { ValidationIssue } from '../outcome/validation-issue.js';

/** What compliance staff ask for: "every dry-needling visit for this member in 2026", "every 20561 billed to this payer". */
export interface ExportFilters {
  /** First date of service, YYYY-MM-DD (inclusive). */
  readonly from: string;
  /** Last date of service, YYYY-MM-DD (inclusive). */
  readonly to: string;
  /** `Patient/<id>` */
  readonly patient?: string;
  /** A payer policy id (as recorded on the visit). */
  readonly payer?: string;
  readonly code?: '20560' | '20561';
  /** `Practitioner/<id>` */
  readonly performer?: string;
  /** Who at the payer asked for the records (a person or department), as the cover letter addresses them. */
  readonly requester?: string;
  /** The payer's own reference for the request (claim, audit or letter number), quoted on the cover letter. */
  readonly requestReference?: string;
  /** Put visits whose note is not signed in the packet, stamped DRAFT on every page (left out otherwise). */
  readonly includeDrafts?: boolean;
}

/** Longest requester or request reference accepted: a name or a reference, not a letter. */
const FREE_TEXT_MAX = 200;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks export filters, every problem with its field name; pure. */
export function parseExportFilters(input: Record<string, unknown>, payers: ReadonlySet<string>): { filters?: ExportFilters; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const str = (name: string): string | undefined => (typeof input[name] === 'string' && (input[name] as string).trim() ? (input[name] as string).trim() : undefined);
  const from = str('from');
  const to = str('to');
  if (!from || !DATE.test(from) || Number.isNaN(Date.parse(from))) issues.push({ path: 'from', message: 'from must be a date such as 2026-01-01' });
  if (!to || !DATE.test(to) || Number.isNaN(Date.parse(to))) issues.push({ path: 'to', message: 'to must be a date such as 2026-03-31' });
  if (from && to && DATE.test(from) && DATE.test(to) && from > to) issues.push({ path: 'to', message: 'to must not be before from' });
  const patient = str('patient');
  if (patient && !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(patient)) issues.push({ path: 'patient', message: 'patient must be a reference like Patient/<id>' });
  const payer = str('payer');
  if (payer && !payers.has(payer)) issues.push({ path: 'payer', message: `payer '${payer}' is not in the payer policies` });
  const code = str('code');
  if (code && code !== '20560' && code !== '20561') issues.push({ path: 'code', message: 'code must be 20560 or 20561' });
  const performer = str('performer');
  if (performer && !/^(Practitioner|PractitionerRole)\/[A-Za-z0-9\-.]{1,64}$/.test(performer)) issues.push({ path: 'performer', message: 'performer must be a reference like Practitioner/<id>' });
  const requester = str('requester');
  if (requester && (requester.length > FREE_TEXT_MAX || /\p{Cc}/u.test(requester))) issues.push({ path: 'requester', message: `requester must be a name of at most ${FREE_TEXT_MAX} characters on one line` });
  const requestReference = str('requestReference');
  if (requestReference && (requestReference.length > FREE_TEXT_MAX || /\p{Cc}/u.test(requestReference))) issues.push({ path: 'requestReference', message: `requestReference must be at most ${FREE_TEXT_MAX} characters on one line` });
  const drafts = input.includeDrafts;
  if (drafts !== undefined && drafts !== true && drafts !== false && drafts !== 'true' && drafts !== 'false') issues.push({ path: 'includeDrafts', message: 'includeDrafts must be true or false' });
  const includeDrafts = drafts === true || drafts === 'true';
  if (issues.length) return { issues };
  return {
    filters: { from: from ?? '', to: to ?? '', ...(patient ? { patient } : {}), ...(payer ? { payer } : {}), ...(code ? { code: code as '20560' | '20561' } : {}), ...(performer ? { performer } : {}), ...(requester ? { requester } : {}), ...(requestReference ? { requestReference } : {}), ...(includeDrafts ? { includeDrafts } : {}) },
    issues,
  };
}
