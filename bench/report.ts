/**
 * @module Plain-text tables for the bench output: first column left-aligned, the rest right-aligned.
 */

export type Cell = string | number;

/** Formats a number with thousands separators and `digits` decimals. */
export function num(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes as `12.3 KB` (1 KB = 1,024 bytes). */
export function bytes(value: number): string {
  return Math.abs(value) >= 1_024 ? `${num(value / 1_024, 1)} KB` : `${num(value, 0)} B`;
}

/** Renders rows under a header; every row has as many cells as the header. */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? num(cell) : cell)));
  const widths = header.map((_, column) => Math.max(...text.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(text[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...text.slice(1).map(line)].join('\n');
}
