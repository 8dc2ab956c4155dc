// Export of what a chart shows: CSV and JSON of its rows, PNG from the ECharts canvas.

export type Cell = string | number | boolean | null | undefined;

export interface ExportColumn<Row> {
  /** Column header in the CSV and key in the JSON rows. */
  key: string;
  value: (row: Row) => Cell;
}

/** The data behind one chart, as the user sees it. */
export interface ChartExport {
  /** File name without extension, e.g. "commit-pr-activity_2026-10-25_2026-11-23". */
  filename: string;
  columns: string[];
  rows: Cell[][];
  /** Context written at the top of the JSON export (metric id, range, filters). */
  meta?: Record<string, unknown>;
}

export function tableOf<Row>(rows: readonly Row[], columns: ExportColumn<Row>[]): Pick<ChartExport, 'columns' | 'rows'> {
  return { columns: columns.map((c) => c.key), rows: rows.map((r) => columns.map((c) => c.value(r))) };
}

// Spreadsheet apps execute cells that start with these characters as formulas; text cells
// (repository or person names come from outside) get a leading apostrophe. Numbers are data.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV: header line, CRLF line ends, quotes only where needed. */
export function toCsv(columns: readonly string[], rows: readonly Cell[][]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** JSON export: the meta fields plus one object per row keyed by column. */
export function toJson(e: ChartExport): string {
  const rows = e.rows.map((r) => Object.fromEntries(e.columns.map((c, i) => [c, r[i] ?? null])));
  return `${JSON.stringify({ ...e.meta, rows }, null, 2)}\n`;
}

export function downloadText(filename: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  try {
    downloadUrl(filename, url);
  } finally {
    // The click has started the download synchronously; revoke on the next tick.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

export function downloadUrl(filename: string, url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** A safe file-name fragment. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'chart';
}
