/**
 * Cells of the CSV files the product writes (the outbox export, reports). Pure.
 *
 * A spreadsheet runs a cell starting with = + - @ (or a tab or CR before one) as a formula; such a
 * cell gets a leading ' (OWASP "CSV Injection"), so `=HYPERLINK(…)` from a profile shows as text.
 * Every cell is then quoted as RFC 4180 says when it holds a quote, the delimiter or a line break.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralized, then quoted when needed. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV document: the header and the rows, CRLF line ends (RFC 4180). */
export function csvDocument(header: readonly string[], rows: Iterable<readonly (string | number | boolean | null | undefined)[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
