/**
 * SMART App Launch 2 scopes (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 * `patient|user|system/<Type|*>.<c?r?u?d?s?>` (v2) or `.read|.write|.*` (v1: read = rs, write = cud).
 * Pure: used by the app to check what was granted and by the sandbox to enforce it.
 */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  readonly context: 'patient' | 'user' | 'system';
  readonly resourceType: string;
  readonly interactions: ReadonlySet<Interaction>;
}

const PATTERN = /^(patient|user|system)\/([A-Za-z]+|\*)\.(read|write|\*|c?r?u?d?s?)$/;

export function parseResourceScope(scope: string): ResourceScope | undefined {
  const m = PATTERN.exec(scope);
  if (!m || !m[3]) return undefined;
  const [, context, resourceType, perms] = m;
  const interactions = new Set<Interaction>(
    perms === 'read' ? ['r', 's'] : perms === 'write' ? ['c', 'u', 'd'] : perms === '*' ? ['c', 'r', 'u', 'd', 's'] : ([...(perms ?? '')] as Interaction[]),
  );
  if (interactions.size === 0) return undefined;
  return { context: context as ResourceScope['context'], resourceType: resourceType ?? '', interactions };
}

export function splitScopes(scope: string | undefined): string[] {
  return (scope ?? '').split(/\s+/).filter(Boolean);
}

/** True when the granted scopes allow `interaction` on `resourceType` in any of `contexts`. */
export function allows(granted: readonly string[], resourceType: string, interaction: Interaction, contexts: readonly ResourceScope['context'][] = ['patient', 'user', 'system']): boolean {
  return granted.some((s) => {
    const parsed = parseResourceScope(s);
    return !!parsed && contexts.includes(parsed.context) && (parsed.resourceType === resourceType || parsed.resourceType === '*') && parsed.interactions.has(interaction);
  });
}

/** The v1 form of a v2 scope, for servers without `permission-v2`: `.rs` → `.read`, `.cud`/`.cu` → `.write`. */
export function toV1(scope: string): string[] {
  const parsed = parseResourceScope(scope);
  if (!parsed) return [scope];
  const base = `${parsed.context}/${parsed.resourceType}`;
  const out: string[] = [];
  if (parsed.interactions.has('r') || parsed.interactions.has('s')) out.push(`${base}.read`);
  if (parsed.interactions.has('c') || parsed.interactions.has('u') || parsed.interactions.has('d')) out.push(`${base}.write`);
  return out;
}
