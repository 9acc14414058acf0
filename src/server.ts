import type { AddressInfo } from 'node:net';
import { ConfigError, readConfig } from './config.js';
import { FhirGateway } from './fhir/client.js';
import { sharedR4Validator } from './fhir/r4-schema-validator.js';
import { createApp } from './http/create-app.js';
import { createJsonLogger } from './http/logger.js';
import { ProfileLoadError } from './profiles/load-profiles.js';
import { createSandbox, type RunningSandbox } from './sandbox/sandbox-server.js';
import { createCore } from './service/core.js';

/**
 * Starts NeedleChart: config and profiles are checked first (a bad file stops start-up with a clear
 * list), then the embedded sandbox EHR unless an EHR is configured, then the app.
 */
async function main(): Promise<void> {
  const logger = createJsonLogger();
  const config = readConfig();
  const core = await createCore({ payersDir: config.payersDir, templatesDir: config.templatesDir });
  let sandbox: RunningSandbox | undefined;
  if (config.sandbox) {
    sandbox = await (await createSandbox({ core, logger, ...(config.sandboxDataFile ? { dataFile: config.sandboxDataFile } : {}) })).listen(config.sandboxPort, config.host);
  }
  const fhirBaseUrl = config.fhirBaseUrl ?? sandbox?.fhirBaseUrl;
  const gateway = fhirBaseUrl ? new FhirGateway({ baseUrl: fhirBaseUrl, logger, timeoutMs: config.fhirTimeoutMs }) : undefined;
  const app = createApp(config, { core, logger, ...(gateway ? { fhir: { gateway, sandbox: !config.fhirBaseUrl } } : {}) });
  // Compile the R4 schema validators now, not on the first save.
  sharedR4Validator().validate({ resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/x' } });
  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
    console.log(`NeedleChart ${core.version} listening on http://${host}:${port}`);
    if (sandbox) console.log(`Sandbox EHR (FHIR R4, seeded) at ${sandbox.fhirBaseUrl}${config.sandboxDataFile ? ` — data kept in ${config.sandboxDataFile}` : ''}`);
    else console.log(`FHIR server: ${fhirBaseUrl ?? 'none'}`);
  });
  const stop = (): void => {
    server.close(() => {
      void (sandbox?.close() ?? Promise.resolve()).then(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ProfileLoadError) console.error(error.message);
  else console.error('NeedleChart failed to start:', error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
