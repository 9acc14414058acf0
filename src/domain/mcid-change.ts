import type { Instrument } from './profiles.js';

/** A change in an instrument's score, read against its minimal clinically important difference. */
export interface McidChange {
  /** After minus before, in the instrument's own points. */
  readonly change: number;
  /** The change in the better direction (positive is better, whichever way the instrument runs). */
  readonly improvement: number;
  /** The MCID in the instrument's points, from profiles/outcome-measures.json. */
  readonly mcid: number;
  /** True when the improvement is at least the MCID (a worsening never meets it). */
  readonly meetsMcid: boolean;
  /** The sources of the MCID (ids in profiles/citations.json) and whether the value was read in them. */
  readonly citations: readonly string[];
  readonly verified: boolean;
  /** One sentence a clinician reads: "Better by 10 points, at least the 9.5-point minimal clinically important difference." */
  readonly statement: string;
}

/** Rounds away floating-point noise (4.3 − 3.0 is 1.2999…), so a change equal to the MCID meets it. */
function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}

function points(value: number): string {
  return `${value} ${value === 1 ? 'point' : 'points'}`;
}

/**
 * The change between two scores of one instrument and whether it meets the instrument's published
 * minimal clinically important difference in the better direction (lower is better for NDI and ODI,
 * higher for LEFS and PSFS: `higherIsWorse`). Undefined when no MCID is recorded for the instrument. Pure.
 */
export function changeAgainstMcid(instrument: Instrument, before: number, after: number): McidChange | undefined {
  const mcid = instrument.mcid;
  if (!mcid) return undefined;
  const change = tidy(after - before);
  const improvement = tidy(instrument.higherIsWorse ? before - after : after - before);
  const meetsMcid = improvement >= mcid.points;
  const threshold = `the ${mcid.points}-point minimal clinically important difference`;
  const statement =
    improvement === 0 ? `No change, short of ${threshold}.`
    : improvement > 0 ? `Better by ${points(improvement)}, ${meetsMcid ? 'at least' : 'short of'} ${threshold}.`
    : `Worse by ${points(-improvement)}.`;
  return { change, improvement, mcid: mcid.points, meetsMcid, citations: mcid.citations, verified: mcid.verified, statement };
}
