import express, { type Express } from 'express';
import type { Config } from '../config.js';
import type { FhirGateway } from '../fhir/client.js';
import type { Core } from '../service/core.js';
import { chartRouter } from './routes/chart.js';
import type { Logger } from './logger.js';
import { requestContext } from './request-context.js';
import { previewRouter } from './routes/preview.js';
import { errorHandler, notFoundHandler } from './send-outcome.js';

export interface AppDeps {
  readonly core: Core;
  readonly logger: Logger;
  /** The EHR's FHIR server; without it the chart routes answer 503. */
  readonly fhir?: { readonly gateway: FhirGateway; readonly sandbox: boolean };
}

/** Builds the express app; it does not listen (src/server.ts does), so tests start it on port 0. */
export function createApp(config: Config, deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestContext(deps.logger));
  app.use(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/fhir+json'], strict: false }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.core.version });
  });
  app.use(previewRouter(deps.core));
  if (deps.fhir) app.use(chartRouter({ core: deps.core, gateway: deps.fhir.gateway, sandbox: deps.fhir.sandbox }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
