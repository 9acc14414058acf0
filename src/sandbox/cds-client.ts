import { randomUUID } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Card } from '../cds/cds-cards.js';
import { CDS_SERVICES } from '../cds/cds-services.js';
import type { SandboxEngine } from './fhir-endpoint.js';

/**
 * The sandbox EHR as a CDS Hooks client: it signs each call with its own ES384 key (JWKS published at
 * /cds-client/jwks.json), fills the prefetch from its own data, and shows the cards on the launcher.
 */
export class SandboxCdsClient {
  private constructor(private readonly key: webcrypto.CryptoKey, readonly publicJwk: JWK & { kid: string }) {}

  static async create(): Promise<SandboxCdsClient> {
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    return new SandboxCdsClient(privateKey as webcrypto.CryptoKey, { ...(await exportJWK(publicKey)), kid: 'sandbox-cds-1', alg: 'ES384', use: 'sig' });
  }

  /**
   * A CDS client JWT for one call: `aud` the exact service URL, short-lived, unique `jti`. Tests
   * override `exp`, `iat` (null leaves it out) and `jti` to check how the service treats them.
   */
  sign(iss: string, aud: string, overrides: { exp?: number; iat?: number | null; jti?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: this.publicJwk.kid, typ: 'JWT' })
      .setIssuer(iss)
      .setAudience(aud)
      .setExpirationTime(overrides.exp ?? now + 300)
      .setJti(overrides.jti ?? randomUUID());
    if (overrides.iat !== null) jwt.setIssuedAt(overrides.iat ?? now);
    return jwt.sign(this.key);
  }

  /** Prefetch for a service, filled from the sandbox's own data (as an EHR does before calling). */
  async prefetch(engine: SandboxEngine, serviceId: string, context: { patientId: string; encounterId?: string }): Promise<Record<string, unknown>> {
    const service = CDS_SERVICES.find((s) => s.id === serviceId);
    const out: Record<string, unknown> = {};
    for (const [key, template] of Object.entries(service?.prefetch ?? {})) {
      const url = template.replace('{{context.patientId}}', context.patientId).replace('{{context.encounterId}}', context.encounterId ?? '');
      const [path = '', search = ''] = url.split('?');
      const query: Record<string, string> = Object.fromEntries(new URLSearchParams(search));
      const [, resource, status] = await engine.execute({ method: 'GET', path: `/${path}`, query });
      out[key] = status < 300 ? resource : null;
    }
    return out;
  }

  /** Calls a hook on NeedleChart like an EHR would; returns its cards (none when the call fails). */
  async call(engine: SandboxEngine, iss: string, appUrl: string, serviceId: string, context: { patientId: string; encounterId?: string; userId: string }): Promise<Card[]> {
    const url = `${appUrl}/cds-services/${serviceId}`;
    const service = CDS_SERVICES.find((s) => s.id === serviceId);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.sign(iss, url)}` },
        body: JSON.stringify({ hook: service?.hook, hookInstance: randomUUID(), context, prefetch: await this.prefetch(engine, serviceId, context) }),
        signal: AbortSignal.timeout(5000),
      });
      return res.ok ? ((await res.json()) as { cards: Card[] }).cards : [];
    } catch {
      return [];
    }
  }
}
