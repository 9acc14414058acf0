import express, { type Express } from 'express';
import type { Config } from '../config.js';
import type { Core } from '../service/core.js';
import type { Logger } from './logger.js';
import { requestContext } from './request-context.js';
import { previewRouter } from './routes/preview.js';
import { errorHandler, notFoundHandler } from './send-outcome.js';

export interface AppDeps {
  readonly core: Core;
  readonly logger: Logger;
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

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
