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
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
