import { Router } from 'express';
import { publicCache } from '../no-store.js';
import { renderBodyMapSvg } from '../../notes/body-map-svg.js';
import { loadBodyMap } from '../../profiles/load-body-map.js';
import { badRequest } from '../../outcome/operation-outcome-error.js';
import type { Core } from '../../service/core.js';

/**
 * GET /api/body-map?view=front|back: the clickable body map as SVG (no script, no inline style),
 * rendered once per view; the page marks needled muscles with CSS classes.
 */
export function bodyMapRouter(core: Core): Router {
  const data = loadBodyMap();
  const labels = Object.fromEntries([...core.profiles.muscles.values()].map((m) => [m.id, m.display]));
  const risky = new Set([...core.profiles.muscles.values()].filter((m) => m.pneumothoraxRisk.risk).map((m) => m.id));
  const svg = Object.fromEntries(
    (['front', 'back'] as const).map((view) => [
      view,
      renderBodyMapSvg(data, {
        view,
        interactive: true,
        labels,
        title: `Body map, ${view} view`,
        marked: [],
        riskMuscles: risky,
      }),
    ]),
  );
  const router = Router();
  router.get('/api/body-map', (req, res) => {
    const view = req.query.view;
    if (view !== 'front' && view !== 'back') throw badRequest('view must be front or back', 'view');
    publicCache(res, 300);
    res.type('image/svg+xml').send(svg[view]);
  });
  return router;
}
