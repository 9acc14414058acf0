import { defaultPreviewWorkers } from './service/preview-pool.js';
import { isIP } from 'node:net';
import { allowlistEntryProblem } from './smart/iss-allowlist.js';
import type { CdsClient } from './cds/cds-auth.js';
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
  readonly clientAuth: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
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
  /** Worker threads answering /api/preview (0: the server's own thread answers); default every core but one. */
  readonly previewWorkers: number;
  /**
   * CDS clients (EHRs) allowed to call the CDS Hooks services: `iss`, JWKS URL, and per client the
   * other JWKS URLs its JWTs may name in `jku` and the FHIR servers it may send as `fhirServer`; the
   * sandbox is added when it runs.
   */
  readonly cdsClients: readonly CdsClient[];
  /**
   * Express's `trust proxy`: which hops in front of NeedleChart may state the client's address in
   * X-Forwarded-For (rate limits key on it). `false`: none (the socket address counts); a number: that
   * many proxies; a list: proxies at these addresses or CIDR ranges. Never `true` (anyone could pick an address).
   */
  readonly trustProxy: false | number | readonly string[];
  /**
   * Who may use the compliance export: fhirUser references (`Practitioner/<id>`, `PractitionerRole/<id>`).
   * Undefined when not set: the sandbox then allows its compliance officer, a real EHR nobody.
   */
  readonly complianceUsers: readonly string[] | undefined;
  /** A PractitionerRole code (system optional) that also grants the compliance export, checked in the EHR with the user's own token. */
  readonly complianceRole: { readonly system?: string; readonly code: string } | undefined;
  /** Compliance exports one user may run at once. */
  readonly exportsPerUser: number;
  /** Compliance exports this instance runs at once (each has a worker thread and its own heap). */
  readonly exportsPerInstance: number;
  /** Where packets are written (made 0700 if missing); default: a private folder made per start under the OS temp folder. */
  readonly exportDir: string | undefined;
  /** How long a finished packet waits for its download before it is deleted, in minutes. */
  readonly exportTtlMinutes: number;
  /**
   * Clean-technique practices the clinic follows at every visit: the charting page pre-checks them on a
   * new visit (the clinician still confirms or unchecks each one). Empty: nothing pre-checked.
   */
  readonly clinicPractices: readonly ClinicPractice[];
  /**
   * With Redis (and a shared NEEDLECHART_EXPORT_DIR): how long a running export's lock lives without
   * renewal, in seconds. An instance that dies mid-export has its job taken up by another after this.
   */
  readonly exportLockSeconds: number;
  /**
   * NeedleChart's own data folder (made 0700): each clinician's favourite muscle sets are kept there,
   * in a 0600 file, when there is no Redis. Undefined: a private folder made per start under the OS
   * temp folder (the sets are lost at restart; a warning says so outside the sandbox).
   */
  readonly dataDir: string | undefined;
  /** A JSON file of the clinic's favourite muscle sets (profiles/favourites.schema.json), checked at start-up and shown read-only before each clinician's own. */
  readonly clinicFavouritesFile: string | undefined;
}

/** The clean-technique practices a clinic may pre-check, as NEEDLECHART_CLINIC_PRACTICES names them. */
export const CLINIC_PRACTICES = ['sterile-single-use-needles', 'sharps-disposed', 'gloves'] as const;
export type ClinicPractice = (typeof CLINIC_PRACTICES)[number];

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

/** An absolute https URL (plain http only on loopback), trailing slash removed; problems name it as `name`. */
function checkedUrl(raw: string, name: string, problems: string[]): string | undefined {
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

function url(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  return raw ? checkedUrl(raw, name, problems) : undefined;
}

function flag(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  problems.push(`${name} must be on or off (got '${env[name]}')`);
  return fallback;
}

const CDS_CLIENTS_FORM = 'NEEDLECHART_CDS_CLIENTS must be a JSON list of {"iss": "...", "jwksUrl": "https://...", "jkuAllowlist": ["https://..."], "fhirServers": ["https://..."]} (the two lists optional)';

/** An optional list of URLs in one CDS client entry. */
function urlList(value: unknown, name: string, problems: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((u) => typeof u === 'string')) {
    problems.push(`${name} must be a list of URLs`);
    return [];
  }
  return value.flatMap((u: string, i) => checkedUrl(u.trim(), `${name}[${i}]`, problems) ?? []);
}

function cdsClients(env: Env, problems: string[]): CdsClient[] {
  if (env.NEEDLECHART_CDS_JKU_ALLOWLIST?.trim()) {
    // A global list let any registered client name any listed jku; each client now has its own.
    problems.push("NEEDLECHART_CDS_JKU_ALLOWLIST is no longer read: list each client's jku URLs under jkuAllowlist in its NEEDLECHART_CDS_CLIENTS entry");
  }
  const raw = env.NEEDLECHART_CDS_CLIENTS?.trim();
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    problems.push(CDS_CLIENTS_FORM);
    return [];
  }
  return parsed.flatMap((entry: unknown, i): CdsClient[] => {
    const name = `NEEDLECHART_CDS_CLIENTS[${i}]`;
    const c = (entry ?? {}) as { iss?: unknown; jwksUrl?: unknown; jkuAllowlist?: unknown; fhirServers?: unknown };
    if (typeof c.iss !== 'string' || !c.iss.trim() || typeof c.jwksUrl !== 'string') {
      problems.push(`${name}: ${CDS_CLIENTS_FORM}`);
      return [];
    }
    const jwksUrl = checkedUrl(c.jwksUrl.trim(), `${name}.jwksUrl`, problems);
    const client = { iss: c.iss.trim(), jwksUrl: jwksUrl ?? '', jkuAllowlist: urlList(c.jkuAllowlist, `${name}.jkuAllowlist`, problems), fhirServers: urlList(c.fhirServers, `${name}.fhirServers`, problems) };
    return jwksUrl ? [client] : [];
  });
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '').split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

const COMPLIANCE_USER = /^(Practitioner|PractitionerRole)\/[A-Za-z0-9\-.]{1,64}$/;

function complianceUsers(env: Env, problems: string[]): string[] | undefined {
  if (!env.NEEDLECHART_COMPLIANCE_USERS?.trim()) return undefined;
  const users = list(env, 'NEEDLECHART_COMPLIANCE_USERS');
  const wrong = users.filter((u) => !COMPLIANCE_USER.test(u));
  if (wrong.length) problems.push(`NEEDLECHART_COMPLIANCE_USERS must list staff as Practitioner/<id> or PractitionerRole/<id> (got '${wrong.join("', '")}')`);
  return users.filter((u) => COMPLIANCE_USER.test(u));
}

/** `system|code` or `code`, as a FHIR token search writes it. */
function roleCode(env: Env, problems: string[]): { system?: string; code: string } | undefined {
  const raw = env.NEEDLECHART_COMPLIANCE_ROLE?.trim();
  if (!raw) return undefined;
  const bar = raw.lastIndexOf('|');
  const system = bar >= 0 ? raw.slice(0, bar) : undefined;
  const code = bar >= 0 ? raw.slice(bar + 1) : raw;
  if (!code || /\s/.test(code) || system === '' || (system !== undefined && /\s/.test(system))) {
    problems.push(`NEEDLECHART_COMPLIANCE_ROLE must be a PractitionerRole code, as code or system|code (got '${raw}')`);
    return undefined;
  }
  return system ? { system, code } : { code };
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

/** Express's names for address ranges, accepted in the trust-proxy list. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function proxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function trustProxy(env: Env, problems: string[]): false | number | string[] {
  const raw = env.NEEDLECHART_TRUST_PROXY?.trim();
  if (!raw || ['false', 'off', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw) && Number(raw) <= 10) return Number(raw);
  const entries = list(env, 'NEEDLECHART_TRUST_PROXY');
  if (entries.every(proxyAddress)) return entries;
  problems.push(`NEEDLECHART_TRUST_PROXY must be false, a number of proxy hops, or a list of proxy addresses or CIDR ranges (got '${raw}'); 'true' is refused: any client could then choose its own address`);
  return false;
}

function timeZone(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!isTimeZone(raw)) problems.push(`${name} must be an IANA time zone such as America/New_York (got '${raw}')`);
  return raw;
}

function clinicPractices(env: Env, problems: string[]): ClinicPractice[] {
  const entries = list(env, 'NEEDLECHART_CLINIC_PRACTICES').map((e) => e.toLowerCase());
  const known = (e: string): e is ClinicPractice => (CLINIC_PRACTICES as readonly string[]).includes(e);
  const wrong = entries.filter((e) => !known(e));
  if (wrong.length) problems.push(`NEEDLECHART_CLINIC_PRACTICES must list only ${CLINIC_PRACTICES.join(', ')} (got '${wrong.join("', '")}')`);
  return [...new Set(entries.filter(known))];
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
    clientAuth: oneOf(env, 'NEEDLECHART_CLIENT_AUTH', ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const, 'none', problems),
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
    previewWorkers: integer(env, 'NEEDLECHART_PREVIEW_WORKERS', defaultPreviewWorkers(), 0, 64, problems),
    cdsClients: cdsClients(env, problems),
    trustProxy: trustProxy(env, problems),
    complianceUsers: complianceUsers(env, problems),
    complianceRole: roleCode(env, problems),
    exportsPerUser: integer(env, 'NEEDLECHART_EXPORTS_PER_USER', 1, 1, 100, problems),
    exportsPerInstance: integer(env, 'NEEDLECHART_EXPORTS_PER_INSTANCE', 2, 1, 1000, problems),
    exportDir: optionalPath(env, 'NEEDLECHART_EXPORT_DIR'),
    exportTtlMinutes: integer(env, 'NEEDLECHART_EXPORT_TTL_MINUTES', 60, 1, 10_080, problems),
    clinicPractices: clinicPractices(env, problems),
    exportLockSeconds: integer(env, 'NEEDLECHART_EXPORT_LOCK_SECONDS', 30, 2, 3600, problems),
    dataDir: optionalPath(env, 'NEEDLECHART_DATA_DIR'),
    clinicFavouritesFile: optionalPath(env, 'NEEDLECHART_CLINIC_FAVOURITES'),
  };
  for (const entry of config.issAllowlist) {
    const problem = allowlistEntryProblem(entry);
    if (problem) problems.push(`NEEDLECHART_ISS_ALLOWLIST: ${problem}`);
  }
  if (!config.sandbox && config.clientId === 'needlechart-sandbox') problems.push('NEEDLECHART_CLIENT_ID must be the client id the EHR assigned to NeedleChart');
  if (!config.sandbox && !config.sessionSecret) problems.push('NEEDLECHART_SESSION_SECRET is required outside the sandbox (32 random bytes, base64)');
  if ((config.clientAuth === 'client_secret_basic' || config.clientAuth === 'client_secret_post') && !config.clientSecret) problems.push(`NEEDLECHART_CLIENT_AUTH=${config.clientAuth} needs NEEDLECHART_CLIENT_SECRET`);
  if (config.clientAuth === 'private_key_jwt' && !config.clientPrivateKeyFile) problems.push('NEEDLECHART_CLIENT_AUTH=private_key_jwt needs NEEDLECHART_CLIENT_PRIVATE_KEY_FILE');
  if (!config.sandbox && !config.fhirBaseUrl) problems.push('NEEDLECHART_SANDBOX is off, so NEEDLECHART_FHIR_BASE_URL must name the EHR\'s FHIR server');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
