import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, exampleSession, muscle, testCore } from '../../support/fixtures.js';

/**
 * Golden files: the rendered note for fixed sessions, byte for byte. A template change shows up as a
 * diff to review; run with UPDATE_GOLDEN=1 to accept it.
 */
const GOLDEN = new URL('../../golden/', import.meta.url);

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const SESSIONS: Record<string, () => Session> = {
  'example-neck-4-muscles': exampleSession,
  'medicare-attended-estim': () =>
    completeSession({
      payer: 'medicare',
      abn: { issuedOn: '2026-11-13', option: 1 },
      services: [{ code: '97140', minutes: 12, regions: ['back'] }, { code: '97110', minutes: 15 }, { code: '97010', minutes: 10 }],
      muscles: [muscle('gluteus-medius', 'left', { twitch: { elicited: true, count: 2 } }), muscle('piriformis', 'left', { depth: 'deep', technique: 'static', retentionSeconds: 600 })],
      estim: { applied: true, attended: true, minutes: 24, frequencyHz: 4, waveform: 'symmetric biphasic', intensity: 'strong, comfortable', muscles: [{ muscle: 'gluteus-medius', side: 'left' }] },
    }),
  'document-only-missing-outcomes': () =>
    completeSession({ billing: 'document-only', outcomes: undefined, adverseEvents: undefined, response: undefined, consent: { obtained: false, investigationalStatusDisclosed: false } }),
};

describe('golden notes', () => {
  for (const [name, build] of Object.entries(SESSIONS)) {
    for (const [kind, format, ext] of [['note', 'html', 'html'], ['note', 'text', 'txt'], ['payer-review', 'text', 'review.txt']] as const) {
      it(`when ${name} is rendered as ${kind} ${format}, then it matches test/golden/${name}.${ext}`, () => {
        const view = analyseSession(build(), core).view;
        const actual = core.renderer.render(kind, format, view);
        const file = new URL(`${name}.${ext}`, GOLDEN);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
        expect(existsSync(file), `missing golden file ${file.pathname}: run with UPDATE_GOLDEN=1`).toBe(true);
        expect(actual).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
