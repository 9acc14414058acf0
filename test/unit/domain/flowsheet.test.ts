import { beforeAll, describe, expect, it } from 'vitest';
import { buildFlowsheet, type FlowsheetVisit } from '../../../src/domain/flowsheet.js';
import type { Profiles } from '../../../src/domain/profiles.js';
import type { Session } from '../../../src/domain/types.generated.js';
import { loadProfiles } from '../../../src/profiles/load-profiles.js';
import { completeSession, muscle } from '../../support/fixtures.js';

let profiles: Profiles;
beforeAll(async () => {
  ({ profiles } = await loadProfiles());
});

function visit(date: string, outcomes: Session['outcomes'], extra: Partial<FlowsheetVisit> = {}): FlowsheetVisit {
  const session = completeSession({ date, muscles: [muscle('upper-trapezius', 'left'), muscle('masseter', 'right')], outcomes });
  return { date, codes: ['20560'], ...(outcomes?.painPre !== undefined ? { painPre: outcomes.painPre } : {}), ...(outcomes?.painPost !== undefined ? { painPost: outcomes.painPost } : {}), session, ...extra };
}

describe('the course at a glance as flowsheet rows', () => {
  it('when earlier visits are given out of order, then the rows run oldest first with the day in words, muscles by name and side, codes and pain', () => {
    const rows = buildFlowsheet([visit('2026-11-09T10:00:00-05:00', { painPre: 5, painPost: 2 }), visit('2026-11-02T10:00:00-05:00', { painPre: 7, painPost: 4 })], profiles);
    expect(rows.map((r) => r.day)).toEqual(['November 2, 2026', 'November 9, 2026']);
    expect(rows[0]).toMatchObject({ muscles: ['Upper trapezius (left)', 'Masseter (right)'], codes: ['20560'], painBefore: 7, painAfter: 4, pain: 'Pain 7 before, 4 after (out of 10)' });
  });

  it('when range of motion was measured, then each movement shows with its own unit: millimetres for the jaw, degrees for the neck', () => {
    const [row] = buildFlowsheet([visit('2026-11-02', { rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 36 }, { movement: 'Cervical rotation', side: 'left', unit: 'degrees', pre: 55, post: 70 }] })], profiles);
    expect(row?.rom.map((r) => [r.unit, r.text])).toEqual([
      ['mm', 'Mouth opening: 28 mm before, 36 mm after'],
      ['degrees', 'Cervical rotation (left): 55\u00b0 before, 70\u00b0 after'],
    ]);
  });

  it('when a movement is not in the table, then it shows in the unit the session records', () => {
    const [row] = buildFlowsheet([visit('2026-11-02', { rom: [{ movement: 'thumb opposition', unit: 'degrees', pre: 10, post: 12 }] })], profiles);
    expect(row?.rom[0]?.text).toBe('Thumb opposition: 10\u00b0 before, 12\u00b0 after');
  });

  it('when a questionnaire was scored at several visits, then later rows read the change since the first score against the MCID, with its source', () => {
    const rows = buildFlowsheet([
      visit('2026-11-02', { measures: [{ instrument: 'NDI', score: 24 }] }),
      visit('2026-11-09', { measures: [{ instrument: 'NDI', score: 18 }] }),
      visit('2026-11-16', { measures: [{ instrument: 'NDI', score: 14 }] }),
    ], profiles);
    expect(rows[0]?.measures[0]).toEqual({ instrument: 'NDI', name: 'Neck Disability Index', score: 24, text: 'Neck Disability Index: 24 (0\u201350, lower is better)' });
    expect(rows[1]?.measures[0]?.change).toMatchObject({ since: 'November 2, 2026', change: -6, meetsMcid: false, statement: 'Since November 2, 2026: Better by 6 points, short of the 9.5-point minimal clinically important difference.' });
    expect(rows[2]?.measures[0]?.change).toMatchObject({ change: -10, meetsMcid: true, verified: true });
    expect(rows[2]?.measures[0]?.change?.source).toMatch(/^Cleland JA, Childs JD, Whitman JM \u2014 Psychometric properties of the Neck Disability Index/);
  });

  it('when a visit was not written by NeedleChart, then its row keeps the date, codes and pain and lists no muscles', () => {
    const rows = buildFlowsheet([{ date: '2026-10-30', codes: ['20561'], painPre: 8 }], profiles);
    expect(rows).toEqual([{ date: '2026-10-30', day: 'October 30, 2026', muscles: [], codes: ['20561'], painBefore: 8, pain: 'Pain 8 before, not recorded after (out of 10)', rom: [], measures: [] }]);
  });

  it('when no pain was recorded, then the row says so in words', () => {
    expect(buildFlowsheet([{ date: '2026-10-30', codes: [] }], profiles)[0]?.pain).toBe('Pain not recorded');
  });

  it('when a clinic time zone is given, then the day is the clinic\'s day', () => {
    expect(buildFlowsheet([{ date: '2026-11-03T02:00:00Z', codes: [] }], profiles, 'America/Los_Angeles')[0]?.day).toBe('November 2, 2026');
  });

  it('when the rows are read, then no raw field path or internal reference reaches the words', () => {
    const rows = buildFlowsheet([visit('2026-11-02', { painPre: 6, rom: [{ movement: 'Protrusion', unit: 'mm', pre: 4, post: 6 }], measures: [{ instrument: 'ODI', score: 40 }] }), visit('2026-11-09', { measures: [{ instrument: 'ODI', score: 28 }] })], profiles);
    const words = JSON.stringify(rows.map((r) => [r.day, r.pain, r.muscles, r.rom.map((x) => x.text), r.measures.map((m) => [m.text, m.change?.statement])]));
    expect(words).not.toMatch(/preDegrees|postDegrees|\bunit\b|outcomes\.|Procedure\/|upper-trapezius/);
    expect(rows[1]?.measures[0]?.change?.statement).toBe('Since November 2, 2026: Better by 12 points, at least the 10-point minimal clinically important difference.');
  });
});
