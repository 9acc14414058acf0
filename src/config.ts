import { isTimeZone } from './domain/human-dates.js';

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
  /** The clinic's IANA time zone for dates and times people read (notes, packets); undefined: each visit's own offset. */
  readonly clinicTimeZone: string | undefined;
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
  /** NeedleChart's public base URL (launch and redirect URIs); default http://HOST:PORT. */
  readonly publicUrl: string | undefined;
  /** FHIR servers allowed to launch NeedleChart (`iss`); the sandbox's base is added when it runs. */
  readonly issAllowlist: readonly string[];
  readonly clientId: string;
  readonly clientAuth: 'none' | 'client_secret_basic' | 'private_key_jwt';
  readonly clientSecret: string | undefined;
  /** PEM file of the private key for private_key_jwt (RS384 or ES384). */
  readonly clientPrivateKeyFile: string | undefined;
  readonly clientKeyId: string | undefined;
  /** Secret (base64, 32 bytes) that encrypts tokens at rest; generated per start in sandbox mode when absent. */
  readonly sessionSecret: string | undefined;
  /** Redis URL for the launch-session store shared by several instances; in memory when absent. */
  readonly redisUrl: string | undefined;
  /** Origins allowed to frame NeedleChart (CSP frame-ancestors); the sandbox's are added when it runs. */
  readonly frameAncestors: readonly string[];
  /** SMART Backend Services client for the compliance export (a generated key is registered with the sandbox). */
  readonly backendClientId: string | undefined;
  readonly backendKeyFile: string | undefined;
  readonly backendKeyId: string | undefined;
  /** Requests per minute per client on the API; launches get a tenth of it. */
  readonly apiRateLimitPerMinute: number;
  /** CDS clients (EHRs) allowed to call the CDS Hooks services: `iss` and JWKS URL; the sandbox is added when it runs. */
  readonly cdsClients: readonly { readonly iss: string; readonly jwksUrl: string }[];
  /** `jku` values a CDS client JWT may name. */
  readonly cdsJkuAllowlist: readonly string[];
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

function cdsClients(env: Env, problems: string[]): { iss: string; jwksUrl: string }[] {
  const raw = env.NEEDLECHART_CDS_CLIENTS?.trim();
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (Array.isArray(parsed) && parsed.every((c) => typeof c?.iss === 'string' && typeof c?.jwksUrl === 'string')) return parsed as { iss: string; jwksUrl: string }[];
  } catch {
    /* reported below */
  }
  problems.push('NEEDLECHART_CDS_CLIENTS must be a JSON list of {"iss": "...", "jwksUrl": "https://..."}');
  return [];
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '').split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T, problems: string[]): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name} must be one of ${values.join(', ')} (got '${raw}')`);
  return fallback;
}

function secret(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (Buffer.from(raw, 'base64').length < 32) problems.push(`${name} must be at least 32 random bytes, base64-encoded`);
  return raw;
}

function timeZone(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!isTimeZone(raw)) problems.push(`${name} must be an IANA time zone such as America/New_York (got '${raw}')`);
  return raw;
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
    clinicTimeZone: timeZone(env, 'NEEDLECHART_CLINIC_TIME_ZONE', problems),
    bodyLimitBytes: integer(env, 'NEEDLECHART_BODY_LIMIT_BYTES', 262_144, 1024, 10_485_760, problems),
    fhirBaseUrl: url(env, 'NEEDLECHART_FHIR_BASE_URL', problems),
    sandbox: flag(env, 'NEEDLECHART_SANDBOX', !env.NEEDLECHART_FHIR_BASE_URL?.trim(), problems),
    sandboxPort: integer(env, 'NEEDLECHART_SANDBOX_PORT', 8090, 0, 65535, problems),
    sandboxDataFile: optionalPath(env, 'NEEDLECHART_SANDBOX_DATA'),
    fhirTimeoutMs: integer(env, 'NEEDLECHART_FHIR_TIMEOUT_MS', 10_000, 100, 120_000, problems),
    publicUrl: url(env, 'NEEDLECHART_PUBLIC_URL', problems),
    issAllowlist: list(env, 'NEEDLECHART_ISS_ALLOWLIST').map((u) => u.replace(/\/$/, '')),
    clientId: env.NEEDLECHART_CLIENT_ID?.trim() || 'needlechart-sandbox',
    clientAuth: oneOf(env, 'NEEDLECHART_CLIENT_AUTH', ['none', 'client_secret_basic', 'private_key_jwt'] as const, 'none', problems),
    clientSecret: env.NEEDLECHART_CLIENT_SECRET?.trim() || undefined,
    clientPrivateKeyFile: optionalPath(env, 'NEEDLECHART_CLIENT_PRIVATE_KEY_FILE'),
    clientKeyId: env.NEEDLECHART_CLIENT_KEY_ID?.trim() || undefined,
    sessionSecret: secret(env, 'NEEDLECHART_SESSION_SECRET', problems),
    redisUrl: env.NEEDLECHART_REDIS_URL?.trim() || undefined,
    frameAncestors: list(env, 'NEEDLECHART_FRAME_ANCESTORS'),
    backendClientId: env.NEEDLECHART_BACKEND_CLIENT_ID?.trim() || undefined,
    backendKeyFile: optionalPath(env, 'NEEDLECHART_BACKEND_KEY_FILE'),
    backendKeyId: env.NEEDLECHART_BACKEND_KEY_ID?.trim() || undefined,
    apiRateLimitPerMinute: integer(env, 'NEEDLECHART_API_RATE_LIMIT', 1200, 10, 100_000_000, problems),
    cdsClients: cdsClients(env, problems),
    cdsJkuAllowlist: list(env, 'NEEDLECHART_CDS_JKU_ALLOWLIST'),
  };
  if (!config.sandbox && config.clientId === 'needlechart-sandbox') problems.push('NEEDLECHART_CLIENT_ID must be the client id the EHR assigned to NeedleChart');
  if (!config.sandbox && !config.sessionSecret) problems.push('NEEDLECHART_SESSION_SECRET is required outside the sandbox (32 random bytes, base64)');
  if (config.clientAuth === 'client_secret_basic' && !config.clientSecret) problems.push('NEEDLECHART_CLIENT_AUTH=client_secret_basic needs NEEDLECHART_CLIENT_SECRET');
  if (config.clientAuth === 'private_key_jwt' && !config.clientPrivateKeyFile) problems.push('NEEDLECHART_CLIENT_AUTH=private_key_jwt needs NEEDLECHART_CLIENT_PRIVATE_KEY_FILE');
  if (!config.sandbox && !config.fhirBaseUrl) problems.push('NEEDLECHART_SANDBOX is off, so NEEDLECHART_FHIR_BASE_URL must name the EHR\'s FHIR server');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
