import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

/** Imports that stay in the compiled JavaScript: `import type` is erased, a dynamic `import()` loads only when reached. */
function runtimeImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)(?!\s+type\s)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

/** The folder under src/ that an import of `file` points at ('' for src/ itself, undefined for a package). */
function layerOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = join(dirname(file), specifier);
  const inSrc = relative(SRC, target);
  if (inSrc.startsWith('..')) return '..';
  return inSrc.includes(sep) ? inSrc.split(sep)[0] : '';
}

function offendersIn(layer: string, forbidden: readonly string[]): string[] {
  return sourceFiles(join(SRC, layer)).flatMap((f) =>
    imports(f)
      .filter((i) => forbidden.includes(layerOf(f, i) ?? ''))
      .map((i) => `${relative(SRC, f)}: ${i}`),
  );
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

  it('when src/fhir is scanned, then it imports nothing from src/http, src/export or src/sandbox (mapping and the gateway sit below the web layer)', () => {
    expect(offendersIn('fhir', ['http', 'export', 'sandbox', 'service'])).toEqual([]);
  });

  it('when src/export, src/smart, src/notes and src/cds are scanned, then none imports from src/http', () => {
    expect(['export', 'smart', 'notes', 'cds'].flatMap((layer) => offendersIn(layer, ['http']))).toEqual([]);
  });

  it('when src/infra (logging, escaping) is scanned, then it imports no other layer: every layer may use it', () => {
    expect(sourceFiles(join(SRC, 'infra')).flatMap((f) => imports(f).filter((i) => i.startsWith('.')).map((i) => `${relative(SRC, f)}: ${i}`))).toEqual([]);
  });

  it('when production code outside src/sandbox is scanned, then it loads nothing from src/sandbox at start (the sandbox is imported dynamically, only when it is on)', () => {
    const offenders = sourceFiles(SRC)
      .filter((f) => !relative(SRC, f).startsWith(`sandbox${sep}`))
      .flatMap((f) => runtimeImports(f).filter((i) => layerOf(f, i) === 'sandbox').map((i) => `${relative(SRC, f)}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('when production code outside src/sandbox is scanned, then it loads no sandbox-only package (oauth2-mock-server, the Medplum engine) at start', () => {
    const sandboxOnly = /^(oauth2-mock-server|@medplum\/)/;
    const offenders = sourceFiles(SRC)
      .filter((f) => !relative(SRC, f).startsWith(`sandbox${sep}`))
      .flatMap((f) => runtimeImports(f).filter((i) => sandboxOnly.test(i)).map((i) => `${relative(SRC, f)}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('when production code is scanned, then nothing loads the TypeScript tool chain (tsx, esbuild, typescript) at run time', () => {
    const offenders = sourceFiles(SRC).flatMap((f) => imports(f).filter((i) => /^(tsx|esbuild|typescript)(\/|$)/.test(i)).map((i) => `${relative(SRC, f)}: ${i}`));
    expect(offenders).toEqual([]);
  });
});
