import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../../src/cli.js';
import { progressLine } from '../../../src/export/export-cli.js';
import { exampleSession } from '../../support/fixtures.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/sessions/neck-4-muscles-investigational.json', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/needlechart.js', import.meta.url));

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), readStdin: async () => stdin, env: {} };
  const code = await main(args, io);
  return { code, out, err };
}

describe('needlechart CLI', () => {
  it('when `codes FILE` is run on the example, then it prints {codes, warnings} JSON and exits 0', async () => {
    const { code, out } = await run(['codes', EXAMPLE]);
    expect(code).toBe(EXIT.ok);
    const parsed = JSON.parse(out) as { codes: { code: string }[]; warnings: unknown[] };
    expect(parsed.codes.map((c) => c.code)).toEqual(['20561', '97014']);
    expect(parsed.warnings.length).toBeGreaterThan(0);
  });

  it('when `check FILE` is run, then it prints {score, findings} JSON', async () => {
    const { code, out } = await run(['check', EXAMPLE]);
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toMatchObject({ score: expect.any(Number), findings: expect.any(Array) });
  });

  it.each([
    [['note', EXAMPLE], '<article class="nc-note'],
    [['note', EXAMPLE, '--format', 'html'], '<article class="nc-note'],
    [['note', EXAMPLE, '--format', 'text'], 'DRY NEEDLING TREATMENT NOTE'],
    [['review', EXAMPLE], 'PAYER-REVIEW SUMMARY'],
  ])('when `%s` is run, then the rendered document is printed', async (args, expected) => {
    const { code, out } = await run(args);
    expect(code).toBe(EXIT.ok);
    expect(out.startsWith(expected)).toBe(true);
  });

  it('when the file is - , then the session is read from standard input', async () => {
    const { code, out } = await run(['codes', '-'], JSON.stringify(exampleSession()));
    expect(code).toBe(EXIT.ok);
    expect(out).toContain('20561');
  });

  it('when the input is invalid, then exit 2 with every error and its field path on stderr, nothing on stdout', async () => {
    const bad = { ...exampleSession(), billing: 'insurance', muscles: [{ ...exampleSession().muscles[0], side: 'both' }] };
    const { code, out, err } = await run(['codes', '-'], JSON.stringify(bad));
    expect(code).toBe(EXIT.invalid);
    expect(out).toBe('');
    expect(err).toContain('error: billing must be bill-payer, self-pay or document-only');
    expect(err).toContain('error: muscles[0].side must be left or right');
  });

  it('when the input is not JSON, then exit 2 naming the input', async () => {
    const { code, err } = await run(['check', '-'], '{not json');
    expect(code).toBe(EXIT.invalid);
    expect(err).toMatch(/standard input is not valid JSON/);
  });

  it.each([
    [[], /No command given/],
    [['bogus', EXAMPLE], /Unknown command 'bogus'/],
    [['codes'], /needs a session file/],
    [['note', EXAMPLE, '--format', 'pdf'], /--format must be html or text/],
    [['codes', '/nonexistent.json'], /file not found/],
  ])('when the command line is %j, then exit 1 with a clear message', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(EXIT.failure);
    expect(err).toMatch(message);
  });

  it('when a clinic payers dir has a malformed file, then exit 1 listing the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-cli-'));
    writeFileSync(join(dir, 'bad.json'), '{}');
    let err = '';
    const code = await main(['codes', EXAMPLE], { stdout: () => {}, stderr: (t) => (err += t), readStdin: async () => '', env: { NEEDLECHART_PAYERS_DIR: dir } });
    expect(code).toBe(EXIT.failure);
    expect(err).toMatch(/bad\.json: id is required/);
  });

  it('when the installed bin is executed as a process, then it works with no build step', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'codes', EXAMPLE]);
    expect(JSON.parse(stdout)).toHaveProperty('codes');
    const failed = await promisify(execFile)(process.execPath, [BIN, 'check', '/nonexistent.json']).catch((e: { code: number }) => e);
    expect((failed as { code: number }).code).toBe(1);
  }, 60_000); // two node processes that each load the compiled CLI and the profiles: seconds on a loaded machine
});

describe('needlechart bundle and sandbox', () => {
  it('when `bundle FILE --patient --encounter` is run, then it prints the transaction Bundle with those references', async () => {
    const { code, out } = await run(['bundle', EXAMPLE, '--patient', 'Patient/p-1', '--encounter', 'Encounter/e-1']);
    expect(code).toBe(EXIT.ok);
    const bundle = JSON.parse(out) as { type: string; entry: { resource: { resourceType: string; subject?: { reference: string } } }[] };
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual(['Procedure', 'Observation', 'Observation', 'Observation', 'Observation', 'DocumentReference', 'Provenance']);
    expect(bundle.entry[0]?.resource.subject?.reference).toBe('Patient/p-1');
  });

  it.each([
    [['bundle', EXAMPLE, '--encounter', 'Encounter/e-1'], /--patient Patient/],
    [['bundle', EXAMPLE, '--patient', 'Patient/p-1', '--encounter', 'e-1'], /--encounter Encounter/],
  ])('when `%s` lacks a proper reference, then exit 1 saying which', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(EXIT.failure);
    expect(err).toMatch(message);
  });

  /** Runs `needlechart sandbox …` until stopped: its output so far, and a way to stop it. */
  function startSandboxCommand(args: string[]): { out: () => string; err: () => string; finished: () => boolean; stop: () => Promise<number> } {
    let out = '';
    let err = '';
    let finished = false;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = main(['sandbox', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t), readStdin: async () => '', env: {}, stopped: () => stopped }).finally(() => (finished = true));
    return { out: () => out, err: () => err, finished: () => finished, stop: () => (stop(), done) };
  }

  /** The first line on stdout (the FHIR base), once printed; '' if the command ended without one. */
  async function firstLine(started: { out: () => string; finished: () => boolean }): Promise<string> {
    for (let i = 0; i < 1200 && !started.out().includes('\n') && !started.finished(); i++) await new Promise((r) => setTimeout(r, 50));
    return started.out().split('\n')[0] ?? '';
  }

  it('when `sandbox --port 0` is run, then its FHIR API requires a SMART token and it prints the launcher URL to get one', async () => {
    const started = startSandboxCommand(['--port', '0', '--app-url', 'http://127.0.0.1:3999']);
    const base = await firstLine(started);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const origin = base.replace(/\/fhir$/, '');
    expect((await fetch(`${base}/Patient/p-maria-lopez`)).status).toBe(401);
    expect(started.out()).toContain(`${origin}/sandbox`);
    expect(started.out()).toContain('http://127.0.0.1:3999/callback');
    const launcher = await fetch(`${origin}/sandbox`);
    expect(launcher.status).toBe(200);
    expect(await launcher.text()).toContain('http://127.0.0.1:3999/launch');
    const smart = (await (await fetch(`${base}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
    expect(smart.token_endpoint).toBe(`${origin}/auth/token`);
    expect(started.err()).toBe('');
    expect(await started.stop()).toBe(EXIT.ok);
  }, 60_000);

  it('when `sandbox --port 0 --open` is run, then it warns on stderr that the FHIR API is open, serves it without a token, and stops cleanly when asked', async () => {
    const started = startSandboxCommand(['--port', '0', '--open']);
    const base = await firstLine(started);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    expect(started.err()).toContain('The FHIR API is open: anyone who can reach this port can read and change its data');
    const patient = (await (await fetch(`${base}/Patient/p-maria-lopez`)).json()) as { name: { family: string }[] };
    expect(patient.name[0]?.family).toBe('Lopez');
    expect(await started.stop()).toBe(EXIT.ok);
  }, 60_000);

  it.each([
    [['sandbox', '--app-url', 'ftp://example.org'], /--app-url must be an http or https URL/],
    [['sandbox', '--open', '--app-url', 'http://127.0.0.1:3000'], /--app-url has no use with --open/],
  ])('when `%s` is run, then it is a usage error naming the flag', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(EXIT.failure);
    expect(err).toMatch(message);
  });

  it('when the usage is printed, then it shows the sandbox flags --open and --app-url', async () => {
    const { out } = await run(['--help']);
    expect(out).toMatch(/sandbox \[--port N\] \[--data FILE\] \[--app-url URL\] \[--open\]/);
  });

  it('when `export --read` names no known way, then it is a usage error naming the flag', async () => {
    const { code, err } = await run(['export', '--from', '2026-01-01', '--to', '2026-12-31', '--out', mkdtempSync(join(tmpdir(), 'nc-cli-')), '--read', 'ftp']);
    expect(code).toBe(EXIT.failure);
    expect(err).toContain("--read must be auto, bulk or search (got 'ftp')");
  });

  it.each(['bulk', 'search'])('when `export --read %s` runs on the demo sandbox, then the packet is read that way and progress goes to stderr', async (read) => {
    const out = join(mkdtempSync(join(tmpdir(), 'nc-cli-')), 'packet');
    const { code, out: stdout, err } = await run(['export', '--from', '2026-01-01', '--to', '2026-12-31', '--out', out, '--no-pdf', '--read', read]);
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(stdout) as { via: string; visits: number };
    expect(result.via).toBe(read);
    expect(result.visits).toBeGreaterThan(0);
    expect(err).toMatch(/visits/);
  });
});

describe('export progress line', () => {
  it('when the EHR is still preparing a bulk export, then the line says so with its progress text', () => {
    expect(progressLine({ phase: 'waiting', note: 'Exporting Observation (2 of 4 types)', done: 0, reused: 0, skipped: 0, excluded: 0, perSecond: 0 })).toBe("Waiting for the EHR's bulk export: Exporting Observation (2 of 4 types)");
    expect(progressLine({ phase: 'visits', done: 5, total: 10, reused: 0, skipped: 0, excluded: 0, perSecond: 2.5, etaSeconds: 2 }, 10)).toBe('[#####.....] 5/10 visits, 2.5 visits/s ETA 2s');
    // Visits of other payers count toward the bar: a payer-filtered export still reaches the end.
    expect(progressLine({ phase: 'visits', done: 3, total: 10, reused: 0, skipped: 0, excluded: 7, perSecond: 2.5 }, 10)).toBe('[##########] 3/10 visits, 2.5 visits/s');
  });
});
