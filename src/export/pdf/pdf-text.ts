/**
 * Text for the packet's PDFs. They use the PDF standard fonts (Helvetica, Courier), which pdfkit
 * encodes as WinAnsi, one byte per character: a character outside WinAnsi prints as garbage, and a
 * control character breaks the encoding of the rest of its text run (pdfkit writes a TAB as a single
 * hex digit, shifting every later byte). So every string reaches pdfkit through `pdfText`:
 *
 * - TAB becomes four spaces; CR LF and a lone CR become a newline; a newline is kept (pdfkit breaks
 *   the line there);
 * - every other control character (C0, DEL, C1) is dropped;
 * - Unicode spaces (no-break, figure, ideographic, line and paragraph separators) become a space;
 * - a few symbols the notes use are spelled out in WinAnsi (− → -, → → ->, ≥ → >=);
 * - any other character WinAnsi cannot encode (emoji, CJK, a lone surrogate, a bidi control) shows
 *   as `?`, so a reader sees that something was there.
 *
 * WinAnsi (Windows-1252): https://www.unicode.org/Public/MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\t': '    ',
  '\u2212': '-', // minus sign
  '\u2192': '->',
  '\u2190': '<-',
  '\u2265': '>=',
  '\u2264': '<=',
  '\u00d7': 'x',
  '\u2248': '~',
  '\u2713': 'v',
};

/** Windows-1252's characters in 0x80–0x9F, which pdfkit maps to their WinAnsi codes. */
const WIN_ANSI_EXTRA = new Set('\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178');

const CONTROL = /\p{Cc}/u;
const SPACE = /\p{Z}/u;

export function pdfText(text: string): string {
  let out = '';
  // for…of walks code points: an emoji is one `?`, a lone surrogate its own `?`.
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const mapped = REPLACEMENTS[ch];
    if (mapped !== undefined) out += mapped;
    else if (ch === '\n' || (ch >= ' ' && ch <= '~') || (ch >= '\u00a0' && ch <= '\u00ff') || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (CONTROL.test(ch)) continue;
    else if (SPACE.test(ch)) out += ' ';
    else out += '?';
  }
  return out;
}
