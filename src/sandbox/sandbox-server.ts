import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { createR4SchemaValidator } from '../fhir/r4-schema-validator.js';
import type { Logger } from '../http/logger.js';
import type { Core } from '../service/core.js';
import { createSandboxEngine, sandboxFhirEndpoint, type SandboxEngine } from './fhir-endpoint.js';
import { JournaledRepository } from './journaled-repository.js';
import { debouncedSaver, readSandboxData, writeSandboxData } from './persistence.js';
import { seedSandbox } from './seed.js';

export interface SandboxOptions {
  readonly core: Core;
  readonly logger: Logger;
  /** NEEDLECHART_SANDBOX_DATA: keep the data across restarts in this file. */
  readonly dataFile?: string;
  /** Seed the synthetic patients when there is no data file (default true). */
  readonly seed?: boolean;
  /** The day the seeded course leads up to (default: today). */
  readonly today?: Date;
}

export interface RunningSandbox {
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
  listen(port: number, host: string): Promise<RunningSandbox>;
}

/**
 * The embedded sandbox EHR: a real FHIR R4 engine (Medplum's router and repository) on loopback,
 * seeded with synthetic patients. Development and test infrastructure, not the product.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const repo = new JournaledRepository();
  const engine = createSandboxEngine(repo);
  const stored = options.dataFile ? await readSandboxData(options.dataFile) : undefined;
  if (stored) {
    for (const resource of stored) await repo.createResource(resource);
  } else if (options.seed !== false) {
    await seedSandbox(engine, options.core, options.today);
  }
  const saver = options.dataFile ? debouncedSaver(() => writeSandboxData(options.dataFile ?? '', repo.snapshot())) : undefined;
  if (saver && !stored) await saver.flush().then(() => writeSandboxData(options.dataFile ?? '', repo.snapshot()));

  let base = '';
  const requestLog: { method: string; path: string }[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => res.redirect('/fhir/metadata'));
  app.use('/fhir', (req, _res, next) => {
    requestLog.push({ method: req.method, path: req.path });
    next();
  });
  app.use(
    '/fhir',
    sandboxFhirEndpoint({ engine, validator: createR4SchemaValidator(), baseUrl: () => base, software: `NeedleChart sandbox ${options.core.version}`, onWrite: () => saver?.schedule() }),
  );

  return {
    app,
    engine,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const server: Server = app.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          const origin = `http://${host}:${address.port}`;
          base = `${origin}/fhir`;
          resolve({
            fhirBaseUrl: base,
            origin,
            engine,
            requestLog,
            close: async () => {
              await saver?.flush();
              await new Promise<void>((done) => server.close(() => done()));
            },
          });
        });
        server.on('error', reject);
      });
    },
  };
}
