import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

describe('imports point inward (STYLE.md convention 1)', () => {
  it('when src/domain is scanned, then it imports no I/O module, no express, no FHIR client, no ajv', () => {
    const forbidden = /^(node:|fs|path|http|https|express|fhir-kit-client|ajv|handlebars)|\/(http|smart|fhir|export|sandbox|profiles|notes|service)\//;
    const offenders = sourceFiles(join(SRC, 'domain')).flatMap((f) => imports(f).filter((i) => forbidden.test(i) && !i.startsWith('../outcome/')).map((i) => `${f}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('when src/domain and src/notes are scanned, then none reads process.env', () => {
    const offenders = [...sourceFiles(join(SRC, 'domain')), ...sourceFiles(join(SRC, 'notes'))].filter((f) => readFileSync(f, 'utf8').includes('process.env'));
    expect(offenders).toEqual([]);
  });

  it('when any source file is scanned, then only the FHIR gateway imports fhir-kit-client', () => {
    const offenders = sourceFiles(SRC).filter((f) => imports(f).includes('fhir-kit-client') && !f.endsWith(join('fhir', 'client.ts')));
    expect(offenders).toEqual([]);
  });
});
