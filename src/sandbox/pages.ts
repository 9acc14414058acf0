import { escapeHtml } from '../infra/escape-html.js';

/**
 * A plain page of the sandbox EHR (launcher, patient picker, errors). No inline script or style: the
 * sandbox serves the same strict CSP as the app, so behaviour lives in files under /sandbox/assets.
 */
export function renderPage(title: string, body: string, options: { script?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/sandbox/assets/sandbox.css">
${options.script ? `<script src="${escapeHtml(options.script)}" defer></script>` : ''}
</head>
<body>
<header class="ehr-bar"><strong>Sandbox EHR</strong> <span>synthetic patients for NeedleChart development</span></header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}
