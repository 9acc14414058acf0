import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import type { CompliancePolicy } from '../export/compliance-access.js';
import type { ExportJobBoard } from '../export/export-job-board.js';
import { compliancePageRouter } from './routes/compliance-page.js';
import { sourcesRouter } from './routes/sources.js';
import { complianceSearchRouter } from './routes/compliance-search.js';
import { exportsRouter } from './routes/exports.js';
import type { ExportFilters } from '../export/export-filters.js';
import type { ExportPreview } from '../export/export-preview.js';
import type { CdsClient } from '../cds/cds-auth.js';
import { cdsRouter } from './routes/cds.js';
import { rulesRouter } from './routes/rules.js';
import { bodyMapRouter } from './routes/body-map.js';
import type { Core } from '../service/core.js';
import type { SealedJson } from '../smart/sealed-json.js';
import type { SessionRegistry } from '../smart/session-registry.js';
import type { SessionStore } from '../smart/session-store.js';
import type { SmartClient } from '../smart/smart-client.js';
import type { StoreKeys } from '../smart/store-keys.js';
import { BrowserSessions, knownSession } from './browser-session.js';
import type { Logger } from '../infra/logger.js';
import { labelRoute, requestContext } from './request-context.js';
import { noStore } from './no-store.js';
import { signOutRouter } from './routes/sign-out.js';
import { limit, sameOriginWrites, untrustedProxyWarning } from './security.js';
import { catalogRouter } from './routes/catalog.js';
import { chartRouter, type ChartDeps } from './routes/chart.js';
import { launchRouter } from './routes/launch.js';
import { previewRouter } from './routes/preview.js';
import type { PreviewPool } from '../service/preview-pool.js';
import { errorHandler, notFoundHandler } from './send-outcome.js';

export interface AppDeps {
  readonly core: Core;
  readonly logger: Logger;
  /** The SMART client; without it there is no launch and no chart API (preview still works). */
  readonly smart?: { readonly client: SmartClient; readonly store: SessionStore; readonly sealer: SealedJson; readonly keys: StoreKeys; readonly sessions: SessionRegistry };
  /** Origins allowed to frame the app (CSP frame-ancestors), the configured ones plus the sandbox's. */
  readonly frameAncestors?: readonly string[];
  /** Where `/` sends a person: the sandbox launcher when the sandbox runs. */
  readonly homeRedirect?: string;
  /** CDS Hooks: the clients allowed to call, and where jti values are remembered. */
  readonly cds?: { readonly clients: () => readonly CdsClient[]; readonly store: SessionStore; readonly keys: StoreKeys; readonly appUrl: () => string };
  /**
   * The compliance export: the EHR it reads (also where a staff sign-in goes), the Backend Services
   * client it reads as, who may use it, and this instance's jobs (private folders, limits, lifetimes).
   */
  /** `preview` counts what an export will hold before it starts (export-preview.ts), read as the export reads. */
  readonly exports?: { readonly fhirBaseUrl: string; readonly policy: CompliancePolicy; readonly jobs: ExportJobBoard; readonly preview?: (filters: ExportFilters) => Promise<ExportPreview> };
  /** Worker threads answering /api/preview (NEEDLECHART_PREVIEW_WORKERS); without them, the request's own thread answers. */
  readonly previewPool?: PreviewPool;
  /** Favourite muscle sets: each clinician's store and the clinic's own sets. */
  readonly favourites?: ChartDeps['favourites'];
}

const PUBLIC = fileURLToPath(new URL('../../public/app/', import.meta.url));
/** The pages' scripts, bundled from src/web/ by the build (scripts/ensure-build.mjs) into dist/web/. */
const WEB = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Builds the express app; it does not listen (src/server.ts does), so tests start it on port 0. */
export function createApp(config: Config, deps: AppDeps): Express {
  const app = express();
  const https = config.publicUrl?.startsWith('https:') === true;
  const smart = deps.smart;
  const sessions = smart ? new BrowserSessions(smart.sessions, config.publicUrl) : undefined;
  app.disable('x-powered-by');
  // Which proxies may state the client's address (X-Forwarded-For): none unless configured.
  app.set('trust proxy', config.trustProxy === false || typeof config.trustProxy === 'number' ? config.trustProxy : [...config.trustProxy]);
  app.use(requestContext(deps.logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'self'", ...(deps.frameAncestors ?? [])],
        },
      },
      // frame-ancestors governs framing; X-Frame-Options would forbid every EHR frame.
      frameguard: false,
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
      // Behind https only: a loopback http origin must stay reachable over http.
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }),
  );
  // Patient data is never cached: the API, the pages and the launch steps say no-store (the catalog and body map opt out).
  app.use(['/api', '/app', '/compliance', '/launch', '/callback', '/cds-services'], noStore());
  app.use(sameOriginWrites(config.publicUrl));
  app.use(untrustedProxyWarning(deps.logger));
  if (sessions) app.use(['/api', '/compliance'], sessions.recognise());
  // A signed-in browser session has a budget of its own (per address); anything else shares its address's.
  app.use(['/api', '/compliance'], limit(config.apiRateLimitPerMinute, (_req, res) => {
    const session = knownSession(res);
    return session?.signedIn && smart ? smart.keys.rateLimitTag(session.sid) : undefined;
  }));
  app.use(['/launch', '/callback'], limit(Math.max(10, Math.floor(config.apiRateLimitPerMinute / 10))));
  // The preview reads its JSON itself, in a preview worker when there is one (routes/preview.ts): here it is only read as text.
  app.post('/api/preview', express.text({ limit: config.bodyLimitBytes, type: ['application/json', 'application/fhir+json'], defaultCharset: 'utf-8' }));
  app.use(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/fhir+json'], strict: false }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.core.version });
  });
  app.use('/assets', labelRoute('/assets/*'), express.static(PUBLIC, { index: false, maxAge: '1h' }), express.static(WEB, { index: false, maxAge: '1h' }));
  app.get('/', (_req, res) => {
    if (deps.homeRedirect) res.redirect(deps.homeRedirect);
    else res.type('text').send(`NeedleChart ${deps.core.version}: launch it from your EHR (SMART launch URL: /launch).`);
  });
  app.use(previewRouter(deps.core, deps.previewPool));
  app.use(rulesRouter(deps.core));
  if (deps.cds) {
    app.use(cdsRouter({ core: deps.core, logger: deps.logger, store: deps.cds.store, keys: deps.cds.keys, appUrl: deps.cds.appUrl, clients: deps.cds.clients }));
  }
  app.use(catalogRouter(deps.core));
  app.use(sourcesRouter(deps.core));
  app.use(bodyMapRouter(deps.core));
  if (smart && sessions) {
    app.use(signOutRouter(sessions, deps.logger));
    app.use(['/launch', '/callback', '/api/context', '/api/sessions', '/api/visits', '/api/draft', '/api/favourites', '/compliance', '/api/exports', '/api/compliance'], sessions.ensure());
    app.use(launchRouter(smart.client, deps.logger));
    app.get('/app', (_req, res) => {
      res.sendFile('index.html', { root: PUBLIC });
    });
    const exports = deps.exports;
    if (exports) {
      app.use('/compliance', compliancePageRouter({ smart: deps.smart.client, logger: deps.logger, fhirTimeoutMs: config.fhirTimeoutMs, fhirBaseUrl: exports.fhirBaseUrl, policy: exports.policy }));
      app.use(complianceSearchRouter({ smart: deps.smart.client, sealer: deps.smart.sealer, logger: deps.logger, fhirTimeoutMs: config.fhirTimeoutMs, policy: exports.policy }));
      app.use(exportsRouter({ core: deps.core, smart: deps.smart.client, sealer: deps.smart.sealer, logger: deps.logger, fhirTimeoutMs: config.fhirTimeoutMs, policy: exports.policy, jobs: exports.jobs, ...(exports.preview ? { preview: exports.preview } : {}) }));
    }
    app.use(chartRouter({ core: deps.core, smart: smart.client, store: smart.store, sealer: smart.sealer, keys: smart.keys, sessions: smart.sessions, logger: deps.logger, fhirTimeoutMs: config.fhirTimeoutMs, clinicPractices: config.clinicPractices, ...(deps.favourites ? { favourites: deps.favourites } : {}) }));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
