import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../../src/cli.js';
import { exampleSession } from '../../support/fixtures.js';

const EXAMPLE = fileURLToPath(new URL('../../../../shared/examples/session-neck-4-muscles.json', import.meta.url));
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
    [['note', EXAMPLE], '<article class="nc-note">'],
    [['note', EXAMPLE, '--format', 'html'], '<article class="nc-note">'],
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
  });
});
