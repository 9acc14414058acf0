import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { OperationOutcomeError } from './outcome/operation-outcome-error.js';
import { ProfileLoadError } from './profiles/load-profiles.js';
import { createCore, type Core, type CoreOptions } from './service/core.js';
import { analyseSession, visitTransactionFor } from './service/preview-session.js';
import { silentLogger } from './infra/logger.js';
import { exportCommand, progressLine } from './export/export-cli.js';
import { parseExportFilters } from './export/export-filters.js';
import { invalid } from './outcome/operation-outcome-error.js';

/** Exit statuses: 0 success, 2 invalid input (every error on stderr), 1 anything else. */
export const EXIT = { ok: 0, failure: 1, invalid: 2 } as const;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks a long-running command (sandbox) to stop. */
  readonly stopped?: () => Promise<void>;
  /** stderr is a terminal: progress is a bar rewritten in place. */
  readonly isTty?: boolean;
}

const USAGE = `Usage: needlechart <command> [FILE.json] [options]

Commands:
  codes FILE.json                       suggested codes and warnings, as JSON {codes, warnings}
  check FILE.json                       documentation readiness, as JSON {score, findings}
  note FILE.json [--format html|text]   the treatment note (default html)
  review FILE.json [--format html|text] the payer-review summary (default text)
  bundle FILE.json --patient Patient/<id> --encounter Encounter/<id>
                                        the FHIR transaction Bundle a save would send
  sandbox [--port N] [--data FILE] [--app-url URL] [--open]
                                        run the seeded sandbox EHR alone; prints its FHIR base URL.
                                        Its FHIR API needs a token from its SMART authorization server:
                                        launch NeedleChart (at --app-url, default http://127.0.0.1:3000)
                                        from the launcher URL it prints. --open serves the FHIR API
                                        without tokens (anyone who can reach the port can change it)
  export --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--patient Patient/<id>] [--payer ID] [--code 20560|20561]
         [--performer Practitioner/<id>] [--zip] [--no-pdf] [--requested-by NAME] [--fhir URL]
         [--requester NAME] [--request-reference REF] [--include-drafts]
         [--read auto|bulk|search]
                                        audit-ready record packet (without --fhir: from a seeded sandbox)

FILE.json may be - to read standard input.
Exit status: 0 success, 2 invalid input (errors with field paths on stderr), 1 other failure.
Environment: NEEDLECHART_PAYERS_DIR, NEEDLECHART_TEMPLATES_DIR, NEEDLECHART_CLINIC_TIME_ZONE (see README).`;

class UsageError extends Error {}

/** What the CLI takes from the environment, as the server does through src/config.ts. */
function coreOptionsFrom(env: CliIo['env']): CoreOptions {
  return { payersDir: env.NEEDLECHART_PAYERS_DIR, templatesDir: env.NEEDLECHART_TEMPLATES_DIR, timeZone: env.NEEDLECHART_CLINIC_TIME_ZONE };
}

async function readInput(file: string, io: CliIo): Promise<unknown> {
  const text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OperationOutcomeError(400, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'structure', diagnostics: `${file === '-' ? 'standard input' : file} is not valid JSON (${(error as Error).message})` }],
    });
  }
}

function format(value: string | undefined, fallback: 'html' | 'text'): 'html' | 'text' {
  if (value === undefined) return fallback;
  if (value === 'html' || value === 'text') return value;
  throw new UsageError(`--format must be html or text (got '${value}')`);
}

async function run(args: readonly string[], io: CliIo, core: () => Promise<Core>): Promise<void> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      format: { type: 'string' }, help: { type: 'boolean', short: 'h' }, patient: { type: 'string' }, encounter: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' }, open: { type: 'boolean' }, 'app-url': { type: 'string' },
      from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, payer: { type: 'string' }, code: { type: 'string' }, performer: { type: 'string' },
      zip: { type: 'boolean' }, 'no-pdf': { type: 'boolean' }, 'requested-by': { type: 'string' }, fhir: { type: 'string' }, read: { type: 'string' },
      requester: { type: 'string' }, 'request-reference': { type: 'string' }, 'include-drafts': { type: 'boolean' },
    },
  });
  const [command, file, ...extra] = positionals;
  if (values.help || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return;
  }
  if (command === 'sandbox') return runSandbox(values, io, core);
  if (command === 'export') return runExportCommand(values, io, core);
  if (!command || !['codes', 'check', 'note', 'review', 'bundle'].includes(command)) throw new UsageError(command ? `Unknown command '${command}'` : 'No command given');
  if (!file) throw new UsageError(`${command} needs a session file (or - for standard input)`);
  if (extra.length) throw new UsageError(`Unexpected argument '${extra[0]}'`);
  const loaded = await core();
  const analysis = analyseSession(await readInput(file, io), loaded);
  switch (command) {
    case 'codes':
      io.stdout(`${JSON.stringify({ codes: analysis.coding.codes, warnings: analysis.coding.warnings }, null, 2)}\n`);
      return;
    case 'check':
      io.stdout(`${JSON.stringify({ score: analysis.readiness.score, findings: analysis.readiness.findings }, null, 2)}\n`);
      return;
    case 'note':
      io.stdout(loaded.renderer.render('note', format(values.format, 'html'), analysis.view));
      return;
    case 'bundle': {
      const patient = values.patient;
      const encounter = values.encounter;
      if (!patient || !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(patient)) throw new UsageError('bundle needs --patient Patient/<id>');
      if (!encounter || !/^Encounter\/[A-Za-z0-9\-.]{1,64}$/.test(encounter)) throw new UsageError('bundle needs --encounter Encounter/<id>');
      const bundle = visitTransactionFor(loaded, analysis, { patient, encounter }, new Date().toISOString());
      io.stdout(`${JSON.stringify(bundle, null, 2)}\n`);
      return;
    }
    default:
      io.stdout(loaded.renderer.render('payer-review', format(values.format, 'text'), analysis.view));
  }
}

async function runExportCommand(values: Record<string, string | boolean | undefined>, io: CliIo, core: () => Promise<Core>): Promise<void> {
  const loaded = await core();
  const { filters, issues } = parseExportFilters({ ...values, requestReference: values['request-reference'], includeDrafts: values['include-drafts'] }, new Set(loaded.profiles.payers.keys()));
  if (!filters) throw invalid(issues, 400);
  if (typeof values.out !== 'string' || !values.out) throw new UsageError('export needs --out DIR');
  const read = values.read ?? 'auto';
  if (read !== 'auto' && read !== 'bulk' && read !== 'search') throw new UsageError(`--read must be auto, bulk or search (got '${String(read)}')`);
  const manifest = JSON.parse(await readFile(new URL('../manifest.json', import.meta.url), 'utf8')) as { scopes: { backendServices: string[] } };
  const tty = io.isTty ?? false;
  let lastLine = 0;
  const result = await exportCommand(
    {
      filters,
      out: values.out,
      zip: values.zip === true,
      pdf: values['no-pdf'] !== true,
      source: read,
      requestedBy: typeof values['requested-by'] === 'string' ? values['requested-by'] : io.env.USER ?? 'compliance staff',
      ...(typeof values.fhir === 'string' ? { fhir: values.fhir } : {}),
      env: io.env,
      coreOptions: coreOptionsFrom(io.env),
      scopes: manifest.scopes.backendServices,
    },
    loaded,
    (p) => {
      if (tty) io.stderr(`\r${progressLine(p)}\u001b[K`);
      else if (p.phase !== 'visits' || p.done - lastLine >= 100) {
        lastLine = p.done;
        io.stderr(`${progressLine(p)}\n`);
      }
    },
  );
  if (tty) io.stderr('\n');
  io.stdout(`${JSON.stringify(result, null, 2)}\n`);
}

/** NeedleChart's address when it runs with its defaults (HOST 127.0.0.1, PORT 3000): where the sandbox launches it. */
const DEFAULT_APP_URL = 'http://127.0.0.1:3000';

function appUrlOption(value: string | undefined): string {
  if (value === undefined) return DEFAULT_APP_URL;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`--app-url must be an http or https URL, NeedleChart's address (got '${value}')`);
  return url.href.replace(/\/$/, '');
}

/**
 * `needlechart sandbox`: the seeded sandbox EHR alone. Its FHIR API requires tokens from its SMART
 * authorization server, as a real EHR's does, with NeedleChart registered as a public client; only
 * `--open` serves it without tokens, and says so on stderr.
 */
async function runSandbox(values: { port?: string | undefined; data?: string | undefined; open?: boolean | undefined; 'app-url'?: string | undefined }, io: CliIo, core: () => Promise<Core>): Promise<void> {
  const port = values.port === undefined ? 8090 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535 (got '${values.port}')`);
  const open = values.open === true;
  if (open && values['app-url'] !== undefined) throw new UsageError('--app-url has no use with --open: an open sandbox has no launcher and no authorization server');
  const appUrl = appUrlOption(values['app-url']);
  // The sandbox and its packages load only for this command (production never loads them).
  const { createSandbox, DEFAULT_APP_CLIENT_ID } = await import('./sandbox/sandbox-server.js');
  const sandbox = await createSandbox({ core: await core(), logger: silentLogger, ...(values.data ? { dataFile: values.data } : {}), ...(open ? {} : { auth: { appUrl: () => appUrl } }) });
  const running = await sandbox.listen(port, io.env.HOST?.trim() || '127.0.0.1', '--port');
  io.stdout(`${running.fhirBaseUrl}\n`);
  if (open) {
    io.stderr('warning: The FHIR API is open: anyone who can reach this port can read and change its data (started with --open).\n');
  } else {
    io.stdout(
      [
        `The FHIR API requires a SMART access token. Get one by launching NeedleChart from the sandbox EHR launcher: ${running.origin}/sandbox`,
        `NeedleChart is registered as public client '${DEFAULT_APP_CLIENT_ID}' (PKCE S256), launch URL ${appUrl}/launch, redirect URI ${appUrl}/callback.`,
        `Run NeedleChart with NEEDLECHART_FHIR_BASE_URL=${running.fhirBaseUrl} NEEDLECHART_CLIENT_ID=${DEFAULT_APP_CLIENT_ID} NEEDLECHART_SESSION_SECRET=<32 random bytes, base64>${appUrl === DEFAULT_APP_URL ? '' : ` NEEDLECHART_PUBLIC_URL=${appUrl}`}.`,
        `SMART discovery: ${running.fhirBaseUrl}/.well-known/smart-configuration`,
        '',
      ].join('\n'),
    );
  }
  await (io.stopped ?? (() => new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); })))();
  await running.close();
}

/** Runs one CLI command; returns the exit status instead of exiting, so tests call it directly. */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await run(args, io, () => createCore(coreOptionsFrom(io.env)));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof OperationOutcomeError && error.status < 500) {
      for (const issue of error.outcome.issue) io.stderr(`error: ${issue.diagnostics ?? issue.code}\n`);
      return EXIT.invalid;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`error: ${(error as Error).message}\n\n${USAGE}\n`);
      return EXIT.failure;
    }
    if (error instanceof ProfileLoadError) io.stderr(`${error.message}\n`);
    else if ((error as NodeJS.ErrnoException).code === 'ENOENT') io.stderr(`error: file not found: ${(error as NodeJS.ErrnoException).path ?? ''}\n`);
    else io.stderr(`error: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.failure;
  }
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
