import { Router } from 'express';
import type { Core } from '../../service/core.js';
import { escapeHtml } from '../../infra/escape-html.js';

/**
 * GET /rules: the rules behind NeedleChart's advice, with their sources, as one page with anchors
 * (CDS cards link here): payer policies, the code table, documentation readiness, the course.
 */
export function rulesRouter(core: Core): Router {
  const router = Router();
  const payers = [...core.profiles.payers.values()]
    .map((p) => `<section id="payer-${escapeHtml(p.id)}"><h2>${escapeHtml(p.name)}</h2><p>${escapeHtml(p.coverage.summary)}</p><p><small>Source: ${escapeHtml(p.coverage.source)} · effective ${escapeHtml(p.coverage.effective)} · ${p.coverage.verified ? 'verified' : 'advisory (not verified from a primary source)'}</small></p></section>`)
    .join('\n');
  const codes = [...core.profiles.codes.values()].map((c) => `<li><strong>${escapeHtml(c.code)}</strong> ${escapeHtml(c.short)} <small>(${escapeHtml(c.source)})</small></li>`).join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NeedleChart rules and sources</title><link rel="stylesheet" href="/assets/app.css"></head><body><main class="nc-compliance"><h1>NeedleChart rules and their sources</h1>
${payers}
<section id="codes"><h2>Codes</h2><ul>${codes}</ul><p>${escapeHtml(core.profiles.files.codes.notice)}</p></section>
<section id="readiness"><h2>Documentation readiness</h2><p>Checks a visit against what a payer reviewer looks for and the safety rules (consent, screening, named muscles with side, needle, depth, technique, twitch response, e-stim parameters, outcomes, adverse events, performer credential and state scope). Source: DOMAIN.md, sections "Documentation a payer reviewer looks for" and "Safety".</p></section>
<section id="course"><h2>The course of care</h2><p>A course is typically 2–6 sessions within a plan of care (seed 004). One payer asked for at least 50% relief from prior sessions before continuing.</p></section>
</main></body></html>`;
  router.get('/rules', (_req, res) => {
    res.type('html').send(html);
  });
  return router;
}
