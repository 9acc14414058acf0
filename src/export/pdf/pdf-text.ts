/**
 * PDF standard fonts (Helvetica) encode WinAnsi only. Text with characters outside it would print
 * as garbage, so it is mapped to the nearest WinAnsi form first (no font files needed at run time).
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\u2212': '-', // minus sign
  '\u2192': '->',
  '\u2190': '<-',
  '\u2265': '>=',
  '\u2264': '<=',
  '\u00d7': 'x',
  '\u2248': '~',
  '\u2713': 'v',
};

export function pdfText(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = REPLACEMENTS[ch];
    if (mapped !== undefined) out += mapped;
    else if (ch === '\n' || ch === '\t' || (ch >= ' ' && ch <= '~')) out += ch;
    else if (/[\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/.test(ch)) out += ch;
    else if (ch.charCodeAt(0) < 32) out += ' ';
    else out += '?';
  }
  return out;
}
