import request from 'supertest';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/infra/logger.js';
import { OperationOutcomeError } from '../../src/outcome/operation-outcome-error.js';
import type { Core } from '../../src/service/core.js';
import { previewAnswer } from '../../src/service/preview-answer.js';
import { PreviewPool } from '../../src/service/preview-pool.js';
import { exampleSession, exampleSessions, testCore } from '../support/fixtures.js';

let core: Core;
let pool: PreviewPool;
beforeAll(async () => {
  core = await testCore();
  pool = new PreviewPool({ size: 2, core: {} });
  await pool.ready();
}, 60_000);
afterAll(async () => {
  await pool?.close();
});

const NOW = '2026-11-20T21:30:00.000Z';
/** A worker's answer (UTF-8 bytes handed over from the worker) as text. */
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
const ALL_PARTS = ['bundle', 'text', 'review', 'sources'];

describe('previews answered by worker threads', () => {
  it('when every example session is previewed with every part by a worker, then the answer is exactly the one the server thread gives', async () => {
    for (const { session } of exampleSessions()) {
      const body = { session, patient: 'Patient/p-1', encounter: 'Encounter/e-1', course: { visitNumber: 2 } };
      const inWorker = await pool.answer(JSON.stringify(body), ALL_PARTS, NOW);
      expect(text(inWorker)).toBe(previewAnswer(core, body, new Set(ALL_PARTS), NOW));
    }
  });

  it('when a worker refuses a session, then the refusal is the OperationOutcome the server thread gives, with its status', async () => {
    const body = { session: { ...exampleSession(), muscles: [] } };
    const inThread = (() => {
      try {
        previewAnswer(core, body, new Set(), NOW);
      } catch (error) {
        return error as OperationOutcomeError;
      }
      throw new Error('the session was not refused');
    })();
    const inWorker = await pool.answer(JSON.stringify(body), [], NOW)!.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(inWorker).toBeInstanceOf(OperationOutcomeError);
    expect((inWorker as OperationOutcomeError).status).toBe(inThread.status);
    expect((inWorker as OperationOutcomeError).outcome).toEqual(inThread.outcome);
  });

  it('when the app answers through the pool, then the preview, a refusal and a malformed reference read as they do without it', async () => {
    const withPool = createApp(readConfig({}), { core, logger: silentLogger, previewPool: pool });
    const without = createApp(readConfig({}), { core, logger: silentLogger });
    for (const [path, body] of [
      ['/api/preview', { session: exampleSession(), course: { visitNumber: 2 } }],
      ['/api/preview?include=text,review', exampleSession()],
      ['/api/preview', { session: { ...exampleSession(), date: 'yesterday' } }],
      ['/api/preview', { session: exampleSession(), patient: 'p-1', encounter: 'Encounter/e-1' }],
      ['/api/preview', '{"session": '],
      ['/api/preview', ''],
    ] as const) {
      const send = (app: typeof withPool) => request(app).post(path).set('Content-Type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
      const [a, b] = [await send(withPool), await send(without)];
      expect(a.status).toBe(b.status);
      expect(a.headers['content-type']).toBe(b.headers['content-type']);
      expect(a.body).toEqual(b.body);
    }
  });

  it('when a worker stops in the middle of a preview, then that preview fails in plain words, and a new worker answers the next ones', async () => {
    const slots = (pool as unknown as { slots: { worker: Worker }[] }).slots;
    const first = slots[0]!.worker;
    const body = { session: exampleSession() };
    const inFlight = Array.from({ length: 4 }, () => pool.answer(JSON.stringify(body), [], NOW)!.then(() => 'answered', (error: Error) => error.message));
    await first.terminate();
    const outcomes = await Promise.all(inFlight);
    expect(outcomes.filter((o) => o !== 'answered')).toContain('A preview worker stopped unexpectedly');
    await pool.ready();
    expect(slots[0]!.worker).not.toBe(first);
    const answers = await Promise.all(Array.from({ length: 4 }, () => pool.answer(JSON.stringify(body), [], NOW)));
    for (const answer of answers) expect(text(answer)).toBe(previewAnswer(core, body, new Set(), NOW));
  });
});

describe('a preview whose worker dies', () => {
  it('when the worker answering a preview stops, then the server answers it in its own thread: the clinician sees the preview, not an error', async () => {
    // A worker dying exactly while a request is in it cannot be timed from outside: a pool that always loses the worker stands in.
    const dying = { answer: () => Promise.reject(new Error('A preview worker stopped unexpectedly')) } as unknown as PreviewPool;
    const app = createApp(readConfig({}), { core, logger: silentLogger, previewPool: dying });
    const res = await request(app).post('/api/preview').send({ session: exampleSession() });
    expect(res.status).toBe(200);
    expect(res.text).toBe(previewAnswer(core, { session: exampleSession() }, new Set(), NOW));
  });
});
