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
  /** Percent relief from the first visit's pre-treatment pain to the latest post-treatment pain. */
  readonly reliefPercent?: number;
}

/**
 * Summarises the course so far from earlier visits (a course is typically 2–6 sessions: citation
 * orthowell-faq; one payer asked for ≥ 50% relief from prior sessions before continuing). Pure.
 */
export function summariseCourse(points: readonly PainPoint[]): CourseSummary {
  const sorted = [...points].sort((a, b) => a.date.localeCompare(b.date));
  const first = sorted.find((p) => p.pre !== undefined);
  const latest = [...sorted].reverse().find((p) => p.pre !== undefined);
  const latestPost = [...sorted].reverse().find((p) => p.post !== undefined);
  const improvement = first?.pre !== undefined && latest?.pre !== undefined && sorted.length > 1 ? first.pre - latest.pre : undefined;
  const relief = first?.pre !== undefined && first.pre > 0 && latestPost?.post !== undefined ? Math.round(((first.pre - latestPost.post) / first.pre) * 100) : undefined;
  return {
    visitNumber: sorted.length + 1,
    painTrend: sorted,
    ...(improvement !== undefined ? { painImprovement: improvement } : {}),
    ...(relief !== undefined ? { reliefPercent: relief } : {}),
  };
}
