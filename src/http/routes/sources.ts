import { Router } from 'express';
import { publicCache } from '../no-store.js';
import type { Core } from '../../service/core.js';

/**
 * GET /api/sources: every public source a rule, code or payer policy cites — publisher, title,
 * identifier, date, URL and whether it was read — keyed by the citation id that /api/preview, the
 * CDS cards and the CLI name. Reference data, no patient data, cacheable: the live panel fetches it
 * once instead of receiving the same citations on every keystroke.
 */
export function sourcesRouter(core: Core): Router {
  const router = Router();
  const body = JSON.stringify({ sources: Object.fromEntries(core.profiles.citations) });
  router.get('/api/sources', (_req, res) => {
    publicCache(res, 300);
    res.type('json').send(body);
  });
  return router;
}
