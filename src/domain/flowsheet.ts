import { formatDay } from './human-dates.js';
import { changeAgainstMcid } from './mcid-change.js';
import { labelMuscle } from './muscle-names.js';
import type { Profiles } from './profiles.js';
import { formatRom, type RomUnit } from './rom-units.js';
import type { Session, Side } from './types.generated.js';

/**
 * An earlier visit as the flowsheet needs it. The chart context's PriorVisit (src/fhir/chart-context.ts)
 * has this shape; the domain names only what it reads, so it imports nothing from src/fhir.
 */
export interface FlowsheetVisit {
  readonly date: string;
  readonly codes: readonly string[];
  readonly painPre?: number;
  readonly painPost?: number;
  /** Absent when the visit was not written by NeedleChart: the row then shows the date, codes and pain only. */
  readonly session?: Session;
}

export interface FlowsheetRom {
  readonly movement: string;
  readonly side?: Side;
  readonly unit: RomUnit;
  readonly before: number;
  readonly after: number;
  /** "Cervical rotation (left): 60° before, 70° after" */
  readonly text: string;
}

export interface FlowsheetMeasure {
  readonly instrument: string;
  readonly name: string;
  readonly score: number;
  /** "Neck Disability Index: 12 (0–50, lower is better)" */
  readonly text: string;
  /** Against the first score of the same instrument in the course, when this is not that first score. */
  readonly change?: {
    readonly since: string;
    readonly change: number;
    readonly meetsMcid: boolean;
    readonly statement: string;
    /** The MCID's source, one line a person reads, and whether the value was read in it. */
    readonly source: string;
    readonly verified: boolean;
  };
}

/** One earlier visit, in plain words: the course at a glance. */
export interface FlowsheetRow {
  /** The visit's date as recorded (for ordering); `day` is what people read. */
  readonly date: string;
  readonly day: string;
  readonly muscles: readonly string[];
  readonly codes: readonly string[];
  readonly painBefore?: number;
  readonly painAfter?: number;
  /** "Pain 6 before, 3 after (out of 10)" or "Pain not recorded". */
  readonly pain: string;
  readonly rom: readonly FlowsheetRom[];
  readonly measures: readonly FlowsheetMeasure[];
}

function painWords(before: number | undefined, after: number | undefined): string {
  if (before === undefined && after === undefined) return 'Pain not recorded';
  const part = (value: number | undefined, when: string) => `${value === undefined ? 'not recorded' : value} ${when}`;
  return `Pain ${part(before, 'before')}, ${part(after, 'after')} (out of 10)`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Turns earlier visits into flowsheet rows, oldest first: the day in words, muscles by name and side,
 * the codes billed, pain before and after, range of motion with the unit of each movement, and each
 * questionnaire score with its change since the course's first score of that instrument, read against
 * the instrument's minimal clinically important difference and its source. Pure.
 */
export function buildFlowsheet(visits: readonly FlowsheetVisit[], profiles: Profiles, timeZone?: string): FlowsheetRow[] {
  const zone = timeZone ? { timeZone } : undefined;
  const sorted = [...visits].sort((a, b) => a.date.localeCompare(b.date));
  const firstScores = new Map<string, { score: number; day: string }>();
  return sorted.map((visit) => {
    const day = formatDay(visit.date, zone);
    const session = visit.session;
    const rom = (session?.outcomes?.rom ?? []).map((r): FlowsheetRom => {
      const unit = r.unit;
      const side = r.side ? ` (${r.side})` : '';
      return {
        movement: r.movement,
        ...(r.side ? { side: r.side } : {}),
        unit,
        before: r.pre,
        after: r.post,
        text: `${capitalised(r.movement)}${side}: ${formatRom(r.pre, unit)} before, ${formatRom(r.post, unit)} after`,
      };
    });
    const measures = (session?.outcomes?.measures ?? []).map((m): FlowsheetMeasure => {
      const instrument = profiles.instruments.get(m.instrument);
      const name = instrument?.display ?? m.instrument;
      const scale = instrument ? ` (${instrument.min}\u2013${instrument.max}, ${instrument.higherIsWorse ? 'lower' : 'higher'} is better)` : '';
      const first = firstScores.get(m.instrument);
      if (!first) firstScores.set(m.instrument, { score: m.score, day });
      const change = first && instrument ? changeAgainstMcid(instrument, first.score, m.score) : undefined;
      const sources = change ? profiles.cite(change.citations, change.verified) : undefined;
      return {
        instrument: m.instrument,
        name,
        score: m.score,
        text: `${name}: ${m.score}${scale}`,
        ...(change && first && sources
          ? { change: { since: first.day, change: change.change, meetsMcid: change.meetsMcid, statement: `Since ${first.day}: ${change.statement}`, source: sources.source, verified: sources.verified } }
          : {}),
      };
    });
    const painBefore = visit.painPre ?? session?.outcomes?.painPre;
    const painAfter = visit.painPost ?? session?.outcomes?.painPost;
    return {
      date: visit.date,
      day,
      muscles: (session?.muscles ?? []).map((m) => labelMuscle(profiles, m.muscle, m.side)),
      codes: [...visit.codes],
      ...(painBefore !== undefined ? { painBefore } : {}),
      ...(painAfter !== undefined ? { painAfter } : {}),
      pain: painWords(painBefore, painAfter),
      rom,
      measures,
    };
  });
}
