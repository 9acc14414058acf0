/** "2026-11-20": the calendar day of a date-time in the clinic's zone (or the visit's own offset), so every row of index.csv reads alike. */
export function serviceDay(date: string, timeZone: string | undefined): string {
  if (!timeZone || !/T/.test(date)) return date.slice(0, 10);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(date));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
