import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceSearchParam } from 'fhir/r4.js';
import { SEARCH_PARAMETERS, type SearchParam } from './search-parameters.js';
import { DEFAULT_COUNT, MAX_COUNT } from './search-request.js';

/** Search result parameters each type supports (http://hl7.org/fhir/R4/search.html#return), with what the sandbox does with them. */
const RESULT_PARAMETERS: readonly CapabilityStatementRestResourceSearchParam[] = [
  { name: '_sort', type: 'string', documentation: 'Comma-separated sort keys among the search parameters above; a - prefix, or the :desc modifier, sorts descending (:asc ascending). Resources without a value come last.' },
  { name: '_count', type: 'number', documentation: `Page size, ${DEFAULT_COUNT} when absent, at most ${MAX_COUNT}; 0 returns only the total.` },
  { name: '_offset', type: 'number', documentation: 'Matches to skip: how the next and previous links page.' },
  { name: '_summary', type: 'token', documentation: 'true, text, data (resources tagged SUBSETTED), count (only the total) or false.' },
  { name: '_elements', type: 'string', documentation: 'Top-level elements to return, with the mandatory ones; resources tagged SUBSETTED. Not combined with _summary.' },
  { name: '_total', type: 'token', documentation: 'none, estimate or accurate (the sandbox always counts exactly).' },
];

/** How the sandbox answers what it does not support, for the CapabilityStatement and the README. */
export const SEARCH_HANDLING_TEXT =
  'Search follows FHIR R4 for the parameters listed per resource type (reference values as Type/id, a bare id, or an absolute URL on this server; the modifiers :missing on every parameter, :not on tokens, :contains and :exact on strings, and a resource type on references; date prefixes eq, ne, gt, lt, ge, le, sa, eb; comma-separated values match any). ' +
  'A parameter, modifier, sort key or element the sandbox does not support is refused with 400 and an OperationOutcome naming each one, unless the request says Prefer: handling=lenient: then it is ignored, left out of the self link, and reported in an OperationOutcome entry (search.mode = outcome). ' +
  'A malformed value is refused either way. There is no _include, _revinclude or chaining. Dates without a time zone are read as UTC.';

const searchParamType = (param: SearchParam): CapabilityStatementRestResourceSearchParam['type'] => param.type;

/**
 * What the sandbox supports, honestly: exactly the search parameters it answers (search-parameters.ts)
 * and the result parameters above, no `_include`/`_revinclude`, batch and all-or-nothing
 * transactions, conditional create, If-Match updates, and, when on, Bulk Data system-level `$export`.
 */
export function sandboxCapabilityStatement(baseUrl: string, software: string, smart?: { authorize: string; token: string }, bulkData = false): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = Object.entries(SEARCH_PARAMETERS).map(([type, params]) => ({
    type: type as CapabilityStatementRestResource['type'],
    interaction: ['read', 'vread', 'update', 'create', 'search-type', 'history-instance'].map((code) => ({ code: code as 'read' })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: [...Object.entries(params).map(([name, param]) => ({ name, type: searchParamType(param) })), ...RESULT_PARAMETERS],
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
        documentation: SEARCH_HANDLING_TEXT,
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        ...(bulkData ? { operation: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }] } : {}),
      },
    ],
  };
}
