/**
 * What "relief so far" means, for the page to show beside the number. Relief is read from the pain
 * before treatment at each visit, so the brief drop right after needling (the post-treatment pain)
 * does not count as lasting relief: a course whose pre-treatment pain went 6 → 3 is 50%, even when the
 * last post-treatment pain was 0.
 */
export const RELIEF_DEFINITION =
  'Relief so far is the drop in pain before treatment from the first visit to the latest one, as a share of the pain before treatment at the first visit; pain right after needling is not counted.';

/** One earlier visit's pain, as the trend across the course shows it. */
export interface PainPoint {
  readonly date: string;
  readonly pre?: number;
  readonly post?: number;
}

export interface CourseSummary {
  /** This visit's number in the course (earlier visits + 1). */
  readonly visitNumber: number;
  readonly painTrend: readonly PainPoint[];
  /** Pain before treatment at the first visit minus at the latest: positive means better. */
  readonly painImprovement?: number;
  /** Relief so far, as RELIEF_DEFINITION defines it (pre-treatment pain only), in whole percent. */
  readonly reliefPercent?: number;
  /** RELIEF_DEFINITION, beside the number it defines, so the page shows what the percentage means. */
  readonly reliefDefinition?: string;
}

/**
 * Summarises the course so far from earlier visits (a course is typically 2–6 sessions: citation
 * orthowell-faq; one payer asked for ≥ 50% relief from prior sessions before continuing). Relief is
 * (first visit's pain before − latest visit's pain before) / first visit's pain before
 * (RELIEF_DEFINITION); it needs two visits with pain before treatment and a first one above 0. Pure.
 */
export function summariseCourse(points: readonly PainPoint[]): CourseSummary {
  const sorted = [...points].sort((a, b) => a.date.localeCompare(b.date));
  const first = sorted.find((p) => p.pre !== undefined);
  const latest = [...sorted].reverse().find((p) => p.pre !== undefined);
  const improvement = first?.pre !== undefined && latest?.pre !== undefined && sorted.length > 1 ? first.pre - latest.pre : undefined;
  const relief = first?.pre !== undefined && first.pre > 0 && latest?.pre !== undefined && latest !== first ? Math.round(((first.pre - latest.pre) / first.pre) * 100) : undefined;
  return {
    visitNumber: sorted.length + 1,
    painTrend: sorted,
    ...(improvement !== undefined ? { painImprovement: improvement } : {}),
    ...(relief !== undefined ? { reliefPercent: relief, reliefDefinition: RELIEF_DEFINITION } : {}),
  };
}

/**
 * Relief so far in words: "50% pain relief so far", "no change in pain so far", or, when pain before
 * treatment has risen since the first visit, "pain 25% worse than at the first visit" (never "-25%
 * relief"). The CDS card and the charting page say it the same way.
 */
export function reliefInWords(reliefPercent: number): string {
  if (reliefPercent > 0) return `${reliefPercent}% pain relief so far`;
  if (reliefPercent === 0) return 'no change in pain so far';
  return `pain ${-reliefPercent}% worse than at the first visit`;
}
