import { parseResourceScope } from '../smart/scopes.js';

/**
 * What a client registration allows it to be granted. An EHR administrator registers each app with
 * the scopes it may have; the authorization server grants an asked-for scope only when the
 * registration covers it and drops the rest (RFC 6749 §3.3: the server may issue fewer scopes than
 * asked, and says so in the token response's `scope`; SMART App Launch 2.2 "Scopes and Launch
 * Context"). Pure: the sandbox's authorization server applies it.
 */

/**
 * True when one of `registered` covers `asked`: the same scope, or a resource scope of the same
 * context (`patient`/`user`/`system`) whose type is the same or `*` and whose interactions include
 * every asked one. So a registration of `patient/Observation.crus` covers `patient/Observation.rs`
 * and its v1 form `patient/Observation.read`, and `system/*.rs` never follows from `system/Patient.rs`.
 */
export function registrationCovers(registered: readonly string[], asked: string): boolean {
  if (registered.includes(asked)) return true;
  const wanted = parseResourceScope(asked);
  if (!wanted) return false;
  return registered.some((scope) => {
    const allowed = parseResourceScope(scope);
    if (!allowed || allowed.context !== wanted.context) return false;
    if (allowed.resourceType !== '*' && allowed.resourceType !== wanted.resourceType) return false;
    return [...wanted.interactions].every((i) => allowed.interactions.has(i));
  });
}

/** The asked-for scopes the registration covers, in the order asked, without repeats. */
export function registeredScopes(registered: readonly string[], asked: readonly string[]): string[] {
  return [...new Set(asked.filter((scope) => registrationCovers(registered, scope)))];
}

/** The scope lists of manifest.json that a registration is made from. */
export interface ManifestScopes {
  readonly ehrLaunch: readonly string[];
  readonly standaloneLaunch: readonly string[];
  readonly complianceLaunch?: readonly string[];
  readonly backendServices?: readonly string[];
}

/** What NeedleChart's launch client is registered for: every scope its EHR, standalone and compliance sign-ins ask for (manifest.json). */
export function appRegistration(scopes: ManifestScopes): string[] {
  return [...new Set([...scopes.ehrLaunch, ...scopes.standaloneLaunch, ...(scopes.complianceLaunch ?? [])])];
}

/** What NeedleChart's Backend Services client is registered for: the system scopes of manifest.json's backendServices. */
export function backendRegistration(scopes: ManifestScopes): string[] {
  return (scopes.backendServices ?? []).filter((scope) => scope.startsWith('system/'));
}
