// Compiles src/ to dist/ with tsc when dist/ is missing or older than the sources, so `npm start` and
// `npx needlechart` run plain JavaScript: no TypeScript compiler or esbuild at run time. The browser
// pages' TypeScript (src/web/) is bundled by esbuild into dist/web/ in the same build, served as /assets.
// Plain JavaScript on purpose: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(ROOT, '.dist-build.lock');
/** What the compiled output depends on besides src/. */
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/**
 * The build's fingerprint: a SHA-256 of every source file's path and content (not times, so a dist/
 * built elsewhere and copied beside the same sources counts as current). A copy without src/ is current.
 */
function sourceStamp() {
  const src = join(ROOT, 'src');
  if (!existsSync(src)) return undefined;
  const hash = createHash('sha256');
  for (const file of [...filesUnder(src), ...INPUTS.map((f) => join(ROOT, f)).filter((f) => existsSync(f))]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function buildIsCurrent() {
  const wanted = sourceStamp();
  if (wanted === undefined) return existsSync(join(DIST, 'server.js'));
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One builder at a time (tests may start several CLIs at once); a lock left by a killed build expires. */
function withLock(work) {
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (waited > 120_000 || Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      else sleep(100);
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The browser pages' entry points under src/web/, bundled one file each (app.js, compliance.js). */
const WEB_ENTRIES = ['app.ts', 'compliance.ts'];

/**
 * Bundles src/web/ with esbuild (ES modules, minified, with source maps) into `outDir`; the pages load
 * /assets/app.js and /assets/compliance.js from there. Type checking is tsc's (`npm run typecheck`).
 * Returns a message on failure.
 */
function bundleWeb(outDir) {
  let esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild');
  } catch {
    return 'The browser pages cannot be bundled: esbuild is not installed (production install?). Run `npm ci && npm run build` where dev dependencies are available.';
  }
  try {
    esbuild.buildSync({
      entryPoints: WEB_ENTRIES.map((f) => join(ROOT, 'src', 'web', f)),
      bundle: true,
      format: 'esm',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      legalComments: 'none',
      logLevel: 'silent',
      outdir: outDir,
    });
    return undefined;
  } catch (error) {
    return `Bundling the browser pages failed:\n${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Builds dist/ when it is missing or stale. The new build is written beside the old one and swapped in,
 * so a process reading dist/ never sees half a build. Returns a message on failure.
 */
export function ensureBuilt({ quiet = false, force = false } = {}) {
  if (!force && buildIsCurrent()) return undefined;
  return withLock(() => {
    if (!force && buildIsCurrent()) return undefined;
    const wanted = sourceStamp();
    let tsc;
    try {
      tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    } catch {
      return 'dist/ is missing or older than src/, and the TypeScript compiler is not installed (production install?): run `npm ci && npm run build` where dev dependencies are available, then deploy dist/ with the app.';
    }
    if (!quiet) process.stderr.write('Building NeedleChart (tsc → dist/, esbuild → dist/web/)…\n');
    const next = join(ROOT, `dist.next-${process.pid}`);
    rmSync(next, { recursive: true, force: true });
    const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', next], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) {
      rmSync(next, { recursive: true, force: true });
      return `The build failed:\n${result.stdout}${result.stderr}`;
    }
    const web = bundleWeb(join(next, 'web'));
    if (web) {
      rmSync(next, { recursive: true, force: true });
      return web;
    }
    writeFileSync(join(next, '.build-stamp'), wanted ?? '');
    const old = join(ROOT, `dist.old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(next, DIST);
    rmSync(old, { recursive: true, force: true });
    return undefined;
  });
}

// `node scripts/ensure-build.mjs [--force]` (npm's prestart; `npm run build` forces): build when needed, or say why it cannot.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problem = ensureBuilt({ quiet: process.argv.includes('--quiet'), force: process.argv.includes('--force') });
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
