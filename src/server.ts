import { ConfigError, readConfig } from './config.js';
import { createJsonLogger } from './infra/logger.js';
import { PortInUseError } from './infra/port-in-use.js';
import { RedisUnreachableError } from './infra/redis-ready.js';
import { ProfileLoadError } from './profiles/load-profiles.js';
import { startNeedleChart } from './runtime.js';

/**
 * `npm start`: config and profiles are checked first (a bad file stops start-up with a clear list),
 * then the embedded sandbox EHR unless an EHR is configured, then the app.
 */
async function main(): Promise<void> {
  const logger = createJsonLogger();
  const config = readConfig();
  const running = await startNeedleChart(config, { logger });
  console.log(`NeedleChart ${running.core.version} listening on ${running.appUrl}`);
  if (running.sandbox) {
    console.log(`Sandbox EHR (FHIR R4, seeded): ${running.sandbox.fhirBaseUrl}${config.sandboxDataFile ? ` — data kept in ${config.sandboxDataFile}` : ''}`);
    console.log(`Open the sandbox launcher and click "Launch NeedleChart": ${running.sandbox.origin}/sandbox`);
  } else {
    console.log(`EHR FHIR server: ${config.fhirBaseUrl ?? 'none'}`);
  }
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ProfileLoadError || error instanceof PortInUseError || error instanceof RedisUnreachableError) console.error(error.message);
  else console.error('NeedleChart failed to start:', error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
