import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from '../fhir/systems.js';

/** A CDS Hooks 2.0 service as discovery describes it. */
export interface CdsService {
  readonly hook: 'patient-view' | 'encounter-start';
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly prefetch: Readonly<Record<string, string>>;
}

/** Prefetch in the allowed query forms: instance reads, token equality, `_count`, `_sort`. */
const COMMON_PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  coverage: 'Coverage?patient={{context.patientId}}&status=active',
  conditions: 'Condition?patient={{context.patientId}}&clinical-status=active',
  procedures: `Procedure?patient={{context.patientId}}&code=${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}&_sort=-date&_count=20`,
  observations: 'Observation?patient={{context.patientId}}&_count=500',
} as const;

export const CDS_SERVICES: readonly CdsService[] = [
  {
    hook: 'patient-view',
    id: 'needlechart-patient-view',
    title: 'NeedleChart: dry-needling documentation and coding',
    description: "Payer policy on dry needling, gaps in the latest visit's documentation, coding mismatches and the course so far, for patients treated with dry needling.",
    prefetch: COMMON_PREFETCH,
  },
  {
    hook: 'encounter-start',
    id: 'needlechart-encounter-start',
    title: 'NeedleChart: before today\u2019s dry-needling visit',
    description: 'At the start of a visit: what the payer allows, what last visit lacked, and where the course stands.',
    prefetch: { ...COMMON_PREFETCH, encounter: 'Encounter/{{context.encounterId}}' },
  },
];
