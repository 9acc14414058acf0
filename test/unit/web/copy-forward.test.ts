import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/domain/types.generated.js';
import { copiedAfterRemoving, copiedAfterTouching, copyForwardInto, dateInWords, pruneEmpty } from '../../../src/web/copy-forward.js';

const today = {
  date: '2026-12-03T09:00:00-08:00',
  performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true },
  payer: 'payer-acme-health',
  billing: 'bill-payer',
  diagnoses: [],
  consent: { obtained: true, investigationalStatusDisclosed: false },
  screening: { contraindications: [], precautions: [], cleared: true },
  needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
  muscles: [],
  estim: { applied: false, justification: 'today only' },
  outcomes: { painPre: 6 },
} as unknown as Session;

const last = {
  ...today,
  payer: 'payer-premera',
  diagnoses: [{ code: 'M54.2', display: 'Cervicalgia' }],
  consent: { obtained: false, investigationalStatusDisclosed: false },
  needle: { type: 'solid filiform', diameterMm: 0.3, lengthMm: 50, countVerified: false },
  muscles: [{ muscle: 'masseter', side: 'left', depth: 'deep', technique: 'static', needles: 1, retentionSeconds: 60, twitch: { elicited: true }, exam: { tautBand: true } }],
  estim: { applied: true, attended: false, minutes: 15, justification: 'last time' },
  outcomes: { painPre: 8, painPost: 4 },
} as unknown as Session;

describe('copy-forward on the charting page (ported to TypeScript)', () => {
  it("when last visit is copied into today's, then what repeats is copied and marked, and today's facts are kept", () => {
    const { session, copied } = copyForwardInto(today, last);
    expect(session.payer).toBe('payer-premera');
    expect(session.needle).toEqual({ type: 'solid filiform', diameterMm: 0.3, lengthMm: 50, countVerified: true });
    expect(session.muscles).toEqual([{ muscle: 'masseter', side: 'left', depth: 'deep', technique: 'static', needles: 1, retentionSeconds: 60, twitch: { elicited: true } }]);
    expect(session.estim).toEqual({ applied: true, attended: false, minutes: 15, justification: 'today only' });
    expect(session.consent.obtained).toBe(true);
    expect(session.outcomes).toEqual({ painPre: 6 });
    expect(copied).toEqual(expect.arrayContaining(['payer', 'diagnoses', 'needle.diameterMm', 'muscles[0]', 'estim.minutes']));
    expect(copied).not.toContain('consent.obtained');
  });

  it('when a row is removed, then its mark goes and the later rows move up one; when a field changes, its own and its row’s marks go', () => {
    expect(copiedAfterRemoving(['muscles[0]', 'muscles[1]', 'muscles[2].side', 'payer'], 'muscles', 1)).toEqual(['muscles[0]', 'muscles[1].side', 'payer']);
    expect(copiedAfterTouching(['muscles[0]', 'muscles[1]', 'needle.type'], 'muscles[0].needles')).toEqual(['muscles[1]', 'needle.type']);
  });

  it('when blank text, empty groups and empty lists are pruned, then nothing of them is left', () => {
    expect(pruneEmpty({ a: ' ', b: {}, c: [], d: [{ e: '' }] })).toBeUndefined();
    expect(pruneEmpty({ a: 'x', b: { c: 0 } })).toEqual({ a: 'x', b: { c: 0 } });
  });

  it("when a visit's date is said in words, then it is that calendar day whatever the zone, with the year only when it is not this year", () => {
    expect(dateInWords('2026-11-13T23:30:00-08:00', new Date('2026-12-03T00:00:00Z'))).toBe('Friday, November 13');
    expect(dateInWords('2025-11-13T10:00:00Z', new Date('2026-12-03T00:00:00Z'))).toBe('Thursday, November 13, 2025');
    expect(dateInWords(undefined)).toBe('the last visit');
  });
});
