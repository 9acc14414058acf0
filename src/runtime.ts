import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { importPKCS8 } from 'jose';
import type { Config } from './config.js';
import type { AppManifest } from './domain/types.generated.js';
import { warmR4Validator } from './fhir/r4-schema-validator.js';
import { createApp } from './http/create-app.js';
import type { Logger } from './infra/logger.js';
import { listening } from './infra/port-in-use.js';
import type { RunningSandbox } from './sandbox/sandbox-server.js';
import type { SandboxClient } from './sandbox/auth-server.js';
import { createCore, type Core } from './service/core.js';
import { SealedJson } from './smart/sealed-json.js';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from './smart/session-store.js';
import { SmartClient, type ClientCredentials } from './smart/smart-client.js';
import { BackendServicesClient } from './smart/backend-services.js';
import { generateBackendKey } from './export/backend-gateway.js';

export interface RunningNeedleChart {
  readonly appUrl: string;
  readonly sandbox?: RunningSandbox;
  readonly core: Core;
  readonly store: SessionStore;
  close(): Promise<void>;
}

async function readManifest(): Promise<AppManifest> {
  return JSON.parse(await readFile(fileURLToPath(new URL('../manifest.json', import.meta.url)), 'utf8')) as AppManifest;
}

async function clientCredentials(config: Config): Promise<ClientCredentials> {
  if (config.clientAuth === 'private_key_jwt' && config.clientPrivateKeyFile) {
    const pem = await readFile(config.clientPrivateKeyFile, 'utf8');
    // SMART asks asymmetric clients to support RS384 and ES384: the key decides which.
    const key = await importPKCS8(pem, 'ES384').catch(() => importPKCS8(pem, 'RS384'));
    return { clientId: config.clientId, auth: 'private_key_jwt', privateKey: { key, ...(config.clientKeyId ? { kid: config.clientKeyId } : {}) } };
  }
  return { clientId: config.clientId, auth: config.clientAuth, ...(config.clientSecret ? { secret: config.clientSecret } : {}) };
}

/**
 * Starts NeedleChart as configured: the sandbox EHR (with its authorization server) unless an EHR
 * is configured, then the app wired to it. Used by `npm start` and by the tests, so both run the same
 * thing.
 */
export async function startNeedleChart(config: Config, options: { logger: Logger; sandboxClients?: () => readonly SandboxClient[]; today?: Date; tokenLifetimeSeconds?: number }): Promise<RunningNeedleChart> {
  const core = await createCore({ payersDir: config.payersDir, templatesDir: config.templatesDir, timeZone: config.clinicTimeZone });
  const manifest = await readManifest();
  let appUrl = config.publicUrl ?? '';
  let sandbox: RunningSandbox | undefined;
  // The compliance export's Backend Services key: from config, or generated now and registered with the sandbox.
  const backendKey = config.sandbox && !config.backendKeyFile ? await generateBackendKey() : undefined;
  const backendClientId = config.backendClientId ?? 'needlechart-backend';
  if (config.sandbox) {
    // Loaded only when the sandbox is on: production with an EHR never loads the FHIR engine or the mock OAuth server.
    const { createSandbox } = await import('./sandbox/sandbox-server.js');
    sandbox = await (
      await createSandbox({
        core,
        logger: options.logger,
        ...(config.sandboxDataFile ? { dataFile: config.sandboxDataFile } : {}),
        ...(options.today ? { today: options.today } : {}),
        auth: {
          appUrl: () => appUrl,
          clients: () => [
            ...(options.sandboxClients ? options.sandboxClients() : [{ clientId: config.clientId, redirectUris: [`${appUrl}/callback`], auth: 'none' as const }]),
            ...(backendKey ? [{ clientId: backendClientId, redirectUris: [], auth: 'private_key_jwt' as const, jwks: { keys: [backendKey.publicJwk] } }] : []),
          ],
          ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
        },
      })
    ).listen(config.sandboxPort, config.host);
  }
  const store: SessionStore = config.redisUrl ? new RedisSessionStore(config.redisUrl) : new MemorySessionStore();
  const secret = config.sessionSecret ? Buffer.from(config.sessionSecret, 'base64') : randomBytes(32);
  const sealer = new SealedJson(secret);
  const smart = new SmartClient({
    client: await clientCredentials(config),
    redirectUri: () => `${appUrl}/callback`,
    scopes: { ehr: manifest.scopes.ehrLaunch, standalone: manifest.scopes.standaloneLaunch, compliance: ['openid', 'fhirUser'] },
    issAllowlist: () => [...config.issAllowlist, ...(config.fhirBaseUrl ? [config.fhirBaseUrl] : []), ...(sandbox ? [sandbox.fhirBaseUrl] : [])],
    store,
    sealer,
    timeoutMs: config.fhirTimeoutMs,
  });
  const exportBase = config.fhirBaseUrl ?? sandbox?.fhirBaseUrl;
  let exports: { fhirBaseUrl: string; backend: BackendServicesClient; backendClientId: string } | undefined;
  if (exportBase && (backendKey || (config.backendKeyFile && config.backendKeyId))) {
    const pem = backendKey ? undefined : await readFile(config.backendKeyFile ?? '', 'utf8');
    const privateKey = backendKey ? backendKey.privateKey : await importPKCS8(pem ?? '', 'ES384').catch(() => importPKCS8(pem ?? '', 'RS384'));
    const backend = new BackendServicesClient({ fhirBaseUrl: exportBase, clientId: backendClientId, privateKey, keyId: backendKey?.publicJwk.kid ?? config.backendKeyId ?? '', scopes: manifest.scopes.backendServices ?? [] });
    exports = { fhirBaseUrl: exportBase, backend, backendClientId };
  }
  const sandboxOrigins = sandbox ? [sandbox.origin, sandbox.origin.replace('127.0.0.1', 'localhost')] : [];
  const app = createApp(config, { core, logger: options.logger, smart: { client: smart, store, sealer }, frameAncestors: [...config.frameAncestors, ...sandboxOrigins], ...(sandbox ? { homeRedirect: `${sandbox.origin}/sandbox` } : {}), ...(exports ? { exports } : {}),
    cds: {
      store,
      appUrl: () => appUrl,
      clients: () => [...config.cdsClients, ...(sandbox?.cds ? [{ iss: sandbox.origin, jwksUrl: `${sandbox.origin}/cds-client/jwks.json` }] : [])],
    },
  });
  warmR4Validator();
  const server = await listening(app.listen(config.port, config.host), config.port, 'PORT').catch(async (error: unknown) => {
    await sandbox?.close();
    await store.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  if (!appUrl) appUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  return {
    appUrl,
    ...(sandbox ? { sandbox } : {}),
    core,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox?.close();
      await store.close();
    },
  };
}
