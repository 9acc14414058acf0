import type { RequestHandler, Response } from 'express';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { SessionStore } from '../smart/session-store.js';
import type { StoreKeys } from '../smart/store-keys.js';

/** A CDS client (an EHR) allowed to call the services (NEEDLECHART_CDS_CLIENTS; the sandbox is added when it runs). */
export interface CdsClient {
  readonly iss: string;
  /** Where the client publishes its keys. */
  readonly jwksUrl: string;
  /** Other JWKS URLs this client's JWTs may name in `jku` (key rotation, a second key set); nobody else's. */
  readonly jkuAllowlist: readonly string[];
  /** FHIR servers this client may send as `fhirServer`: the only places its lent access token is ever sent. */
  readonly fhirServers: readonly string[];
}

/** CDS Hooks 2.0: a client JWT's `exp` "MUST NOT be more than five minutes in the future" (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients). */
export const CDS_JWT_MAX_LIFETIME_SECONDS = 300;
/** Clock difference allowed between the EHR and NeedleChart on `exp` and `iat`. */
export const CDS_JWT_CLOCK_SKEW_SECONDS = 60;

/**
 * What is wrong with a (verified) client JWT's times, or undefined: `iat` and `exp` are required
 * numbers, `iat` not in the future, `exp` at most five minutes ahead, each with the clock skew
 * allowed. A long-lived token would be replayable for its whole life once its `jti` is forgotten.
 */
export function tokenTimesProblem(payload: { readonly iat?: unknown; readonly exp?: unknown }, nowSeconds: number): string | undefined {
  if (typeof payload.iat !== 'number') return 'The CDS client JWT has no iat';
  if (typeof payload.exp !== 'number') return 'The CDS client JWT has no exp';
  if (payload.iat > nowSeconds + CDS_JWT_CLOCK_SKEW_SECONDS) return 'The CDS client JWT was issued in the future (iat)';
  if (payload.exp > nowSeconds + CDS_JWT_MAX_LIFETIME_SECONDS + CDS_JWT_CLOCK_SKEW_SECONDS) return 'The CDS client JWT expires more than five minutes from now (exp)';
  return undefined;
}

/** Whether a JWT of `client` may name `jku`: its own JWKS URL or one on its own allow-list, never another client's. */
export const jkuAllowedFor = (client: CdsClient, jku: string): boolean => jku === client.jwksUrl || client.jkuAllowlist.includes(jku);

/** The client a request was authenticated as (set by `cdsAuth`). */
export const cdsClientOf = (res: Response): CdsClient => res.locals.cdsClient as CdsClient;

const refuse = (text: string) => new OperationOutcomeError(401, outcome([{ severity: 'error', code: 'security', diagnostics: text }]));

/**
 * CDS Hooks 2.0 security: every request, discovery included, carries the CDS client's JWT. The
 * signature is checked against the client's JWKS (a `jku` only when it is on that client's own
 * allow-list); `iss` must be a registered client, `aud` the exact service URL called, `exp` in the
 * future and at most five minutes ahead, `iat` not in the future, `jti` never seen before; ES384 or
 * RS384 only (no `none`, no HMAC). The `jti` is checked and recorded in one atomic step
 * (set-if-absent, kept until the token expires), so of several instances receiving the same JWT at
 * once exactly one accepts it.
 */
export function cdsAuth(options: { clients: () => readonly CdsClient[]; serviceBase: () => string; store: SessionStore; keys: StoreKeys }): RequestHandler {
  const keySets = new Map<string, JWTVerifyGetKey>();
  const keys = (url: string): JWTVerifyGetKey => {
    let set = keySets.get(url);
    if (!set) keySets.set(url, (set = createRemoteJWKSet(new URL(url))));
    return set;
  };
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header?.startsWith('Bearer ')) throw refuse('A CDS client JWT is required (Authorization: Bearer)');
    const token = header.slice('Bearer '.length);
    let claimedIss: string | undefined;
    let jku: string | undefined;
    try {
      const protectedHeader = decodeProtectedHeader(token);
      jku = typeof protectedHeader.jku === 'string' ? protectedHeader.jku : undefined;
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
      claimedIss = typeof payload.iss === 'string' ? payload.iss : undefined;
    } catch {
      throw refuse('The CDS client JWT is malformed');
    }
    const client = options.clients().find((c) => c.iss === claimedIss);
    if (!client) throw refuse('The CDS client is not registered (unknown iss)');
    if (jku && !jkuAllowedFor(client, jku)) throw refuse('The jku of the CDS client JWT is not on the allow-list of this client');
    const audience = `${options.serviceBase()}${req.originalUrl.split('?')[0] ?? ''}`;
    try {
      const { payload } = await jwtVerify(token, keys(jku ?? client.jwksUrl), { issuer: client.iss, audience, algorithms: ['ES384', 'RS384'], requiredClaims: ['exp', 'iat', 'jti'] });
      const now = Math.floor(Date.now() / 1000);
      const times = tokenTimesProblem(payload, now);
      if (times) throw refuse(times);
      // Remembered until the token expires (at most 6 minutes from now), and a minute more: after that, jwtVerify refuses it anyway.
      const ttl = Math.max(60, (payload.exp ?? 0) - now + 60);
      if (!(await options.store.setIfAbsent(options.keys.cdsJti(client.iss, String(payload.jti)), '1', ttl))) throw refuse('The CDS client JWT was already used (jti replayed)');
    } catch (error) {
      if (error instanceof OperationOutcomeError) throw error;
      throw refuse(`The CDS client JWT did not verify (${(error as { code?: string }).code ?? 'invalid'})`);
    }
    res.locals.cdsClient = client;
    next();
  };
}
