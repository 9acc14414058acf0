/**
 * The two servers the core benchmark loads, in a process of their own (the load generator runs in the
 * benchmark's): NeedleChart's app as production builds it (helmet, rate limit with a limit too high to
 * trip, body parser, request ids, one JSON log line per request written to stdout), and the control, a
 * bare express app whose one endpoint parses the same JSON body and answers a small JSON object.
 * Sends `{ needlechart, control }` (ports) to the parent over IPC and serves until killed.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { readConfig } from '../../src/config.js';
import { createApp } from '../../src/http/create-app.js';
import { createJsonLogger } from '../../src/infra/logger.js';
import { createCore } from '../../src/service/core.js';

const listen = (app: express.Express): Promise<number> =>
  new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const core = await createCore();
const needlechart = createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '100000000' }), { core, logger: createJsonLogger() });

const control = express();
control.post('/json', express.json({ limit: '1mb' }), (req, res) => {
  res.json({ ok: true, fields: Object.keys((req.body ?? {}) as object).length });
});

const ports = { needlechart: await listen(needlechart), control: await listen(control) };
process.send?.(ports);
