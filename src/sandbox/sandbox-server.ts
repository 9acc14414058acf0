import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request } from 'express';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { Grant } from './access-policy.js';
import { SandboxAuthServer, type SandboxClient } from './auth-server.js';
import { bulkExportService } from './bulk-export.js';
import { launcherRouter, openCharts, PRACTITIONERS, STAFF } from './launcher.js';
import { SandboxCdsClient } from './cds-client.js';
import { displayName } from '../fhir/chart-context.js';
import { sharedR4Validator, warmR4Validator } from '../fhir/r4-schema-validator.js';
import type { Logger } from '../infra/logger.js';
import { listening } from '../infra/port-in-use.js';
import type { Core } from '../service/core.js';
import { createSandboxEngine, sandboxFhirEndpoint, type SandboxEngine } from './fhir-endpoint.js';
import { JournaledRepository } from './journaled-repository.js';
import { DurableStore } from './durable-store.js';
import { readSandboxData } from './persistence.js';
import { appRegistration, type ManifestScopes } from './registered-scopes.js';
import { seedSandbox } from './seed.js';

export { SANDBOX_COMPLIANCE_USER } from './launcher.js';
/** The client registered when none is given: NeedleChart as a public app, with the scopes of manifest.json. */
export const DEFAULT_APP_CLIENT_ID = 'needlechart';

async function manifestScopes(): Promise<ManifestScopes> {
  return (JSON.parse(await readFile(fileURLToPath(new URL('../../manifest.json', import.meta.url)), 'utf8')) as { scopes: ManifestScopes }).scopes;
}

export interface SandboxOptions {
  readonly core: Core;
  readonly logger: Logger;
  /**
   * NEEDLECHART_SANDBOX_DATA: keep the data across restarts in this file. Every acknowledged write is
   * on disk before its response (a write log beside the file, see durable-store.ts).
   */
  readonly dataFile?: string;
  /** Seed the synthetic patients when there is no data file (default true). */
  readonly seed?: boolean;
  /** The day the seeded course leads up to (default: today). */
  readonly today?: Date;
  /** Offer FHIR Bulk Data `$export` (default true), as many EHRs do; off, clients page through searches. */
  readonly bulkData?: boolean;
  /**
   * The SMART authorization server and launcher. Absent: the FHIR endpoint is open (for tests of
   * the FHIR layer alone). `appUrl` is NeedleChart's public URL (launch and redirect URIs). Without
   * `clients`, one public client is registered: `needlechart`, redirect `${appUrl}/callback`, the
   * scopes of manifest.json.
   */
  readonly auth?: { readonly appUrl: () => string; readonly clients?: () => readonly SandboxClient[]; readonly tokenLifetimeSeconds?: number };
}

export interface RunningSandbox {
  /** The authorization server, when auth is on (tests create launches with it). */
  readonly auth?: SandboxAuthServer;
  /** The sandbox as a CDS Hooks client (its JWKS at `${origin}/cds-client/jwks.json`), when auth is on. */
  readonly cds?: SandboxCdsClient;
  /** `http://127.0.0.1:<port>/fhir` */
  readonly fhirBaseUrl: string;
  readonly origin: string;
  readonly engine: SandboxEngine;
  /** Requests the FHIR endpoint has answered, by method and path; tests count round trips with it. */
  readonly requestLog: { method: string; path: string }[];
  close(): Promise<void>;
}

export interface Sandbox {
  readonly app: Express;
  readonly engine: SandboxEngine;
  readonly auth?: SandboxAuthServer;
  /** `setting` is what a user changes when the port is taken (named in the error). */
  listen(port: number, host: string, setting?: string): Promise<RunningSandbox>;
}

/**
 * The embedded sandbox EHR: a real FHIR R4 engine (Medplum's router and repository) on loopback,
 * seeded with synthetic patients. Development and test infrastructure, not the product.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const repo = new JournaledRepository();
  let store: DurableStore | undefined;
  const engine = createSandboxEngine(repo, () => store?.commit() ?? Promise.resolve());
  const stored = options.dataFile ? await readSandboxData(options.dataFile) : undefined;
  if (stored) {
    for (const resource of stored) await repo.createResource(resource);
  } else if (options.seed !== false) {
    await seedSandbox(engine, options.core, options.today);
  }
  // Compiled now (shared with the app in this process): the first batch would otherwise take seconds.
  warmR4Validator();
  // Opened after loading or seeding: those are saved once, as the snapshot; each write after is logged before its response.
  if (options.dataFile) store = await DurableStore.open(options.dataFile, repo);

  let origin = '';
  let base = '';
  const requestLog: { method: string; path: string }[] = [];
  const app = express();
  app.disable('x-powered-by');
  const authOptions = options.auth;
  const defaultScopes = authOptions && !authOptions.clients ? appRegistration(await manifestScopes()) : [];
  const auth = authOptions
    ? await SandboxAuthServer.create({
        issuerUrl: () => `${origin}/auth`,
        fhirBaseUrl: () => base,
        clients: authOptions.clients ?? (() => [{ clientId: DEFAULT_APP_CLIENT_ID, redirectUris: [`${authOptions.appUrl()}/callback`], auth: 'none', scopes: defaultScopes }]),
        practitioners: PRACTITIONERS,
        staff: STAFF,
        ...(authOptions.tokenLifetimeSeconds ? { tokenLifetimeSeconds: authOptions.tokenLifetimeSeconds } : {}),
        patientsForPicker: async () => (await openCharts(engine)).map((c) => ({ id: c.patient.id, name: displayName(c.patient.name), encounters: c.encounters.map((e) => ({ id: e.id, label: `Encounter/${e.id} (${e.period?.start?.slice(0, 10) ?? 'open'})` })) })),
      })
    : undefined;
  const cds = auth ? await SandboxCdsClient.create() : undefined;
  app.get('/', (_req, res) => res.redirect(auth ? '/sandbox' : '/fhir/metadata'));
  if (cds) app.get('/cds-client/jwks.json', (_req, res) => res.json({ keys: [cds.publicJwk] }));
  if (auth && authOptions) {
    app.use('/sandbox/assets', express.static(fileURLToPath(new URL('../../public/sandbox/', import.meta.url))));
    app.use('/sandbox', launcherRouter({ engine, auth, fhirBaseUrl: () => base, appUrl: authOptions.appUrl, ...(cds ? { cds, cdsIss: () => origin } : {}) }));
    app.use('/auth', auth.router());
  }
  const authenticate = auth
    ? async (req: Request): Promise<Grant> => {
        const header = req.headers.authorization;
        const refuse = (text: string) => new OperationOutcomeError(401, outcome([{ severity: 'error', code: 'login', diagnostics: text }]));
        if (!header?.startsWith('Bearer ')) throw refuse('A bearer access token from the sandbox authorization server is required');
        try {
          const claims = await auth.verifyAccessToken(header.slice('Bearer '.length));
          return { scope: claims.scope, ...(claims.patient ? { patient: claims.patient } : {}) };
        } catch {
          throw refuse('The access token is not valid (signature, issuer, audience or expiry)');
        }
      }
    : undefined;
  app.use('/fhir', (req, _res, next) => {
    requestLog.push({ method: req.method, path: req.path });
    next();
  });
  const bulkData = options.bulkData !== false;
  const bulk = bulkData ? bulkExportService({ repo: engine.repo, baseUrl: () => base, ...(authenticate ? { authenticate } : {}) }) : undefined;
  if (bulk) app.use('/fhir', bulk.router);
  app.use(
    '/fhir',
    sandboxFhirEndpoint({
      engine,
      validator: sharedR4Validator(),
      baseUrl: () => base,
      software: `NeedleChart sandbox ${options.core.version}`,
      bulkData,
      ...(auth ? { smart: () => ({ authorize: `${origin}/auth/authorize`, token: `${origin}/auth/token`, configuration: auth.smartConfiguration() }), authenticate } : {}),
    }),
  );

  return {
    app,
    engine,
    ...(auth ? { auth } : {}),
    async listen(port, host, setting = 'NEEDLECHART_SANDBOX_PORT') {
      const server = await listening(app.listen(port, host), port, setting);
      const address = server.address() as AddressInfo;
      origin = `http://${host}:${address.port}`;
      base = `${origin}/fhir`;
      return {
        fhirBaseUrl: base,
        origin,
        engine,
        ...(auth ? { auth } : {}),
        ...(cds ? { cds } : {}),
        requestLog,
        close: async () => {
          await bulk?.close();
          await new Promise<void>((done) => server.close(() => done()));
          await store?.close();
        },
      };
    },
  };
}
