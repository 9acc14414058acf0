/**
 * Units of a timed 15-minute code by the 8-minute rule: under 8 minutes none, 8–22 one, 23–37 two,
 * 38–52 three, and so on (DOMAIN.md 'Electrical stimulation through needles', code 97032).
 */
export function unitsByEightMinuteRule(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes < 8) return 0;
  return Math.floor((minutes - 8) / 15) + 1;
}
