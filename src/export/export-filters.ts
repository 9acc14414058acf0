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
}

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
  if (issues.length) return { issues };
  return {
    filters: { from: from ?? '', to: to ?? '', ...(patient ? { patient } : {}), ...(payer ? { payer } : {}), ...(code ? { code: code as '20560' | '20561' } : {}), ...(performer ? { performer } : {}) },
    issues,
  };
}
