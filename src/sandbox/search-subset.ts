import { getDataType } from '@medplum/core';
import type { Coding, Resource } from '@medplum/fhirtypes';
import { indexFhirDefinitions } from './medplum-definitions.js';
import type { Summary } from './search-request.js';

/**
 * `_summary` and `_elements` (http://hl7.org/fhir/R4/search.html#summary, #elements): the parts of
 * each resource a search returns. Which elements are summary or mandatory comes from the R4
 * StructureDefinitions (as Medplum indexes them). A subsetted resource carries the SUBSETTED tag, so
 * that no client writes it back over the full one.
 */

/** The tag R4 asks for on partial resources (v3 ObservationValue SUBSETTED). */
export const SUBSETTED: Readonly<Coding> = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'Resource encoded in summary mode' };

/** Always kept: without them a resource is not one. */
const ALWAYS = ['resourceType', 'id', 'meta'];

interface TypeElements {
  /** Element name as a client may write it (`effective`, `effectiveDateTime`, `_birthDate`) → its base element (`effective`, `birthDate`). */
  readonly names: ReadonlyMap<string, string>;
  readonly summary: ReadonlySet<string>;
  readonly mandatory: ReadonlySet<string>;
}
const cache = new Map<string, TypeElements>();

function elementsOf(type: string): TypeElements {
  let known = cache.get(type);
  if (!known) {
    indexFhirDefinitions();
    const schema = getDataType(type);
    const names = new Map<string, string>();
    for (const [path, element] of Object.entries(schema.elements)) {
      if (path.includes('.')) continue;
      const base = path.replace('[x]', '');
      names.set(base, base);
      if (path.endsWith('[x]')) for (const t of element.type) names.set(`${base}${t.code.charAt(0).toUpperCase()}${t.code.slice(1)}`, base);
    }
    known = { names, summary: new Set(schema.summaryProperties ?? []), mandatory: new Set(schema.mandatoryProperties ?? []) };
    cache.set(type, known);
  }
  return known;
}

/** Top-level element names of `type` a client may list in `_elements`, each with its base element name. */
export function elementNamesOf(type: string): ReadonlyMap<string, string> {
  return elementsOf(type).names;
}

/**
 * A copy of `resource` reduced as `_summary` or `_elements` asks, tagged SUBSETTED; the resource
 * itself when neither asks for a subset. `true`: summary and mandatory elements; `text`: text and
 * mandatory elements; `data`: everything but text; `_elements`: the listed and the mandatory ones.
 */
export function subsetOf(resource: Resource, summary: Summary, elements: readonly string[] | undefined): Resource {
  if (!elements && (summary === 'false' || summary === 'count')) return resource;
  const known = elementsOf(resource.resourceType);
  const keep = (base: string): boolean => {
    if (ALWAYS.includes(base) || known.mandatory.has(base)) return true;
    if (elements) return elements.includes(base);
    if (summary === 'true') return known.summary.has(base);
    if (summary === 'text') return base === 'text';
    return base !== 'text';
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const name = key.startsWith('_') ? key.slice(1) : key;
    if (keep(known.names.get(name) ?? name)) out[key] = value;
  }
  const tags = resource.meta?.tag ?? [];
  const tagged = tags.some((t) => t.system === SUBSETTED.system && t.code === SUBSETTED.code) ? tags : [...tags, SUBSETTED];
  return { ...(out as unknown as Resource), meta: { ...resource.meta, tag: tagged } };
}
