import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands alone: a clone into a folder with nothing beside it builds, starts and
 * passes its tests, so no file in it may point at a sibling folder (the team's shared notes, say).
 * .ci/run also proves it by cloning into an empty folder and running the CLI and the unit tests there.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.git', 'scratch', 'coverage']);
const TEXT = /\.(ts|mts|js|mjs|json|md|sh|hbs|html|css|yml|yaml|txt|csv)$|^run$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name) || e.name.startsWith('dist.')) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : TEXT.test(e.name) ? [path] : [];
  });
}

describe('a self-contained repository', () => {
  it('when every text file is read, then none refers to a folder outside the repository', () => {
    const outside = new RegExp(['\\.\\.', 'shared'].join('/') + '|' + ['', 'work', 'shared', ''].join('/'));
    const offenders = files(ROOT)
      .filter((f) => outside.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('when the code, profiles, templates, page and scripts are read, then none cites the team\'s internal notes or seed documents (rules cite public sources by id)', () => {
    const internal = new RegExp([['DOMAIN', 'md'].join('\\.'), ['CITATIONS', 'md'].join('\\.'), `\\b${['se', 'eds?'].join('')} ?\\d{3}\\b`].join('|'));
    const offenders = ['src', 'profiles', 'templates', 'public', 'examples', 'scripts', 'bench']
      .flatMap((dir) => files(join(ROOT, dir)))
      .filter((f) => internal.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('when the example sessions are listed, then the three the tests and README rely on are in examples/sessions', () => {
    expect(readdirSync(join(ROOT, 'examples', 'sessions')).sort()).toEqual(['first-visit-no-outcomes.json', 'medicare-attended-estim.json', 'neck-4-muscles-investigational.json']);
  });
});
