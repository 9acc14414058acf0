import { escapeHtml } from '../infra/escape-html.js';

/**
 * A plain NeedleChart page for launch outcomes (refused server, tampered state, no context, a sign-in
 * that may not use the compliance export). No inline script or style. `note` says what was not done.
 */
export function launchProblemPage(title: string, message: string, note = 'Nothing was read from or written to the patient\'s chart.'): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — NeedleChart</title><link rel="stylesheet" href="/assets/app.css"></head>
<body class="nc-problem"><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p>${escapeHtml(note)}</p></main></body>
</html>`;
}
