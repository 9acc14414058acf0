import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';

/** The resource types the sandbox serves, with the search parameters its engine was checked to support. */
const RESOURCES: Readonly<Record<string, readonly string[]>> = {
  Patient: ['_id', 'identifier', 'name', 'family', 'birthdate'],
  Practitioner: ['_id', 'identifier', 'name'],
  PractitionerRole: ['_id', 'practitioner', 'organization', 'role', 'active'],
  Organization: ['_id', 'identifier', 'name'],
  Encounter: ['_id', 'patient', 'date', 'status'],
  Condition: ['_id', 'patient', 'clinical-status', 'code', 'encounter'],
  Coverage: ['_id', 'patient', 'beneficiary', 'status', 'payor'],
  Procedure: ['_id', 'patient', 'code', 'date', 'encounter', 'identifier', 'performer'],
  Observation: ['_id', 'patient', 'code', 'date', 'part-of', 'identifier', 'encounter', 'category'],
  DocumentReference: ['_id', 'patient', 'type', 'date', 'identifier', 'encounter', 'related', 'status'],
  Provenance: ['_id', '_tag', 'patient', 'target', 'recorded'],
  AuditEvent: ['_id', 'date', 'agent', 'entity', 'type'],
};

const REFERENCE_PARAMS = new Set(['patient', 'encounter', 'part-of', 'related', 'target', 'beneficiary', 'payor', 'performer', 'agent', 'entity', 'practitioner', 'organization']);

function searchParamType(name: string): 'date' | 'string' | 'reference' | 'token' {
  if (['date', 'birthdate', 'recorded'].includes(name)) return 'date';
  if (['name', 'family'].includes(name)) return 'string';
  return REFERENCE_PARAMS.has(name) ? 'reference' : 'token';
}

/**
 * What the sandbox supports, honestly: no `_include`/`_revinclude` (its engine ignores them), batch
 * and all-or-nothing transactions, conditional create, If-Match updates, paging by `_count`/`_offset`,
 * and, when on, Bulk Data system-level `$export`.
 */
export function sandboxCapabilityStatement(baseUrl: string, software: string, smart?: { authorize: string; token: string }, bulkData = false): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = Object.entries(RESOURCES).map(([type, params]) => ({
    type: type as CapabilityStatementRestResource['type'],
    interaction: ['read', 'vread', 'update', 'create', 'search-type', 'history-instance'].map((code) => ({ code: code as 'read' })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: params.map((name) => ({ name, type: searchParamType(name) })),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-24',
    kind: 'instance',
    // Bulk Data Access 2.0: how a client learns the server offers system-level $export.
    ...(bulkData ? { instantiates: ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'] } : {}),
    software: { name: software },
    implementation: { description: 'NeedleChart sandbox EHR (in-memory, for development and tests)', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        ...(smart
          ? {
              security: {
                service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
                extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'authorize', valueUri: smart.authorize }, { url: 'token', valueUri: smart.token }] }],
              },
            }
          : {}),
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        ...(bulkData ? { operation: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }] } : {}),
      },
    ],
  };
}
