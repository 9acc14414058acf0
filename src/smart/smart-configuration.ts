import type { CapabilityStatement } from 'fhir/r4.js';

/** The parts of `.well-known/smart-configuration` NeedleChart relies on, checked and with absolute URLs. */
export interface SmartConfiguration {
  readonly issuer?: string;
  readonly jwksUri?: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly capabilities: ReadonlySet<string>;
  readonly grantTypes: readonly string[];
  readonly codeChallengeMethods: readonly string[];
  readonly tokenEndpointAuthMethods: readonly string[];
}

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Checks a SMART configuration document (SMART App Launch 2.2 §Conformance): required fields,
 * S256 among the PKCE methods, relative URLs resolved against the FHIR base. Pure.
 */
export function parseSmartConfiguration(doc: unknown, fhirBase: string): SmartConfiguration {
  if (!doc || typeof doc !== 'object') throw new DiscoveryError('The SMART configuration is not a JSON object');
  const d = doc as Record<string, unknown>;
  const base = fhirBase.endsWith('/') ? fhirBase : `${fhirBase}/`;
  const abs = (field: string, required: boolean): string | undefined => {
    const v = d[field];
    if (typeof v !== 'string' || !v) {
      if (required) throw new DiscoveryError(`The SMART configuration lacks ${field}`);
      return undefined;
    }
    return new URL(v, base).toString();
  };
  const capabilities = new Set(strings(d.capabilities));
  if (!Array.isArray(d.capabilities)) throw new DiscoveryError('The SMART configuration lacks capabilities');
  const methods = strings(d.code_challenge_methods_supported);
  // We always send S256 whatever the server says; a server that lists only plain is refused.
  if (methods.length && !methods.includes('S256')) throw new DiscoveryError('The server does not support PKCE S256');
  const issuer = abs('issuer', capabilities.has('sso-openid-connect'));
  const jwksUri = abs('jwks_uri', capabilities.has('sso-openid-connect'));
  return {
    ...(issuer ? { issuer } : {}),
    ...(jwksUri ? { jwksUri } : {}),
    authorizationEndpoint: abs('authorization_endpoint', true) ?? '',
    tokenEndpoint: abs('token_endpoint', true) ?? '',
    capabilities,
    grantTypes: strings(d.grant_types_supported),
    codeChallengeMethods: methods,
    tokenEndpointAuthMethods: strings(d.token_endpoint_auth_methods_supported),
  };
}

/** The deprecated fallback: OAuth URIs from the CapabilityStatement's security extension. */
export function fromCapabilityStatement(caps: CapabilityStatement, fhirBase: string): SmartConfiguration | undefined {
  const ext = caps.rest?.[0]?.security?.extension?.find((e) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
  const uri = (name: string) => ext?.extension?.find((e) => e.url === name)?.valueUri;
  const authorize = uri('authorize');
  const token = uri('token');
  if (!authorize || !token) return undefined;
  const base = fhirBase.endsWith('/') ? fhirBase : `${fhirBase}/`;
  return {
    authorizationEndpoint: new URL(authorize, base).toString(),
    tokenEndpoint: new URL(token, base).toString(),
    capabilities: new Set(['launch-ehr', 'launch-standalone', 'client-public']),
    grantTypes: ['authorization_code'],
    codeChallengeMethods: [],
    tokenEndpointAuthMethods: [],
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
export const isLoopback = (url: string): boolean => LOOPBACK.has(new URL(url).hostname);

/**
 * Discovers a FHIR server's SMART endpoints: `.well-known/smart-configuration` first (JSON whatever
 * the Accept header), the CapabilityStatement only as a fallback; times out rather than hangs.
 */
export async function discover(fhirBase: string, timeoutMs = 5000, fetchImpl: typeof fetch = fetch): Promise<SmartConfiguration> {
  const base = fhirBase.replace(/\/$/, '');
  let response: Response;
  try {
    response = await fetchImpl(`${base}/.well-known/smart-configuration`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new DiscoveryError(`The EHR's SMART configuration could not be read (${(error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed'})`);
  }
  if (response.ok) return parseSmartConfiguration(await response.json().catch(() => undefined), base);
  const caps = await fetchImpl(`${base}/metadata`, { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.timeout(timeoutMs) })
    .then((r) => (r.ok ? (r.json() as Promise<CapabilityStatement>) : undefined))
    .catch(() => undefined);
  const fallback = caps ? fromCapabilityStatement(caps, base) : undefined;
  if (!fallback) throw new DiscoveryError(`The EHR has no SMART configuration (HTTP ${response.status} for .well-known/smart-configuration)`);
  return fallback;
}
