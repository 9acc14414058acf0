import { Router } from 'express';
import { publicCache } from '../no-store.js';
import type { PayerPolicy } from '../../domain/types.generated.js';
import type { Core } from '../../service/core.js';

/**
 * The part of a payer's policy its visit limit depends on (the limit, the coverage and the policy's
 * history, each dated), so the page reads the limit in force on the date of service with the same
 * payerOnDate the server uses.
 */
function visitLimitPolicy(p: PayerPolicy): PayerPolicy {
  return { id: p.id, name: p.name, coverage: p.coverage, rules: { visitLimit: p.rules.visitLimit }, notes: [], ...(p.history ? { history: p.history } : {}) } as PayerPolicy;
}

/**
 * GET /api/catalog: what the form picks from — muscles (with the lung-risk flag), outcome
 * instruments (with their item scoring, item titles and MCID, for entry item by item), the
 * range-of-motion movements with their units, and payer policies (with the visit limit, when one is stated). Reference data only, no patient data, cacheable.
 * Each payer says which financial notice the form offers: `abn` when the policy never covers dry
 * needling (rules.nonCoveredNeedling, Medicare's voluntary ABN), `waiver` when it calls it
 * investigational (rules.investigational, the patient's signed waiver).
 */
export function catalogRouter(core: Core): Router {
  const router = Router();
  const body = JSON.stringify({
    muscles: [...core.profiles.muscles.values()].map((m) => ({ id: m.id, display: m.display, region: m.region, group: m.group, risk: m.pneumothoraxRisk.risk, view: m.view })),
    instruments: [...core.profiles.instruments.values()],
    romMovements: core.profiles.files.outcomeMeasures.romMovements,
    payers: [...core.profiles.payers.values()].map((p) => ({
      id: p.id,
      name: p.name,
      status: p.coverage.status,
      notices: { abn: p.rules.nonCoveredNeedling !== undefined, waiver: p.rules.investigational !== undefined },
      ...(p.rules.visitLimit ? { visitLimitPolicy: visitLimitPolicy(p) } : {}),
    })),
  });
  router.get('/api/catalog', (_req, res) => {
    publicCache(res, 300);
    res.type('json').send(body);
  });
  return router;
}
