import type { AuditEvent } from 'fhir/r4.js';
import type { ExportFilters } from './export-filters.js';

/**
 * The AuditEvent an export writes to the EHR (who, when, filters, record count): DICOM "Export"
 * (110106), action Read. The requesting person is the verified signed-in user (their fhirUser as
 * `who.reference`, their name as `who.display`) when the export was started from the web app. Pure.
 */
export function exportAuditEvent(input: { requestedBy: string; requestedByReference?: string; client: string; filters: ExportFilters; visits: number; patients: number; recorded: string; version: string }): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' },
    subtype: [{ system: 'https://needlechart.dev/fhir/CodeSystem/audit', code: 'record-packet', display: 'Dry-needling record packet for a payer request' }],
    action: 'R',
    recorded: input.recorded,
    outcome: '0',
    agent: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'humanuser', display: 'human user' }] }, who: { ...(input.requestedByReference ? { reference: input.requestedByReference } : {}), display: input.requestedBy }, requestor: true },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'dataprocessor', display: 'data processor' }] }, who: { identifier: { system: 'https://needlechart.dev/fhir/client', value: input.client }, display: `NeedleChart ${input.version}` }, requestor: false },
    ],
    source: { observer: { display: `NeedleChart ${input.version}` }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity: [
      {
        what: { display: 'Dry-needling visits (Procedure, Observation, DocumentReference, Provenance)' },
        description: `Filters: ${JSON.stringify(input.filters)}`,
        detail: [
          { type: 'filters', valueString: JSON.stringify(input.filters) },
          { type: 'visits', valueString: String(input.visits) },
          { type: 'patients', valueString: String(input.patients) },
        ],
      },
    ],
  };
}
