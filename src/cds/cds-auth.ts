import type { RequestHandler } from 'express';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { SessionStore } from '../smart/session-store.js';
import type { StoreKeys } from '../smart/store-keys.js';

/** A CDS client (an EHR) allowed to call the services, with where its keys are published. */
export interface CdsClient {
  readonly iss: string;
  readonly jwksUrl: string;
}

const refuse = (text: string) => new OperationOutcomeError(401, outcome([{ severity: 'error', code: 'security', diagnostics: text }]));

/**
 * CDS Hooks 2.0 security: every request, discovery included, carries the CDS client's JWT. The
 * signature is checked against the client's JWKS (a `jku` only when it is on the allow-list);
 * `iss` must be a registered client, `aud` the exact service URL called, `exp` in the future, `jti`
 * never seen before; ES384 or RS384 only (no `none`, no HMAC). The `jti` is checked and recorded in
 * one atomic step (set-if-absent, kept until the token expires), so of several instances receiving
 * the same JWT at once exactly one accepts it.
 */
export function cdsAuth(options: { clients: () => readonly CdsClient[]; jkuAllowlist: () => readonly string[]; serviceBase: () => string; store: SessionStore; keys: StoreKeys }): RequestHandler {
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
    if (jku && !options.jkuAllowlist().includes(jku) && jku !== client.jwksUrl) throw refuse('The jku of the CDS client JWT is not on the allow-list');
    const audience = `${options.serviceBase()}${req.originalUrl.split('?')[0] ?? ''}`;
    try {
      const { payload } = await jwtVerify(token, keys(jku ?? client.jwksUrl), { issuer: client.iss, audience, algorithms: ['ES384', 'RS384'], requiredClaims: ['exp', 'iat', 'jti'] });
      // Remembered until the token expires (plus a minute of clock skew): after that, jwtVerify refuses it anyway.
      const ttl = Math.max(60, (payload.exp ?? 0) - Math.floor(Date.now() / 1000) + 60);
      if (!(await options.store.setIfAbsent(options.keys.cdsJti(client.iss, String(payload.jti)), '1', ttl))) throw refuse('The CDS client JWT was already used (jti replayed)');
    } catch (error) {
      if (error instanceof OperationOutcomeError) throw error;
      throw refuse(`The CDS client JWT did not verify (${(error as { code?: string }).code ?? 'invalid'})`);
    }
    res.locals.cdsClient = client.iss;
    next();
  };
}
