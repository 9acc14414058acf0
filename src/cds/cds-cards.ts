import { randomUUID } from 'node:crypto';
import type { Coverage, Observation, Patient, Procedure } from 'fhir/r4.js';
import { checkReadiness } from '../domain/check-readiness.js';
import { reliefInWords, summariseCourse } from '../domain/course.js';
import { describeField } from '../domain/field-labels.js';
import { formatDay } from '../domain/human-dates.js';
import { payerWarnings, suggestCodes } from '../domain/suggest-codes.js';
import { payerOf } from '../fhir/chart-context.js';
import { NotANeedleChartVisit, toSession } from '../fhir/visit-to-session.js';
import type { Core } from '../service/core.js';
import type { Session } from '../domain/types.generated.js';

/** A CDS Hooks 2.0 card; empty values are never sent. */
export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: { readonly label: string; readonly url: string; readonly topic?: { readonly code: string; readonly system: string; readonly display: string } };
  readonly links: readonly { readonly label: string; readonly url: string; readonly type: 'smart'; readonly appContext?: string }[];
}

export interface HookData {
  readonly patient: Patient;
  readonly coverages: readonly Coverage[];
  readonly procedures: readonly Procedure[];
  readonly observations: readonly Observation[];
}

const TOPIC_SYSTEM = 'https://needlechart.dev/fhir/CodeSystem/cds-topic';
const clip = (text: string): string => (text.length < 140 ? text : `${text.slice(0, 136)}\u2026`);
/** Markdown text: escape what Markdown would read as markup in rule and policy text. */
const md = (text: string): string => text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
/** " *(Source: …)*" after a sentence, or nothing for NeedleChart's own statements. */
const cited = (source: string): string => (source ? ` *(Source: ${md(source)})*` : '');

interface Visit {
  readonly procedure: Procedure & { id: string };
  readonly session: Session;
}

/**
 * Cards for one patient from the existing domain rules (no second copy of any rule): the payer's
 * dry-needling policy, error findings of the latest visit, a coding mismatch on a recent visit, and
 * the course so far. Each card's SMART link launches NeedleChart with the visit in `appContext`.
 */
export function buildCards(data: HookData, core: Core, appUrl: string): Card[] {
  const cards: Card[] = [];
  const link = (label: string, appContext?: Record<string, string>) => [{ label, url: `${appUrl}/launch`, type: 'smart' as const, ...(appContext ? { appContext: JSON.stringify(appContext) } : {}) }];
  const source = (label: string, anchor: string, topic: string) => ({ label: `NeedleChart \u2014 ${label}`, url: `${appUrl}/rules#${anchor}`, topic: { system: TOPIC_SYSTEM, code: topic, display: topic.replace(/-/g, ' ') } });

  const visits: Visit[] = data.procedures
    .filter((p): p is Procedure & { id: string } => !!p.id && p.status !== 'entered-in-error')
    .flatMap((procedure) => {
      const own = data.observations.filter((o) => o.partOf?.some((r) => r.reference === `Procedure/${procedure.id}`));
      try {
        return [{ procedure, session: toSession(procedure, own, core.profiles) }];
      } catch (error) {
        if (error instanceof NotANeedleChartVisit) return [];
        throw error;
      }
    })
    .sort((a, b) => a.session.date.localeCompare(b.session.date));
  const latest = visits[visits.length - 1];
  const payerId = payerOf(data.coverages, core.profiles).policyId ?? latest?.session.payer;
  const payer = payerId ? core.profiles.payers.get(payerId) : undefined;

  // (a) The payer's policy on dry needling.
  if (payer && (payer.coverage.status === 'investigational' || payer.coverage.status === 'statutorily-non-covered')) {
    const notes = payerWarnings('bill-payer', payer, core.profiles, { visitNumber: visits.length + 1 }).filter((w) => w.rule === 'investigational-payer' || w.rule === 'abn-reminder');
    cards.push({
      uuid: randomUUID(),
      summary: clip(payer.coverage.status === 'investigational' ? `${payer.name}: dry needling is investigational \u2014 waiver and self-pay, or document only` : `${payer.name}: dry needling by a PT is never covered \u2014 voluntary ABN, bill with GX`),
      detail: notes.map((n) => `${md(n.message)}${cited(n.source)}`).join('\n\n'),
      indicator: 'warning',
      source: source(payer.name, `payer-${payer.id}`, 'payer-policy'),
      links: link('Chart in NeedleChart'),
    });
  }

  if (latest) {
    const latestPayer = core.profiles.payers.get(latest.session.payer);
    if (latestPayer) {
      // (b) Error findings of the most recent visit.
      const errors = checkReadiness(latest.session, latestPayer, core.profiles).findings.filter((f) => f.severity === 'error');
      if (errors.length) {
        cards.push({
          uuid: randomUUID(),
          summary: clip(`Last dry-needling visit (${formatDay(latest.session.date)}) has ${errors.length} documentation gap${errors.length > 1 ? 's' : ''} a payer would flag`),
          detail: errors.map((f) => `- **${md(describeField(f.path, latest.session, core.profiles))}**: ${md(f.message)}${cited(f.source)}`).join('\n'),
          indicator: 'warning',
          source: source('documentation a payer reviewer looks for', 'readiness', 'documentation-gap'),
          links: link('Open the visit in NeedleChart', { procedureId: latest.procedure.id }),
        });
      }
    }
    // (c) A coding mismatch on a recent visit: what was billed against what the muscles and e-stim support.
    for (const visit of visits.slice(-3)) {
      const visitPayer = core.profiles.payers.get(visit.session.payer);
      if (!visitPayer) continue;
      const expected = suggestCodes(visit.session, visitPayer, core.profiles).codes.find((c) => ['20560', '20561', '20999'].includes(c.code));
      const billed = visit.procedure.code?.coding?.find((c) => ['20560', '20561', '20999'].includes(c.code ?? ''))?.code;
      if (expected && billed && billed !== expected.code) {
        cards.push({
          uuid: randomUUID(),
          summary: clip(`Visit of ${formatDay(visit.session.date)} billed ${billed}, but its muscles support ${expected.code}`),
          detail: `${md(expected.rationale)}${cited(expected.source)}\n\nBilled: **${billed}**. Suggested: **${expected.code}**.`,
          indicator: 'warning',
          source: source('CPT codes for the needling', 'codes', 'coding-mismatch'),
          links: link('Open the visit in NeedleChart', { procedureId: visit.procedure.id }),
        });
      }
    }
    // (d) The course so far.
    const course = summariseCourse(visits.map((v) => ({ date: v.session.date, ...(v.session.outcomes?.painPre !== undefined ? { pre: v.session.outcomes.painPre } : {}), ...(v.session.outcomes?.painPost !== undefined ? { post: v.session.outcomes.painPost } : {}) })));
    const trend = course.painTrend.map((p) => `${formatDay(p.date)}: ${p.pre ?? '\u2013'} \u2192 ${p.post ?? '\u2013'}`).join('\n- ');
    cards.push({
      uuid: randomUUID(),
      summary: clip(`Dry needling: next is visit ${course.visitNumber} of the course${course.reliefPercent !== undefined ? `; ${reliefInWords(course.reliefPercent)}` : ''}`),
      detail: `A course is typically 2\u20136 sessions.${cited(core.profiles.rules.courseLength.source)} Pain (0\u201310) before \u2192 after:\n\n- ${trend}`,
      indicator: 'info',
      source: source('the course of care', 'course', 'course'),
      links: link('Chart today\u2019s visit in NeedleChart'),
    });
  }
  return cards;
}
