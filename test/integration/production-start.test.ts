import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` runs the compiled server (dist/server.js, built by `npm test` before the tests run):
 * these tests start it as a separate process, as a clinic's server would.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = join(ROOT, 'dist', 'server.js');
const TRACE = fileURLToPath(new URL('../support/module-trace.mjs', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function start(env: Record<string, string>, nodeArgs: string[] = []): Started {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [...nodeArgs, SERVER], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function listeningUrl(started: Started): Promise<string> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const match = /listening on (http:\/\/\S+)/.exec(started.stdout());
    if (match?.[1]) return match[1];
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`NeedleChart did not start:\n${started.stdout()}\n${started.stderr()}`);
}

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('production start (npm start runs dist/server.js)', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'nc-start-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('when the compiled server starts against an EHR (sandbox off), then it loads no sandbox module, no sandbox-only package and no TypeScript tool chain', async () => {
    const traceFile = join(folder, 'modules.txt');
    const started = start(
      {
        PORT: '0',
        NEEDLECHART_FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
        NEEDLECHART_CLIENT_ID: 'needlechart-test',
        NEEDLECHART_SESSION_SECRET: Buffer.alloc(32, 7).toString('base64'),
        MODULE_TRACE_FILE: traceFile,
      },
      ['--import', TRACE],
    );
    try {
      const url = await listeningUrl(started);
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok' });
      // The pages' scripts are the build's bundles (dist/web/), served as plain JavaScript without esbuild at run time.
      for (const script of ['app.js', 'compliance.js']) {
        const res = await fetch(`${url}/assets/${script}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/javascript/);
        expect(await res.text()).not.toMatch(/^\s*import .* from ['"]\.\//m);
      }
      const loaded = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
      expect(loaded.some((u) => u.endsWith('/dist/server.js'))).toBe(true);
      const sources = pathToFileURL(join(ROOT, 'src')).href;
      const forbidden = loaded.filter((u) => u.startsWith(sources) || /\/dist\/sandbox\/|\/node_modules\/(@medplum|oauth2-mock-server|tsx|esbuild|typescript)\//.test(u));
      expect(forbidden).toEqual([]);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });

  it('when the compliance export is on with an EHR and no compliance staff are configured, then start-up says once that nobody may export, naming no one', async () => {
    const { privateKey } = await generateKeyPair('ES384', { extractable: true });
    const keyFile = join(folder, 'backend.pem');
    writeFileSync(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
    const started = start({
      PORT: '0',
      NEEDLECHART_FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
      NEEDLECHART_CLIENT_ID: 'needlechart-test',
      NEEDLECHART_SESSION_SECRET: Buffer.alloc(32, 7).toString('base64'),
      NEEDLECHART_BACKEND_CLIENT_ID: 'needlechart-backend',
      NEEDLECHART_BACKEND_KEY_FILE: keyFile,
      NEEDLECHART_BACKEND_KEY_ID: 'k1',
    });
    try {
      await listeningUrl(started);
      const lines = started.stdout().split('\n').filter((l) => l.includes('compliance export'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'warn', message: 'compliance export: nobody may export until NEEDLECHART_COMPLIANCE_USERS or NEEDLECHART_COMPLIANCE_ROLE is set' });
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });

  it('when the app port is already taken, then start-up stops with one line naming the port and PORT', async () => {
    const { server, port } = await occupy();
    try {
      const started = start({ PORT: String(port), NEEDLECHART_SANDBOX_PORT: '0' });
      expect(await started.exited).toBe(1);
      expect(started.stderr().trim().split('\n')).toEqual([`Port ${port} is already in use. Stop the program using it, or choose another port with PORT (0 picks a free one).`]);
    } finally {
      server.close();
    }
  });

  it('when the sandbox port is already taken, then start-up stops with one line naming NEEDLECHART_SANDBOX_PORT', async () => {
    const { server, port } = await occupy();
    try {
      const started = start({ PORT: '0', NEEDLECHART_SANDBOX_PORT: String(port) });
      expect(await started.exited).toBe(1);
      expect(started.stderr().trim().split('\n')).toEqual([`Port ${port} is already in use. Stop the program using it, or choose another port with NEEDLECHART_SANDBOX_PORT (0 picks a free one).`]);
    } finally {
      server.close();
    }
  });
});
