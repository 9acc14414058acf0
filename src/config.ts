/**
 * Configuration, read from the environment once at start-up into a frozen object and validated with
 * every problem listed (STYLE.md convention 8). Passed into createApp; never read as a global.
 */
export interface Config {
  /** Port the app listens on; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind; loopback by default. */
  readonly host: string;
  /** A clinic's own payer policy files (*.json), added to ours; a file replaces ours when the id matches. */
  readonly payersDir: string | undefined;
  /** A clinic's template overrides: files named like ours under templates/ replace them. */
  readonly templatesDir: string | undefined;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  /** The EHR's FHIR base URL; undefined means the embedded sandbox. */
  readonly fhirBaseUrl: string | undefined;
  /** Run the embedded sandbox EHR (default: on when no FHIR base URL is set). */
  readonly sandbox: boolean;
  /** Port of the sandbox EHR; 0 picks a free one. */
  readonly sandboxPort: number;
  /** Keep the sandbox's data in this file across restarts. */
  readonly sandboxDataFile: string | undefined;
  /** Timeout of one request to the FHIR server, in milliseconds. */
  readonly fhirTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`NeedleChart configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
    return fallback;
  }
  return value;
}

function url(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname))) {
      problems.push(`${name} must use https (plain http only on loopback) (got '${raw}')`);
    }
    return raw.replace(/\/$/, '');
  } catch {
    problems.push(`${name} must be an absolute URL (got '${raw}')`);
    return undefined;
  }
}

function flag(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  problems.push(`${name} must be on or off (got '${env[name]}')`);
  return fallback;
}

function optionalPath(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

export function readConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const config: Config = {
    port: integer(env, 'PORT', 3000, 0, 65535, problems),
    host: env.HOST?.trim() || '127.0.0.1',
    payersDir: optionalPath(env, 'NEEDLECHART_PAYERS_DIR'),
    templatesDir: optionalPath(env, 'NEEDLECHART_TEMPLATES_DIR'),
    bodyLimitBytes: integer(env, 'NEEDLECHART_BODY_LIMIT_BYTES', 262_144, 1024, 10_485_760, problems),
    fhirBaseUrl: url(env, 'NEEDLECHART_FHIR_BASE_URL', problems),
    sandbox: flag(env, 'NEEDLECHART_SANDBOX', !env.NEEDLECHART_FHIR_BASE_URL?.trim(), problems),
    sandboxPort: integer(env, 'NEEDLECHART_SANDBOX_PORT', 8090, 0, 65535, problems),
    sandboxDataFile: optionalPath(env, 'NEEDLECHART_SANDBOX_DATA'),
    fhirTimeoutMs: integer(env, 'NEEDLECHART_FHIR_TIMEOUT_MS', 10_000, 100, 120_000, problems),
  };
  if (!config.sandbox && !config.fhirBaseUrl) problems.push('NEEDLECHART_SANDBOX is off, so NEEDLECHART_FHIR_BASE_URL must name the EHR\'s FHIR server');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
