import type { Device, Provenance, Reference } from 'fhir/r4.js';
import type { Session } from '../domain/types.generated.js';
import { fhirString } from './extensions.js';

/**
 * Who wrote the visit and with what (US Core Provenance): the practitioner as author, NeedleChart as
 * a contained Device with its version (the assembler). One per write, so amendments add history.
 */
export function toProvenance(session: Session, targets: readonly Reference[], now: string, version: string, activity: 'CREATE' | 'UPDATE'): Provenance {
  const device: Device = { resourceType: 'Device', id: 'needlechart', deviceName: [{ name: 'NeedleChart', type: 'manufacturer-name' }], version: [{ value: version }] };
  return {
    resourceType: 'Provenance',
    contained: [device],
    target: [...targets],
    recorded: now,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: activity, display: activity === 'CREATE' ? 'create' : 'revise' }] },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
        who: { reference: session.performer.reference, display: fhirString(session.performer.display) },
      },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] },
        who: { reference: '#needlechart', display: `NeedleChart ${version}` },
        onBehalfOf: { reference: session.performer.reference, display: fhirString(session.performer.display) },
      },
    ],
  };
}
