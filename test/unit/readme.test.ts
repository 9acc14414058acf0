import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * README.md tells the truth: every command it shows exists and answers, every file it names is in the
 * repository, every configuration variable it lists is read by the code (and every one the code reads
 * is listed).
 */
const ROOT = new URL('../../', import.meta.url);
const README = readFileSync(new URL('README.md', ROOT), 'utf8');
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> };
const BIN = fileURLToPath(new URL('bin/needlechart.js', ROOT));
/** The fenced code blocks, in order (a fence line opens a block, the next one closes it). */
const CODE_BLOCKS = README.split('\n').reduce<{ blocks: string[]; open: boolean }>(
  (acc, line) => {
    if (line.startsWith('```')) return { blocks: acc.open ? acc.blocks : [...acc.blocks, ''], open: !acc.open };
    if (acc.open) acc.blocks[acc.blocks.length - 1] += `${line}\n`;
    return acc;
  },
  { blocks: [], open: false },
).blocks;

describe('README.md', () => {
  it('when it names `npm run X` anywhere, then package.json has the script X', () => {
    const named = [...new Set([...README.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] ?? ''))];
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !(name in PACKAGE.scripts))).toEqual([]);
  });

  it('when its set-up block says `npm ci && npm start` and `npm test`, then both scripts exist and start runs the compiled server', () => {
    expect(CODE_BLOCKS.some((b) => b.includes('npm ci && npm start') && b.includes('npm test'))).toBe(true);
    expect(PACKAGE.scripts.start).toBe('node dist/server.js');
    expect(PACKAGE.scripts.prestart).toContain('ensure-build');
  });

  it('when its code blocks run `npx needlechart VERB`, then each verb answers --help with its usage and status 0', async () => {
    const verbs = [...new Set(CODE_BLOCKS.flatMap((b) => [...b.matchAll(/npx needlechart (\w+)/g)].map((m) => m[1] ?? '')))];
    expect(verbs).toEqual(expect.arrayContaining(['codes', 'check', 'note', 'review', 'bundle', 'sandbox', 'export']));
    for (const verb of verbs) {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, verb, '--help']);
      expect(stdout, verb).toMatch(new RegExp(`^\\s+${verb}\\b`, 'm'));
    }
    // The first run compiles dist/ when the sources changed since the last build (seconds on a busy machine).
  }, 90_000);

  it('when it names a file under examples/, then the file is in the repository', () => {
    const files = [...new Set([...README.matchAll(/examples\/sessions\/[\w.-]+\.json/g)].map((m) => m[0]))];
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !existsSync(new URL(f, ROOT)))).toEqual([]);
  });

  it('when its configuration table lists NEEDLECHART_ variables, then the code reads each, and each one the configuration reads is listed', () => {
    const config = readFileSync(new URL('src/config.ts', ROOT), 'utf8');
    const table = README.slice(README.indexOf('## Configuration'), README.indexOf('## Security'));
    const listed = new Set([...table.matchAll(/`(NEEDLECHART_\w+)`/g)].map((m) => m[1] ?? ''));
    const read = new Set([...config.matchAll(/NEEDLECHART_[A-Z_]+/g)].map((m) => m[0]));
    expect([...listed].filter((v) => !read.has(v))).toEqual([]);
    expect([...read].filter((v) => !listed.has(v))).toEqual([]);
  });

  it('when it is read as a new user would, then it sends nobody to a folder outside the repository', () => {
    expect(README).not.toContain(['..', 'shared'].join('/'));
  });
});
