import { inForce, policyInForce } from './in-force.js';
import type { PayerPolicy } from './types.generated.js';

type Rules = PayerPolicy['rules'];

/** Rules that restate the payer's published dry-needling policy: they follow its history (archived, reinstated). */
const POLICY_RULES = ['investigational', 'nonCoveredNeedling', 'visitLimit'] as const satisfies readonly (keyof Rules)[];

const memo = new WeakMap<PayerPolicy, Map<string, PayerPolicy>>();

/**
 * The payer's policy as it stood on a date of service (YYYY-MM-DD): only the coverage, rules and notes
 * in force that day, each by its own `effective`/`expires`, and the policy's own rules only while its
 * history says it was in force. When its coverage was not in force (before the policy, or while it was
 * archived), coverage reads `no-policy-in-force` and is advice: check coverage with the payer.
 * Pure and memoised per payer and day. Every rule that reads payer data on a visit reads this view.
 */
export function payerOnDate(payer: PayerPolicy, date: string): PayerPolicy {
  let byDay = memo.get(payer);
  if (!byDay) {
    byDay = new Map();
    memo.set(payer, byDay);
  }
  const known = byDay.get(date);
  if (known) return known;

  const policy = policyInForce(payer.history, date);
  const rules: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(payer.rules) as [keyof Rules, NonNullable<Rules[keyof Rules]>][]) {
    if (!rule || !inForce(rule, date)) continue;
    if (!policy && (POLICY_RULES as readonly string[]).includes(name)) continue;
    rules[name] = rule;
  }
  const coverageInForce = policy && inForce(payer.coverage, date);
  const coverage: PayerPolicy['coverage'] = coverageInForce
    ? payer.coverage
    : {
        status: 'no-policy-in-force',
        summary: `No dry-needling policy of ${payer.name} that NeedleChart knows of was in force on this date of service, so its coverage on that day is not known.`,
        citations: payer.history?.citations ?? payer.coverage.citations,
        effective: date,
        verified: false,
      };
  const view: PayerPolicy = Object.freeze({
    ...payer,
    coverage,
    rules: rules as Rules,
    notes: payer.notes.filter((n) => inForce(n, date)),
  });
  byDay.set(date, view);
  return view;
}
