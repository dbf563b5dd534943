/**
 * CSV in and out through papaparse. Writing is atomic (see atomic-write.ts).
 */
import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { writeFileAtomic } from './atomic-write.ts';

/** A parsed CSV cell: numbers and booleans are typed, empty cells are null. */
export type CsvValue = string | number | boolean | null;
export type CsvRow = Record<string, CsvValue>;

/**
 * Formats rows as CSV text: a header row with `columns` in the given order, then one line
 * per row with `row[column]` (undefined/null → empty). Lines end in "\n", including the last.
 */
export function formatCsv(rows: readonly object[], columns: readonly string[]): string {
  if (columns.length === 0) throw new RangeError('columns: must name at least one column');
  const data = rows.map((r) =>
    columns.map((c) => {
      const v = (r as Record<string, unknown>)[c];
      return v === undefined || v === null ? '' : v;
    }),
  );
  if (data.length === 0) return Papa.unparse({ fields: [...columns], data: [] }, { newline: '\n' }).replace(/\n+$/, '') + '\n';
  return Papa.unparse({ fields: [...columns], data }, { newline: '\n' }) + '\n';
}

/** Writes rows to `path` as CSV (see {@link formatCsv}), atomically. */
export async function writeCsv(path: string, rows: readonly object[], columns: readonly string[]): Promise<void> {
  await writeFileAtomic(path, formatCsv(rows, columns));
}

/** Parses CSV text with a header row; numbers/booleans typed, blank lines skipped. */
export function parseCsv(text: string): CsvRow[] {
  const result = Papa.parse<CsvRow>(text, { header: true, dynamicTyping: true, skipEmptyLines: true });
  if (result.errors.length > 0) {
    const e = result.errors[0];
    throw new Error(`CSV parse error${e.row !== undefined ? ` at row ${e.row + 1}` : ''}: ${e.message}`);
  }
  return result.data;
}

/** Reads a CSV file written by {@link writeCsv} (or any CSV with a header row). */
export async function readCsv(path: string): Promise<CsvRow[]> {
  return parseCsv(await readFile(path, 'utf8'));
}
