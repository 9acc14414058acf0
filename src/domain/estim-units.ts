/**
 * Units of a timed 15-minute code by the 8-minute rule: under 8 minutes none, 8–22 one, 23–37 two,
 * 38–52 three, and so on (citation cms-100-04-5: Pub. 100-04, ch. 5, §20.2; code 97032).
 */
export function unitsByEightMinuteRule(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes < 8) return 0;
  return Math.floor((minutes - 8) / 15) + 1;
}
