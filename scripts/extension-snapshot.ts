import type { ElementDefinition, StructureDefinition } from 'fhir/r4.js';

/**
 * The snapshot of one of NeedleChart's extension StructureDefinitions, from its differential and the
 * R4 Extension snapshot (FHIR R4 "Profiling": each element of the base, constrained by the
 * differential element with the same id; each slice of Extension.extension gets the base's
 * Extension.id/extension/url/value[x] under it, recursively for nested sub-extensions). Pure: no I/O.
 */
export function snapshotOf(sd: StructureDefinition, baseExtension: readonly ElementDefinition[]): ElementDefinition[] {
  const differential = new Map((sd.differential?.element ?? []).map((e) => [e.id ?? e.path, e]));
  const baseOf = (path: string): ElementDefinition => {
    const element = baseExtension.find((e) => e.path === path);
    if (!element) throw new Error(`The R4 Extension snapshot has no element ${path}`);
    return element;
  };
  const constrain = (from: ElementDefinition, id: string, path: string, extra: Partial<ElementDefinition> = {}): ElementDefinition => {
    const { id: _id, path: _path, ...constraints } = differential.get(id) ?? {};
    return { ...structuredClone(from), id, path, ...extra, ...constraints };
  };
  const { slicing: _slicing, ...unsliced } = baseOf('Extension.extension');
  const slicesUnder = (id: string): string[] => [...differential.keys()].flatMap((key) => (key.startsWith(`${id}:`) && !/[.:]/.test(key.slice(id.length + 1)) ? [key.slice(id.length + 1)] : []));

  /** An Extension element and everything under it: id, extension (and its slices, recursively), url, value[x]. */
  const expand = (id: string, path: string, from: ElementDefinition, extra: Partial<ElementDefinition> = {}): ElementDefinition[] => {
    const out = [constrain(from, id, path, extra)];
    for (const child of ['id', 'extension', 'url', 'value[x]']) {
      out.push(constrain(baseOf(`Extension.${child}`), `${id}.${child}`, `${path}.${child}`));
      if (child === 'extension') for (const name of slicesUnder(`${id}.extension`)) out.push(...expand(`${id}.extension:${name}`, `${path}.extension`, unsliced, { sliceName: name }));
    }
    return out;
  };
  const snapshot = expand('Extension', 'Extension', baseOf('Extension'));
  const unknown = [...differential.keys()].filter((id) => !snapshot.some((e) => e.id === id));
  if (unknown.length) throw new Error(`${sd.url}: differential elements outside the supported shapes: ${unknown.join(', ')}`);
  return snapshot;
}
