import { redisReady } from './infra/redis-ready.js';
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
import { PreviewPool } from './service/preview-pool.js';
import { SealedJson } from './smart/sealed-json.js';
import { SessionRegistry } from './smart/session-registry.js';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from './smart/session-store.js';
import { StoreKeys } from './smart/store-keys.js';
import { SmartClient, type ClientCredentials } from './smart/smart-client.js';
import { BackendServicesClient } from './smart/backend-services.js';
import { backendGateway, generateBackendKey } from './export/backend-gateway.js';
import { complianceScopes, resolveCompliancePolicy, type CompliancePolicy } from './export/compliance-access.js';
import type { ExportFilters } from './export/export-filters.js';
import { previewExport, type ExportPreview } from './export/export-preview.js';
import type { ExportJobBoard } from './export/export-job-board.js';
import { ExportJobs } from './export/export-jobs.js';
import { LocalExportBoard } from './export/local-export-board.js';
import { QueuedExportBoard } from './export/queued-export-board.js';
import { webExportRunner } from './export/web-export-runner.js';
import { loadClinicFavourites } from './favourites/clinic-favourites.js';
import { openFavouriteStore } from './favourites/open-favourites.js';

export interface RunningNeedleChart {
  readonly appUrl: string;
  readonly sandbox?: RunningSandbox;
  readonly core: Core;
  readonly store: SessionStore;
  /** The folder compliance-export packets are written in, when the export is on. */
  readonly exportDir?: string;
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
 * Who may use the compliance export (resolveCompliancePolicy), said once at start-up by count, never
 * by name; a warning when nobody may (a real EHR with neither setting).
 */
function compliancePolicy(config: Config, sandboxUser: string | undefined, logger: Logger): CompliancePolicy {
  const { sandboxDefault, ...policy } = resolveCompliancePolicy({ users: config.complianceUsers, role: config.complianceRole }, sandboxUser);
  if (!policy.users.length && !policy.role) logger.warn('compliance export: nobody may export until NEEDLECHART_COMPLIANCE_USERS or NEEDLECHART_COMPLIANCE_ROLE is set');
  else logger.info('compliance export access', { users: policy.users.length, role: policy.role ? 'configured' : 'none', sandboxDefault });
  return policy;
}

/**
 * The compliance exports: with Redis and a shared export folder, a queue every instance runs, follows
 * and downloads from (QueuedExportBoard); otherwise in this process, as one instance needs. Redis
 * without NEEDLECHART_EXPORT_DIR keeps exports in-process: a packet in one instance's private temp
 * folder could not be downloaded from another.
 */
async function exportBoard(config: Config, deps: { secret: Uint8Array; runner: ReturnType<typeof webExportRunner>; ttlMs: number; logger: Logger }): Promise<ExportJobBoard> {
  if (config.redisUrl && config.exportDir) {
    return QueuedExportBoard.open({ redisUrl: config.redisUrl, dir: config.exportDir, secret: deps.secret, perUser: config.exportsPerUser, perInstance: config.exportsPerInstance, ttlMs: deps.ttlMs, lockMs: config.exportLockSeconds * 1000, runner: deps.runner, logger: deps.logger });
  }
  if (config.redisUrl) deps.logger.warn('compliance export: NEEDLECHART_REDIS_URL is set without NEEDLECHART_EXPORT_DIR, so exports stay on the instance that started them');
  const jobs = await ExportJobs.open({ ...(config.exportDir ? { dir: config.exportDir } : {}), perUser: config.exportsPerUser, perInstance: config.exportsPerInstance, ttlMs: deps.ttlMs, logger: deps.logger });
  return new LocalExportBoard(jobs, deps.runner, deps.logger);
}

/**
 * Starts NeedleChart as configured: the sandbox EHR (with its authorization server) unless an EHR
 * is configured, then the app wired to it. Used by `npm start` and by the tests, so both run the same
 * thing.
 */
export async function startNeedleChart(config: Config, options: { logger: Logger; sandboxClients?: () => readonly SandboxClient[]; today?: Date; tokenLifetimeSeconds?: number; exportTtlMs?: number }): Promise<RunningNeedleChart> {
  const coreOptions = { payersDir: config.payersDir, templatesDir: config.templatesDir, timeZone: config.clinicTimeZone };
  const core = await createCore(coreOptions);
  // Checked before anything starts: a bad clinic favourites file stops start-up with every problem listed.
  const clinicFavourites = await loadClinicFavourites(config.clinicFavouritesFile, core.check);
  // The preview workers load their cores while the rest starts; the first previews wait for them below.
  const previewPool = config.previewWorkers > 0 ? new PreviewPool({ size: config.previewWorkers, core: coreOptions }) : undefined;
  const manifest = await readManifest();
  let appUrl = config.publicUrl ?? '';
  let sandbox: RunningSandbox | undefined;
  let sandboxComplianceUser: string | undefined;
  // The compliance export's Backend Services key: from config, or generated now and registered with the sandbox.
  const backendKey = config.sandbox && !config.backendKeyFile ? await generateBackendKey() : undefined;
  const backendClientId = config.backendClientId ?? 'needlechart-backend';
  if (config.sandbox) {
    // Loaded only when the sandbox is on: production with an EHR never loads the FHIR engine or the mock OAuth server.
    const { createSandbox, SANDBOX_COMPLIANCE_USER } = await import('./sandbox/sandbox-server.js');
    sandboxComplianceUser = SANDBOX_COMPLIANCE_USER;
    const { appRegistration, backendRegistration } = await import('./sandbox/registered-scopes.js');
    sandbox = await (
      await createSandbox({
        core,
        logger: options.logger,
        ...(config.sandboxDataFile ? { dataFile: config.sandboxDataFile } : {}),
        ...(options.today ? { today: options.today } : {}),
        auth: {
          appUrl: () => appUrl,
          clients: () => [
            // The app's registration: its launch scopes, and the PractitionerRole read a compliance sign-in asks for when NEEDLECHART_COMPLIANCE_ROLE is set.
            ...(options.sandboxClients ? options.sandboxClients() : [{ clientId: config.clientId, redirectUris: [`${appUrl}/callback`], auth: 'none' as const, scopes: appRegistration(manifest.scopes) }]),
            ...(backendKey ? [{ clientId: backendClientId, redirectUris: [], auth: 'private_key_jwt' as const, jwks: { keys: [backendKey.publicJwk] }, scopes: backendRegistration(manifest.scopes) }] : []),
          ],
          ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
        },
      })
    ).listen(config.sandboxPort, config.host);
  }
  if (config.redisUrl) {
    await redisReady(config.redisUrl).catch(async (error: unknown) => {
      await previewPool?.close();
      await sandbox?.close();
      throw error;
    });
  }
  const store: SessionStore = config.redisUrl ? new RedisSessionStore(config.redisUrl) : new MemorySessionStore();
  const secret = config.sessionSecret ? Buffer.from(config.sessionSecret, 'base64') : randomBytes(32);
  const sealer = new SealedJson(secret);
  const keys = new StoreKeys(secret);
  const sessions = new SessionRegistry(store, keys);
  const smart = new SmartClient({
    client: await clientCredentials(config),
    redirectUri: () => `${appUrl}/callback`,
    // A compliance role is checked against the user's own PractitionerRoles, read with their token: the sign-in asks for that.
    scopes: { ehr: manifest.scopes.ehrLaunch, standalone: manifest.scopes.standaloneLaunch, compliance: complianceScopes(manifest.scopes.complianceLaunch ?? [], config.complianceRole !== undefined) },
    issAllowlist: () => [...config.issAllowlist, ...(config.fhirBaseUrl ? [config.fhirBaseUrl] : []), ...(sandbox ? [sandbox.fhirBaseUrl] : [])],
    store,
    sealer,
    keys,
    sessions,
    timeoutMs: config.fhirTimeoutMs,
    logger: options.logger,
  });
  const exportBase = config.fhirBaseUrl ?? sandbox?.fhirBaseUrl;
  let exports: { fhirBaseUrl: string; policy: CompliancePolicy; jobs: ExportJobBoard; preview: (filters: ExportFilters) => Promise<ExportPreview> } | undefined;
  if (exportBase && (backendKey || (config.backendKeyFile && config.backendKeyId))) {
    const pem = backendKey ? undefined : await readFile(config.backendKeyFile ?? '', 'utf8');
    const privateKey = backendKey ? backendKey.privateKey : await importPKCS8(pem ?? '', 'ES384').catch(() => importPKCS8(pem ?? '', 'RS384'));
    const backend = new BackendServicesClient({ fhirBaseUrl: exportBase, clientId: backendClientId, privateKey, keyId: backendKey?.publicJwk.kid ?? config.backendKeyId ?? '', scopes: manifest.scopes.backendServices ?? [] });
    const policy = compliancePolicy(config, sandboxComplianceUser, options.logger);
    const runner = webExportRunner({ fhirBaseUrl: exportBase, coreOptions: { payersDir: config.payersDir, templatesDir: config.templatesDir, timeZone: config.clinicTimeZone }, credentials: backend, backendClientId, fhirTimeoutMs: config.fhirTimeoutMs, logger: options.logger });
    const ttlMs = options.exportTtlMs ?? config.exportTtlMinutes * 60_000;
    const jobs = await exportBoard(config, { secret, runner, ttlMs, logger: options.logger }).catch(async (error: unknown) => {
      await previewPool?.close();
      await sandbox?.close();
      await store.close();
      throw error;
    });
    // The count shown before an export reads as the export does (its Backend Services client, its selection), so it is the packet's count.
    const previewGateway = backendGateway(exportBase, backend, options.logger, config.fhirTimeoutMs);
    exports = { fhirBaseUrl: exportBase, policy, jobs, preview: (filters) => previewExport(previewGateway, filters, core) };
  }
  const favourites = await openFavouriteStore(config, options.logger).catch(async (error: unknown) => {
    await exports?.jobs.close();
    await sandbox?.close();
    await store.close();
    throw error;
  });
  const sandboxOrigins = sandbox ? [sandbox.origin, sandbox.origin.replace('127.0.0.1', 'localhost')] : [];
  const app = createApp(config, { core, logger: options.logger, smart: { client: smart, store, sealer, keys, sessions }, frameAncestors: [...config.frameAncestors, ...sandboxOrigins], ...(sandbox ? { homeRedirect: `${sandbox.origin}/sandbox` } : {}), ...(exports ? { exports } : {}), ...(previewPool ? { previewPool } : {}), favourites: { store: favourites.store, clinic: clinicFavourites },
    cds: {
      store,
      keys,
      appUrl: () => appUrl,
      // The sandbox EHR as a CDS client: its own keys, and its own FHIR base as the one server it may lend a token for.
      clients: () => [...config.cdsClients, ...(sandbox?.cds ? [{ iss: sandbox.origin, jwksUrl: `${sandbox.origin}/cds-client/jwks.json`, jkuAllowlist: [], fhirServers: [sandbox.fhirBaseUrl] }] : [])],
    },
  });
  warmR4Validator();
  await previewPool?.ready();
  const server = await listening(app.listen(config.port, config.host), config.port, 'PORT').catch(async (error: unknown) => {
    await exports?.jobs.close();
    await previewPool?.close();
    await sandbox?.close();
    await store.close();
    await favourites.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  if (!appUrl) appUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  return {
    appUrl,
    ...(sandbox ? { sandbox } : {}),
    core,
    store,
    ...(exports ? { exportDir: exports.jobs.root } : {}),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await exports?.jobs.close();
      await previewPool?.close();
      await sandbox?.close();
      await store.close();
      await favourites.close();
    },
  };
}
