import type { webcrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { discover, isLoopback } from './smart-configuration.js';

export interface BackendServicesOptions {
  /** The FHIR base whose SMART configuration names the token endpoint. */
  readonly fhirBaseUrl: string;
  readonly clientId: string;
  /** RS384 or ES384 private key; its public half is registered with the EHR as a JWKS. */
  readonly privateKey: webcrypto.CryptoKey;
  readonly keyId: string;
  /** System scopes, limited to what the export reads and the AuditEvent it writes. */
  readonly scopes: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * SMART Backend Services (client_credentials with a private_key_jwt client assertion: `iss` = `sub`
 * = client id, `aud` = token URL, `exp` ≤ 5 min, unique `jti`, header `typ: JWT` and `kid`).
 * There is no refresh token: a new assertion is signed when the token nears expiry.
 */
export class BackendServicesClient {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly options: BackendServicesOptions) {}

  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - Date.now() > 30_000) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the token (after a 401), so the next call signs a new assertion. */
  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const config = await discover(this.options.fhirBaseUrl, this.options.timeoutMs ?? 5000);
    const as: oauth.AuthorizationServer = { issuer: config.issuer ?? new URL(config.tokenEndpoint).origin, token_endpoint: config.tokenEndpoint };
    const client: oauth.Client = { client_id: this.options.clientId };
    const auth = oauth.PrivateKeyJwt(
      { key: this.options.privateKey, kid: this.options.keyId },
      {
        [oauth.modifyAssertion]: (header, payload) => {
          header.typ = 'JWT';
          payload.aud = config.tokenEndpoint;
        },
      },
    );
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: this.options.scopes.join(' ') }, {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      ...(isLoopback(config.tokenEndpoint) ? { [oauth.allowInsecureRequests]: true } : {}),
    });
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    this.token = { value: result.access_token, expiresAt: Date.now() + (result.expires_in ?? 300) * 1000 };
    return result.access_token;
  }
}
