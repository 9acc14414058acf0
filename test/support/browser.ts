import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.NEEDLECHART_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's chromium driven by playwright-core (never a downloaded browser). .ci/run installs it with
 * apt-get; locally: `apt-get install -y chromium`.
 */
export async function launchChromium(): Promise<Browser> {
  // The pages' scripts are bundled from src/web/ by the build: make sure the bundle matches the sources.
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/ensure-build.mjs', import.meta.url)), '--quiet'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`The build failed: ${build.stderr}`);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
