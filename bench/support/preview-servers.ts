/**
 * The two servers the core benchmark loads, in a process of their own (the load generator runs in the
 * benchmark's): NeedleChart's app as production builds it (helmet, rate limit with a limit too high to
 * trip, body parser, request ids, one JSON log line per request written to stdout), and the control, a
 * bare express app whose one endpoint parses the same JSON body and answers a small JSON object.
 * NeedleChart is served twice: as `npm start` runs it on this machine (previews answered by its pool
 * of worker threads, NEEDLECHART_PREVIEW_WORKERS, default every core but one), and with the pool off
 * (every preview answered on the server's own thread). Sends `{ needlechart, inThread, control }`
 * (ports) to the parent over IPC and serves until killed.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { readConfig } from '../../src/config.js';
import { createApp } from '../../src/http/create-app.js';
import { createJsonLogger } from '../../src/infra/logger.js';
import { createCore } from '../../src/service/core.js';
import { PreviewPool } from '../../src/service/preview-pool.js';

const listen = (app: express.Express): Promise<number> =>
  new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const core = await createCore();
const config = readConfig({ NEEDLECHART_API_RATE_LIMIT: '100000000' });
const pool = config.previewWorkers > 0 ? new PreviewPool({ size: config.previewWorkers, core: {} }) : undefined;
await pool?.ready();
const needlechart = createApp(config, { core, logger: createJsonLogger(), ...(pool ? { previewPool: pool } : {}) });
const inThread = createApp(config, { core, logger: createJsonLogger() });

const control = express();
control.post('/json', express.json({ limit: '1mb' }), (req, res) => {
  res.json({ ok: true, fields: Object.keys((req.body ?? {}) as object).length });
});

const ports = { needlechart: await listen(needlechart), inThread: await listen(inThread), control: await listen(control), previewWorkers: pool?.size ?? 0 };
process.send?.(ports);
