/**
 * Code systems, identifier systems and extension URLs NeedleChart writes. Local systems live under
 * https://needlechart.dev/fhir/ (no SNOMED CT concept for dry needling was confirmed, so the
 * procedure and muscles carry local codes); the extensions are described in profiles/fhir/.
 */
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';

export const PROCEDURE_SYSTEM = 'https://needlechart.dev/fhir/CodeSystem/procedure';
export const DRY_NEEDLING_CODE = 'dry-needling';
export const DRY_NEEDLING_TEXT = 'Dry needling of trigger points';
export const MUSCLE_SYSTEM = 'https://needlechart.dev/fhir/CodeSystem/muscle';
export const OUTCOME_MEASURE_SYSTEM = 'https://needlechart.dev/fhir/CodeSystem/outcome-measure';
/** Identifies a NeedleChart visit and each resource written for it; the key of idempotent writes. */
export const VISIT_ID_SYSTEM = 'https://needlechart.dev/fhir/NamingSystem/visit';

/** SNOMED CT laterality qualifiers (confirmed codes: 7771000 Left, 24028007 Right, 51440002 Right and left). */
export const LATERALITY: Readonly<Record<'left' | 'right', { code: string; display: string }>> = {
  left: { code: '7771000', display: 'Left' },
  right: { code: '24028007', display: 'Right' },
};

export const PROGRESS_NOTE = { system: LOINC, code: '11506-3', display: 'Progress note' } as const;
export const CLINICAL_NOTE_CATEGORY = { system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' } as const;
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

const SD = 'https://needlechart.dev/fhir/StructureDefinition/';
export const EXT = {
  needledMuscle: `${SD}needled-muscle`,
  needle: `${SD}needle`,
  estim: `${SD}electrical-stimulation`,
  consent: `${SD}consent`,
  screening: `${SD}screening`,
  billing: `${SD}billing`,
  adverseEventsRecorded: `${SD}adverse-events-recorded`,
  adverseEventDetail: `${SD}adverse-event-detail`,
  performerCredential: `${SD}performer-credential`,
  laterality: `${SD}laterality`,
  outcomeTiming: `${SD}outcome-timing`,
} as const;

/** On a payer Organization (or Coverage.payor identifier): the NeedleChart payer-policy id it maps to. */
export const PAYER_POLICY_SYSTEM = 'https://needlechart.dev/fhir/NamingSystem/payer-policy';
