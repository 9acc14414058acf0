/**
 * CSV for the export packet (index.csv, not-included.csv), opened by payer reviewers and compliance
 * staff in spreadsheet programs. Every cell goes through `csvCell`, the one place that makes text safe:
 *
 * - A text cell starting with `=`, `+`, `-`, `@`, TAB, CR or LF (or their full-width forms) would be
 *   run as a formula by Excel, LibreOffice or Google Sheets; it is prefixed with a single quote, which
 *   the program shows as text, and always quoted (OWASP "CSV Injection",
 *   https://owasp.org/www-community/attacks/CSV_Injection).
 * - A cell holding a comma, double quote or line break is quoted, quotes doubled (RFC 4180 §2).
 *
 * Numbers are written as numbers: they cannot carry a formula, and a negative count stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/;
const NEEDS_QUOTES = /[",\r\n]/;

const quoted = (text: string): string => `"${text.replace(/"/g, '""')}"`;

/** One CSV cell, safe to open in a spreadsheet program. */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  if (FORMULA_START.test(value)) return quoted(`'${value}`);
  return NEEDS_QUOTES.test(value) ? quoted(value) : value;
}

/** One CSV record: cells through `csvCell`, joined by commas, ended by CRLF (RFC 4180 §2). */
export function csvRow(cells: readonly (string | number)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
