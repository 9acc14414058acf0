import type { PayerPolicy, PlanOfCare } from './types.generated.js';

/**
 * A payer's visit limit for a course: the visits allowed, and the ceiling with documented justification
 * when the payer has one (e.g. profiles/payers/wa-lni.json `rules.visitLimit`). Only a limit a payer
 * file or a public, citable policy states; NeedleChart invents none.
 */
export interface PayerVisitLimit {
  readonly visits: number;
  readonly visitsWithJustification?: number;
  /** The payer's name, as the sentence shows it. */
  readonly payer?: string;
}

/** One counter: "Visit 3 of 8 in the plan of care", "Visit 2 of 3 allowed by Washington L&I, up to 6 with documented justification". */
export interface VisitCounter {
  readonly visit: number;
  readonly of: number;
  readonly text: string;
}

export interface VisitCounters {
  /** Visit N of the plan of care (visits per week × weeks); absent when the plan gives neither. */
  readonly planOfCare?: VisitCounter;
  /** Visit N of the payer's limit; absent when no limit is known. */
  readonly payer?: VisitCounter;
  /** Plain-words alerts at and beyond each limit, for the clinician before treating. */
  readonly alerts: readonly string[];
}

/**
 * The visit limit a payer file states (`rules.visitLimit`, e.g. Washington L&I: 3, and 6 with
 * justification), or undefined when the payer file has none: no limit is assumed.
 */
export function payerVisitLimitOf(payer: PayerPolicy): PayerVisitLimit | undefined {
  const limit = payer.rules.visitLimit;
  if (!limit) return undefined;
  return { visits: limit.visits, ...(limit.visitsWithJustification !== undefined ? { visitsWithJustification: limit.visitsWithJustification } : {}), payer: payer.name };
}

/** Visits the plan of care allows: visits per week × weeks, when the plan states both. */
export function plannedVisits(plan: PlanOfCare | undefined): number | undefined {
  return plan?.visitsPerWeek !== undefined && plan.weeks !== undefined ? plan.visitsPerWeek * plan.weeks : undefined;
}

function planAlert(visit: number, planned: number): string | undefined {
  if (visit === planned) return `This is the last visit the plan of care allows (${planned}): update or recertify the plan before the next visit.`;
  if (visit > planned) return `Visit ${visit} is beyond the ${planned} visits in the plan of care: update or recertify the plan before treating.`;
  return undefined;
}

function payerAlert(visit: number, limit: PayerVisitLimit): string | undefined {
  const who = limit.payer ?? 'the payer';
  const ceiling = limit.visitsWithJustification;
  if (ceiling !== undefined && ceiling > limit.visits) {
    if (visit > ceiling) return `Visit ${visit} is beyond the ${ceiling} visits ${who} allows even with documented justification: it will not be paid.`;
    if (visit === ceiling) return `This is the last visit ${who} allows even with documented justification (${ceiling}).`;
    if (visit > limit.visits) return `Visit ${visit} is beyond the ${limit.visits} visits ${who} allows: document the justification (up to ${ceiling} visits).`;
    if (visit === limit.visits) return `This is the last visit ${who} allows without documented justification (${limit.visits}).`;
    return undefined;
  }
  if (visit === limit.visits) return `This is the last visit ${who} allows (${limit.visits}).`;
  if (visit > limit.visits) return `Visit ${visit} is beyond the ${limit.visits} visits ${who} allows: it will not be paid.`;
  return undefined;
}

/**
 * Where this visit stands in the plan of care and against the payer's limit, with an alert at and
 * over each limit, in plain words. `visitNumber` is this visit's number in the course (the course
 * summary's `visitNumber`). Pure.
 */
export function visitCounters(visitNumber: number, planOfCare?: PlanOfCare, payerLimit?: PayerVisitLimit): VisitCounters {
  const alerts: string[] = [];
  const planned = plannedVisits(planOfCare);
  let plan: VisitCounter | undefined;
  if (planned !== undefined) {
    plan = { visit: visitNumber, of: planned, text: `Visit ${visitNumber} of ${planned} in the plan of care` };
    const alert = planAlert(visitNumber, planned);
    if (alert) alerts.push(alert);
  }
  let payer: VisitCounter | undefined;
  if (payerLimit) {
    const ceiling = payerLimit.visitsWithJustification !== undefined && payerLimit.visitsWithJustification > payerLimit.visits ? `, up to ${payerLimit.visitsWithJustification} with documented justification` : '';
    payer = { visit: visitNumber, of: payerLimit.visits, text: `Visit ${visitNumber} of ${payerLimit.visits} allowed by ${payerLimit.payer ?? 'the payer'}${ceiling}` };
    const alert = payerAlert(visitNumber, payerLimit);
    if (alert) alerts.push(alert);
  }
  return { ...(plan ? { planOfCare: plan } : {}), ...(payer ? { payer } : {}), alerts };
}
