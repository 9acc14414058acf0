import { Router } from 'express';
import { publicCache } from '../no-store.js';
import type { Core } from '../../service/core.js';

/**
 * GET /api/catalog: what the form picks from — muscles (with the lung-risk flag), outcome
 * instruments and payer policies. Reference data only, no patient data, cacheable.
 * Each payer says which financial notice the form offers: `abn` when the policy never covers dry
 * needling (rules.nonCoveredNeedling, Medicare's voluntary ABN), `waiver` when it calls it
 * investigational (rules.investigational, the patient's signed waiver).
 */
export function catalogRouter(core: Core): Router {
  const router = Router();
  const body = JSON.stringify({
    muscles: [...core.profiles.muscles.values()].map((m) => ({ id: m.id, display: m.display, region: m.region, group: m.group, risk: m.pneumothoraxRisk.risk, view: m.view })),
    instruments: [...core.profiles.instruments.values()].map((i) => ({ id: i.id, display: i.display, min: i.min, max: i.max })),
    payers: [...core.profiles.payers.values()].map((p) => ({ id: p.id, name: p.name, status: p.coverage.status, notices: { abn: p.rules.nonCoveredNeedling !== undefined, waiver: p.rules.investigational !== undefined } })),
  });
  router.get('/api/catalog', (_req, res) => {
    publicCache(res, 300);
    res.type('json').send(body);
  });
  return router;
}
