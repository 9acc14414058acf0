/**
 * ICD-10-CM fiscal years: the code set changes every October 1, and fiscal year N runs from
 * October 1 of year N-1 through September 30 of year N (FY2022 began 2021-10-01). Pure date arithmetic
 * on YYYY-MM-DD strings, the date of service as the chart gives it.
 */

/** The fiscal year a date of service falls in: 2021-09-30 → 2021, 2021-10-01 → 2022. */
export function fiscalYearOf(dateOfService: string): number {
  const year = Number(dateOfService.slice(0, 4));
  const month = Number(dateOfService.slice(5, 7));
  return month >= 10 ? year + 1 : year;
}

/** The first day of a fiscal year: 2022 → 2021-10-01. */
export function fiscalYearStart(fiscalYear: number): string {
  return `${String(fiscalYear - 1).padStart(4, '0')}-10-01`;
}
