import { Router } from 'express';
import type { SessionStore } from '../../smart/session-store.js';
import type { SealedJson } from '../../smart/sealed-json.js';
import type { SessionRegistry } from '../../smart/session-registry.js';
import type { StoreKeys } from '../../smart/store-keys.js';
import { badRequest } from '../../outcome/operation-outcome-error.js';
import { sessionId } from '../browser-session.js';
import { launchOf } from '../launch-access.js';

const DRAFT_TTL_S = 24 * 3600;
const MAX_DRAFT_BYTES = 200_000;

/**
 * GET/PUT/DELETE /api/draft: the unsaved form kept on the server, encrypted, for browsers that
 * refuse the page any storage (Chromium blocks localStorage in a third-party EHR iframe when
 * third-party cookies are blocked). Keyed by browser session, patient and encounter, so a reload or a
 * relaunch of the same visit finds it; it never crosses to another patient. Listed under the browser
 * session, so sign-out deletes it.
 */
export function draftRouter(store: SessionStore, sealer: SealedJson, keys: StoreKeys, sessions: SessionRegistry): Router {
  const router = Router();
  router.get('/api/draft', async (_req, res) => {
    const access = launchOf(res);
    const sealed = await store.get(keys.draft(sessionId(res), access.patient, access.encounter));
    if (!sealed) {
      res.status(204).end();
      return;
    }
    res.set('Cache-Control', 'no-store').json(await sealer.open<unknown>(sealed));
  });
  router.put('/api/draft', async (req, res) => {
    const access = launchOf(res);
    const body = req.body as { session?: unknown; savedAt?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.savedAt !== 'number' || !body.session || typeof body.session !== 'object') throw badRequest('A draft is {session, amend?, savedAt}');
    if (JSON.stringify(body).length > MAX_DRAFT_BYTES) throw badRequest('The draft is too large');
    const key = keys.draft(sessionId(res), access.patient, access.encounter);
    await store.set(key, await sealer.seal(body), DRAFT_TTL_S);
    await sessions.attach(sessionId(res), key);
    res.status(204).end();
  });
  router.delete('/api/draft', async (_req, res) => {
    const access = launchOf(res);
    await store.delete(keys.draft(sessionId(res), access.patient, access.encounter));
    res.status(204).end();
  });
  return router;
}
