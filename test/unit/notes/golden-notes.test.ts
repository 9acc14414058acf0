import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import type { CourseContext } from '../../../src/domain/coding-types.js';
import type { NoteStatus } from '../../../src/notes/note-status.js';
import { completeSession, exampleSessions, muscle, testCore } from '../../support/fixtures.js';

/**
 * Golden files: the rendered note for fixed sessions, byte for byte. A template change shows up as a
 * diff to review; run with UPDATE_GOLDEN=1 to accept it.
 */
const GOLDEN = new URL('../../golden/', import.meta.url);

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const SIGNED: NoteStatus = { signed: { by: 'Alex Rivera, PT, DPT', at: '2026-11-20T20:10:00Z' }, addenda: [] };
const exampleFile = (file: string) => (): Session => exampleSessions().find((e) => e.file === file)?.session as Session;

/** Each golden note: the session, where the note stands (a draft unless signed) and the visit's place in the course. */
const SESSIONS: Record<string, { build: () => Session; status?: NoteStatus; course?: CourseContext }> = {
  'first-visit-draft': { build: exampleFile('first-visit-no-outcomes.json') },
  'returning-visit-signed': { build: () => completeSession({ goalProgress: 'Sits 3 hours at work, up from 1 hour at the first visit.' }), status: SIGNED, course: { visitNumber: 3 } },
  'medicare-abn-signed': { build: exampleFile('medicare-attended-estim.json'), status: SIGNED, course: { visitNumber: 2 } },
  'investigational-waiver-signed': { build: exampleFile('neck-4-muscles-investigational.json'), status: SIGNED, course: { visitNumber: 2 } },
  'signed-with-addendum': {
    build: () => completeSession({ outcomes: { painPre: 6, painPost: 2, rom: [{ movement: 'lumbar flexion', unit: 'degrees', pre: 40, post: 55 }], measures: [{ instrument: 'ODI', score: 32 }] } }),
    status: { ...SIGNED, addenda: [{ by: 'Alex Rivera, PT, DPT', at: '2026-11-21T14:05:00Z', reason: 'Pain after treatment corrected from 3 to 2, as the patient reported before leaving' }] },
  },
  'jaw-item-by-item-signed': {
    build: () =>
      completeSession({
        diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M26.622', display: 'Arthralgia of left temporomandibular joint' }],
        muscles: [muscle('masseter', 'left'), muscle('temporalis', 'left', { depth: 'superficial' })],
        outcomes: {
          painPre: 6,
          painPost: 3,
          rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 36.5 }, { movement: 'Cervical rotation', side: 'left', unit: 'degrees', pre: 60, post: 70 }],
          measures: [{ instrument: 'JFLS', score: 3.1, answers: [6, 5, 1, 3, 0, 7, 2, 1] }, { instrument: 'NDI', score: 12 }, { instrument: 'PSFS', score: 4.7, answers: [3, 5, 6], activities: ['Chewing a steak', 'Talking on the phone', 'Yawning'] }],
        },
      }),
    status: SIGNED,
    course: { visitNumber: 2 },
  },
  'medicare-draft-without-abn': {
    build: () =>
      completeSession({
        payer: 'medicare',
        muscles: [muscle('gluteus-medius', 'left', { twitch: { elicited: true, count: 2 } }), muscle('piriformis', 'left', { depth: 'deep', technique: 'static', retentionSeconds: 600 })],
        estim: { applied: true, attended: true, minutes: 24, frequencyHz: 4, waveform: 'symmetric biphasic', intensity: 'strong, comfortable', muscles: [{ muscle: 'gluteus-medius', side: 'left' }] },
      }),
  },
  'document-only-draft-with-gaps': {
    build: () => completeSession({ billing: 'document-only', necessity: undefined, practices: undefined, planOfCare: undefined, outcomes: undefined, adverseEvents: undefined, response: undefined, consent: { obtained: false, investigationalStatusDisclosed: false } }),
  },
};

describe('golden notes', () => {
  for (const [name, { build, status, course }] of Object.entries(SESSIONS)) {
    for (const [kind, format, ext] of [['note', 'html', 'html'], ['note', 'text', 'txt'], ['payer-review', 'text', 'review.txt']] as const) {
      it(`when ${name} is rendered as ${kind} ${format}, then it matches test/golden/${name}.${ext}`, () => {
        const view = analyseSession(build(), core, course, status).view;
        const actual = core.renderer.render(kind, format, view);
        const file = new URL(`${name}.${ext}`, GOLDEN);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
        expect(existsSync(file), `missing golden file ${file.pathname}: run with UPDATE_GOLDEN=1`).toBe(true);
        expect(actual).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
