import type { AddressInfo } from 'node:net';
import { ConfigError, readConfig } from './config.js';
import { createApp } from './http/create-app.js';
import { createJsonLogger } from './http/logger.js';
import { ProfileLoadError } from './profiles/load-profiles.js';
import { createCore } from './service/core.js';

/** Starts NeedleChart: config and profiles are checked first, so a bad file stops start-up with a clear list. */
async function main(): Promise<void> {
  const logger = createJsonLogger();
  const config = readConfig();
  const core = await createCore({ payersDir: config.payersDir, templatesDir: config.templatesDir });
  const app = createApp(config, { core, logger });
  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(`NeedleChart ${core.version} listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`);
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ProfileLoadError) console.error(error.message);
  else console.error('NeedleChart failed to start:', error instanceof Error ? error.name : error);
  process.exit(1);
});
