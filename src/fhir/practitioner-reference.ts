import type { Reference } from 'fhir/r4.js';
import type { Performer } from '../domain/types.generated.js';
import { fhirString } from './extensions.js';
import { NPI_SYSTEM } from './systems.js';

/**
 * A reference to a clinician as every written resource names them (Procedure performer, Observation
 * performer, note author, Provenance agent): the Practitioner, their name, and their NPI as a
 * logical identifier when the EHR records one (US Core: NPI system http://hl7.org/fhir/sid/us-npi).
 */
export function practitionerReference(clinician: Pick<Performer, 'reference' | 'display' | 'npi'>): Reference {
  return { reference: clinician.reference, display: fhirString(clinician.display), ...(clinician.npi ? { identifier: { system: NPI_SYSTEM, value: clinician.npi } } : {}) };
}
