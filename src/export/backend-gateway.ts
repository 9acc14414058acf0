import type { webcrypto } from 'node:crypto';
import { generateKeyPair, exportJWK, type JWK } from 'jose';
import { FhirGateway } from '../fhir/client.js';
import type { Logger } from '../infra/logger.js';
import type { BackendServicesClient } from '../smart/backend-services.js';

/** Where a Backend Services gateway gets its access tokens: the client itself, or (in the export's worker thread) the main thread that holds it. */
export type BackendCredentials = Pick<BackendServicesClient, 'accessToken' | 'invalidate'>;

/** A FHIR gateway that authenticates as a SMART Backend Services client (system scopes). */
export function backendGateway(fhirBaseUrl: string, backend: BackendCredentials, logger: Logger, timeoutMs = 30_000): FhirGateway {
  return new FhirGateway({
    baseUrl: fhirBaseUrl,
    logger,
    timeoutMs,
    accessToken: () => backend.accessToken(),
    onUnauthorized: async () => {
      backend.invalidate();
    },
  });
}

/** A key pair for the sandbox's backend client, made at start (no key is ever committed). */
export async function generateBackendKey(kid = 'needlechart-backend-1'): Promise<{ privateKey: webcrypto.CryptoKey; publicJwk: JWK & { kid: string; alg: string } }> {
  const { privateKey, publicKey } = await generateKeyPair('ES384');
  return { privateKey: privateKey as webcrypto.CryptoKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' } };
}
