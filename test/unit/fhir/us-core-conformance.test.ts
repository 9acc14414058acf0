import type { Bundle, DocumentReference, Resource } from 'fhir/r4.js';
import type { Resource as MedplumResource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/domain/types.generated.js';
import { analyseSession, visitTransactionFor } from '../../../src/service/preview-session.js';
import { toSignTransaction } from '../../../src/fhir/note-bundle.js';
import type { Core } from '../../../src/service/core.js';
import { completeSession, exampleSessions, fullSession, testCore } from '../../support/fixtures.js';
import { usCoreProblems, usCoreProfiles } from '../../support/us-core.js';

/**
 * Every resource NeedleChart writes claims its US Core 6.1.0 profile and meets it, as judged by a
 * validator we did not write (@medplum/core) loaded with the official US Core package.
 */
let core: Core;
beforeAll(async () => {
  core = await testCore();
  usCoreProfiles();
});

const TARGET = { patient: 'Patient/p-1', encounter: 'Encounter/e-1' };

function sessions(): { name: string; session: Session }[] {
  return [...exampleSessions().map((e) => ({ name: e.file, session: e.session })), { name: 'complete session', session: completeSession() }, { name: 'every optional field', session: fullSession() }];
}

function written(session: Session): Resource[] {
  const bundle: Bundle = visitTransactionFor(core, analyseSession(session, core), TARGET, '2026-11-20T15:00:00Z', { organization: 'Organization/org-1' });
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

describe('US Core 6.1.0 conformance of what a save writes', () => {
  it('when the US Core package is loaded, then the profiles NeedleChart claims are there', () => {
    for (const url of ['us-core-procedure', 'us-core-observation-screening-assessment', 'us-core-simple-observation', 'us-core-documentreference', 'us-core-provenance']) {
      expect(usCoreProfiles().has(`http://hl7.org/fhir/us/core/StructureDefinition/${url}`), url).toBe(true);
    }
  });

  for (const { name, session } of sessions()) {
    it(`when ${name} is mapped to its transaction, then every resource claims a US Core profile and the validator finds no error`, () => {
      const resources = written(session);
      expect(new Set(resources.map((r) => r.resourceType))).toEqual(new Set(['Procedure', 'DocumentReference', 'Provenance', ...(resources.some((r) => r.resourceType === 'Observation') ? ['Observation'] : [])]));
      expect(resources.flatMap((r) => usCoreProblems(r as MedplumResource))).toEqual([]);
    });
  }

  it('when scores are recorded item by item (an unanswered item too) and mouth opening in mm, then the survey and exam Observations still meet US Core', () => {
    const session = completeSession({
      outcomes: {
        rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 36 }],
        measures: [
          { instrument: 'JFLS', score: 3.1, answers: [6, 5, 1, 3, 0, 7, 2, 1] },
          { instrument: 'ODI', score: 35.6, answers: [2, 2, 1, 2, 1, 2, 2, 2, 2, null] },
          { instrument: 'PSFS', score: 4.7, answers: [3, 5, 6], activities: ['Lifting my grandson', 'Sitting through a film', 'Gardening'] },
        ],
      },
    });
    const observations = written(session).filter((r) => r.resourceType === 'Observation');
    expect(observations.filter((o) => 'component' in o && Array.isArray(o.component))).toHaveLength(4);
    expect(observations.flatMap((r) => usCoreProblems(r as MedplumResource))).toEqual([]);
  });

  it('when a draft is signed and a signed note is amended, then the signed note, the superseded draft, the addendum and their Provenance meet US Core', () => {
    const session = fullSession();
    const [draft] = written(session).filter((r): r is DocumentReference => r.resourceType === 'DocumentReference');
    const stored = { ...(draft as DocumentReference), id: 'doc-1', meta: { ...draft?.meta, versionId: '1' } };
    const signer = { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT' };
    const signing = toSignTransaction({ session, target: TARGET, key: 'k', procedure: { reference: 'Procedure/proc-1' }, draft: stored, note: { html: '<p>signed</p>', text: 'signed' }, now: '2026-11-20T16:00:00Z', signer: { ...signer }, version: '0.1.0', organization: 'Organization/org-1' });
    const addendum = visitTransactionFor(core, analyseSession(session, core), TARGET, '2026-11-21T15:00:00Z', { organization: 'Organization/org-1', signing: { state: 'addendum', authenticator: signer, reason: 'Pain after treatment corrected' } });
    const resources = [...(signing.entry ?? []), ...(addendum.entry ?? [])].flatMap((e) => (e.resource ? [e.resource] : []));
    const docs = resources.filter((r): r is DocumentReference => r.resourceType === 'DocumentReference');
    expect(docs.map((d) => d.docStatus)).toEqual(['final', 'preliminary', 'amended']);
    expect(resources.flatMap((r) => usCoreProblems(r as MedplumResource))).toEqual([]);
  });

  it('when a resource breaks its profile (a survey score without its category), then the validator says so: the check can fail', () => {
    const observation = written(completeSession()).find((r) => r.resourceType === 'Observation' && r.meta?.profile?.[0]?.endsWith('screening-assessment'));
    expect(observation).toBeDefined();
    const broken = { ...observation, category: [] } as unknown as MedplumResource;
    expect(usCoreProblems(broken).join('\n')).toMatch(/category/);
  });

  it('when the Provenance is written, then each agent acts on behalf of the clinic Organization (provenance-1), the author is the practitioner and the transmitter NeedleChart', () => {
    const provenance = written(completeSession()).find((r) => r.resourceType === 'Provenance') as { agent: { type?: { coding?: { code?: string }[] }; who: { reference?: string }; onBehalfOf?: { reference?: string } }[] } | undefined;
    expect(provenance?.agent.map((a) => [a.type?.coding?.[0]?.code, a.who.reference?.split('/')[0], a.onBehalfOf?.reference])).toEqual([
      ['author', 'Practitioner', 'Organization/org-1'],
      ['transmitter', '#needlechart', 'Organization/org-1'],
    ]);
  });

  it('when pain is written, then it is a {score} Quantity (US Core survey scores), not an integer', () => {
    const pain = written(completeSession()).filter((r) => r.resourceType === 'Observation' && (r as { code?: { coding?: { code?: string }[] } }).code?.coding?.[0]?.code === '72514-3');
    expect(pain).toHaveLength(2);
    for (const o of pain) expect(o).toMatchObject({ valueQuantity: { system: 'http://unitsofmeasure.org', code: '{score}' } });
    expect(pain.some((o) => 'valueInteger' in o)).toBe(false);
  });
});
