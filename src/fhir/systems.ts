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
/** The outcome-measure code of a questionnaire's item `n` (1-based) in an Observation.component: `item-3`. */
export function questionnaireItemCode(n: number): string {
  return `item-${n}`;
}
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
/** IHE format codes as R4's `formatcodes` value set names them (US Core DocumentReference.content.format, extensible). */
export const FORMAT_CODE_SYSTEM = 'http://ihe.net/fhir/ValueSet/IHE.FormatCode.codesystem';

/** The US Core 6.1.0 profile each written resource claims in meta.profile (and meets: tested with the official package). */
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';
export const US_CORE_PROFILE = {
  procedure: `${US_CORE}us-core-procedure`,
  screeningAssessment: `${US_CORE}us-core-observation-screening-assessment`,
  simpleObservation: `${US_CORE}us-core-simple-observation`,
  documentReference: `${US_CORE}us-core-documentreference`,
  provenance: `${US_CORE}us-core-provenance`,
} as const;

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
  necessity: `${SD}medical-necessity`,
  planOfCare: `${SD}plan-of-care`,
  financialNotice: `${SD}financial-notice`,
  cleanTechnique: `${SD}clean-technique`,
  otherService: `${SD}other-service`,
  addendumReason: `${SD}addendum-reason`,
} as const;

/** On a payer Organization (or Coverage.payor identifier): the NeedleChart payer-policy id it maps to. */
export const PAYER_POLICY_SYSTEM = 'https://needlechart.dev/fhir/NamingSystem/payer-policy';

/** National Provider Identifier (US Core Practitioner identifier slice). */
export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
/** Qualification codes NeedleChart reads on the signed-in Practitioner: `dry-needling` marks the certificate. */
export const QUALIFICATION_SYSTEM = 'https://needlechart.dev/fhir/CodeSystem/qualification';
export const DRY_NEEDLING_QUALIFICATION = 'dry-needling';
/** NUCC provider taxonomy: 225100000X Physical Therapist (the licence qualification in the sandbox). */
export const NUCC_TAXONOMY = 'http://nucc.org/provider-taxonomy';
/**
 * Da Vinci PDex Plan-Net extension on Practitioner.qualification (status, whereValid): where a licence
 * or certificate is valid, as USPS state codes. https://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition-practitioner-qualification.html
 */
export const PLAN_NET_QUALIFICATION = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/practitioner-qualification';
export const USPS_STATE = 'https://www.usps.com/';

/** US Core 6.1.0 Provenance: the profile and the agent types it uses (invariant provenance-1 needs onBehalfOf). */
export const US_CORE_PROVENANCE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance';
export const PROVENANCE_PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
export const US_CORE_PROVENANCE_PARTICIPANT_TYPE = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type';
