import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import type { BackendCredentials } from '../export/backend-gateway.js';
import { exportsRouter } from './routes/exports.js';
import type { CdsClient } from '../cds/cds-auth.js';
import { cdsRouter } from './routes/cds.js';
import { rulesRouter } from './routes/rules.js';
import { bodyMapRouter } from './routes/body-map.js';
import type { Core } from '../service/core.js';
import type { SealedJson } from '../smart/sealed-json.js';
import type { SessionStore } from '../smart/session-store.js';
import type { SmartClient } from '../smart/smart-client.js';
import { browserSession } from './browser-session.js';
import type { Logger } from '../infra/logger.js';
import { requestContext } from './request-context.js';
import { limit, sameOriginWrites } from './security.js';
import { catalogRouter } from './routes/catalog.js';
import { chartRouter } from './routes/chart.js';
import { launchRouter } from './routes/launch.js';
import { previewRouter } from './routes/preview.js';
import { errorHandler, notFoundHandler } from './send-outcome.js';

export interface AppDeps {
  readonly core: Core;
  readonly logger: Logger;
  /** The SMART client; without it there is no launch and no chart API (preview still works). */
  readonly smart?: { readonly client: SmartClient; readonly store: SessionStore; readonly sealer: SealedJson };
  /** Origins allowed to frame the app (CSP frame-ancestors), the configured ones plus the sandbox's. */
  readonly frameAncestors?: readonly string[];
  /** Where `/` sends a person: the sandbox launcher when the sandbox runs. */
  readonly homeRedirect?: string;
  /** CDS Hooks: the clients allowed to call, and where jti values are remembered. */
  readonly cds?: { readonly clients: () => readonly CdsClient[]; readonly store: SessionStore; readonly appUrl: () => string };
  /** The compliance export: the EHR it reads (also where a staff sign-in goes), and the Backend Services client it reads as. */
  readonly exports?: { readonly fhirBaseUrl: string; readonly backend: BackendCredentials; readonly backendClientId: string };
}

const PUBLIC = fileURLToPath(new URL('../../public/app/', import.meta.url));

/** Builds the express app; it does not listen (src/server.ts does), so tests start it on port 0. */
export function createApp(config: Config, deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
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
      strictTransportSecurity: false,
    }),
  );
  app.use(sameOriginWrites(config.publicUrl));
  app.use(['/api', '/compliance'], limit(config.apiRateLimitPerMinute));
  app.use(['/launch', '/callback'], limit(Math.max(10, Math.floor(config.apiRateLimitPerMinute / 10))));
  app.use(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/fhir+json'], strict: false }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.core.version });
  });
  app.use('/assets', express.static(PUBLIC, { index: false, maxAge: '1h' }));
  app.get('/', (_req, res) => {
    if (deps.homeRedirect) res.redirect(deps.homeRedirect);
    else res.type('text').send(`NeedleChart ${deps.core.version}: launch it from your EHR (SMART launch URL: /launch).`);
  });
  app.use(previewRouter(deps.core));
  app.use(rulesRouter(deps.core));
  if (deps.cds) {
    app.use(cdsRouter({ core: deps.core, logger: deps.logger, store: deps.cds.store, appUrl: deps.cds.appUrl, clients: deps.cds.clients, jkuAllowlist: () => config.cdsJkuAllowlist }));
  }
  app.use(catalogRouter(deps.core));
  app.use(bodyMapRouter(deps.core));
  if (deps.smart) {
    app.use(['/launch', '/callback', '/api/context', '/api/sessions', '/api/draft', '/compliance', '/api/exports'], browserSession());
    app.use(launchRouter(deps.smart.client, deps.logger));
    app.get('/app', (_req, res) => {
      res.sendFile('index.html', { root: PUBLIC, headers: { 'Cache-Control': 'no-store' } });
    });
    const exports = deps.exports;
    if (exports) {
      app.get('/compliance', (req, res) => {
        if (typeof req.query.launch !== 'string') {
          res.redirect(302, `/launch?iss=${encodeURIComponent(exports.fhirBaseUrl)}&intent=compliance`);
          return;
        }
        res.sendFile('compliance.html', { root: PUBLIC, headers: { 'Cache-Control': 'no-store' } });
      });
      app.use(exportsRouter({ core: deps.core, coreOptions: { payersDir: config.payersDir, templatesDir: config.templatesDir, timeZone: config.clinicTimeZone }, smart: deps.smart.client, logger: deps.logger, fhirBaseUrl: exports.fhirBaseUrl, backend: exports.backend, backendClientId: exports.backendClientId, fhirTimeoutMs: config.fhirTimeoutMs }));
    }
    app.use(chartRouter({ core: deps.core, smart: deps.smart.client, store: deps.smart.store, sealer: deps.smart.sealer, logger: deps.logger, fhirTimeoutMs: config.fhirTimeoutMs }));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
