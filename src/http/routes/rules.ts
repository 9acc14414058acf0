import { Router } from 'express';
import { advise } from '../../domain/advice.js';
import { citationLine, sourcesOf, type Citation, type Sources } from '../../domain/citations.js';
import { formatDay } from '../../domain/human-dates.js';
import { RULE_SOURCES, type RuleName } from '../../domain/rule-sources.js';
import type { Core } from '../../service/core.js';
import { escapeHtml } from '../../infra/escape-html.js';

const STATUS = (verified: boolean): string => (verified ? 'Rests on a source that was read.' : 'Advice: no source behind it was read, so NeedleChart says "Check this with …" and never reports it as an error.');

/** "Sources: A; B" with each source linked to its entry in the list at the foot of the page. */
function sourcesHtml(sources: Sources): string {
  if (!sources.citations.length) return '<small>No outside source: NeedleChart\u2019s own statement.</small>';
  const links = sources.citations.map((c) => `<a href="#source-${escapeHtml(c.id)}">${escapeHtml(citationLine(c))}</a>`).join('; ');
  return `<small>Sources: ${links}. ${escapeHtml(STATUS(sources.verified))}</small>`;
}

function citationHtml(c: Citation): string {
  const line = escapeHtml(citationLine(c));
  const link = c.url ? ` <a href="${escapeHtml(c.url)}">${escapeHtml(c.url)}</a>` : '';
  const read = c.verified ? 'Read: the passage was read in this source or in a verbatim reproduction.' : 'Not read: treat what rests on it alone as advice.';
  return `<li id="source-${escapeHtml(c.id)}">${line}${link}<br><small>${escapeHtml(read)}${c.note ? ` ${escapeHtml(c.note)}` : ''}</small></li>`;
}

/**
 * GET /rules: the rules behind NeedleChart's advice, each with its public sources, as one page with
 * anchors (CDS cards link here): payer policies, the code table, documentation readiness, the course,
 * and every source in profiles/citations.json with what was read.
 */
export function rulesRouter(core: Core): Router {
  const router = Router();
  const { profiles } = core;
  const payers = [...profiles.payers.values()]
    .map((p) => {
      const sources = sourcesOf(profiles.cite, p.coverage);
      return `<section id="payer-${escapeHtml(p.id)}"><h2>${escapeHtml(p.name)}</h2><p>${escapeHtml(advise(p.coverage.summary, sources.verified))}</p><p><small>In effect from ${escapeHtml(formatDay(p.coverage.effective))}.</small> ${sourcesHtml(sources)}</p></section>`;
    })
    .join('\n');
  const codes = [...profiles.codes.values()].map((c) => `<li><strong>${escapeHtml(c.code)}</strong> ${escapeHtml(c.short)}<br>${sourcesHtml(sourcesOf(profiles.cite, c))}</li>`).join('');
  const rules = (Object.keys(RULE_SOURCES) as RuleName[])
    .filter((name) => name !== 'courseLength')
    .map((name) => `<li>${escapeHtml(RULE_SOURCES[name].about)}<br>${sourcesHtml(profiles.rules[name])}</li>`)
    .join('');
  const registry = [...profiles.citations.values()].map(citationHtml).join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NeedleChart rules and sources</title><link rel="stylesheet" href="/assets/app.css"></head><body><main class="nc-compliance"><h1>NeedleChart rules and their sources</h1>
<p>Every rule names the public sources it rests on. A rule whose sources were not read is advice: NeedleChart words it as "Check this with the payer" (or the state board, the code set, current clinical guidance) and never reports it as an error.</p>
${payers}
<section id="codes"><h2>Codes</h2><ul>${codes}</ul><p>${escapeHtml(profiles.files.codes.notice)}</p></section>
<section id="readiness"><h2>Documentation readiness</h2><p>Checks a visit against what a payer reviewer looks for and the safety rules; the payer policies above and the state scope-of-practice table add their own rules.</p><ul>${rules}</ul></section>
<section id="course"><h2>The course of care</h2><p>${escapeHtml(RULE_SOURCES.courseLength.about)} ${sourcesHtml(profiles.rules.courseLength)}</p></section>
<section id="sources"><h2>Sources</h2><ul>${registry}</ul></section>
</main></body></html>`;
  router.get('/rules', (_req, res) => {
    res.type('html').send(html);
  });
  return router;
}
