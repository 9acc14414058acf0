import type { Device, Provenance, Reference } from 'fhir/r4.js';
import type { Performer } from '../domain/types.generated.js';
import { practitionerReference } from './practitioner-reference.js';
import { PROVENANCE_PARTICIPANT_TYPE, US_CORE_PROVENANCE, US_CORE_PROVENANCE_PARTICIPANT_TYPE, VISIT_ID_SYSTEM } from './systems.js';

/** One write of a visit, as its Provenance records it. */
export interface ProvenanceWrite {
  /** Everything the write created or changed. */
  readonly targets: readonly Reference[];
  readonly now: string;
  /** NeedleChart's version, on the contained Device. */
  readonly version: string;
  readonly activity: 'CREATE' | 'UPDATE';
  /** Who wrote it: the signed-in clinician (for an amendment, who amended, not who first wrote). */
  readonly author: Pick<Performer, 'reference' | 'display' | 'npi'>;
  /** `Organization/<id>` the author and NeedleChart act for; absent when none is known. */
  readonly organization?: string;
  /** The write's identity (visit key plus what it writes): the tag a retried write finds it by. */
  readonly tag: string;
}

/** The tag a Provenance carries for conditional create: R4 Provenance has no identifier element. */
export function provenanceTag(tag: string): { system: string; code: string } {
  return { system: VISIT_ID_SYSTEM, code: tag };
}

/**
 * Who wrote the visit and with what, as US Core 6.1.0 Provenance: agent `author` (the signed-in
 * practitioner) and agent `transmitter` (NeedleChart, a contained Device with its version). Invariant
 * provenance-1 requires `onBehalfOf` for a Practitioner or Device agent and allows only an
 * Organization there: the clinic when one is known, otherwise left out, never a practitioner.
 * https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-provenance.html
 */
export function toProvenance(write: ProvenanceWrite): Provenance {
  const device: Device = { resourceType: 'Device', id: 'needlechart', deviceName: [{ name: 'NeedleChart', type: 'manufacturer-name' }], version: [{ value: write.version }] };
  const onBehalfOf = write.organization ? { onBehalfOf: { reference: write.organization } } : {};
  return {
    resourceType: 'Provenance',
    meta: { profile: [US_CORE_PROVENANCE], tag: [provenanceTag(write.tag)] },
    contained: [device],
    target: [...write.targets],
    recorded: write.now,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: write.activity, display: write.activity === 'CREATE' ? 'create' : 'revise' }] },
    agent: [
      { type: { coding: [{ system: PROVENANCE_PARTICIPANT_TYPE, code: 'author', display: 'Author' }] }, who: practitionerReference(write.author), ...onBehalfOf },
      { type: { coding: [{ system: US_CORE_PROVENANCE_PARTICIPANT_TYPE, code: 'transmitter', display: 'Transmitter' }] }, who: { reference: '#needlechart', display: `NeedleChart ${write.version}` }, ...onBehalfOf },
    ],
  };
}
