/** Events as rows of a table for a terminal: fixed columns, the payload cut to the width left. */
import type { RecordedEvent } from '../js/mod.ts';

const COLUMNS = ['position', 'time', 'tenant', 'stream', 'ver', 'type'] as const;
const WIDTHS = [9, 24, 10, 24, 5, 22] as const;

const clip = (value: string, width: number): string =>
  value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);

/** The header line. */
export function header(): string {
  return `${COLUMNS.map((c, i) => clip(c, WIDTHS[i]!)).join(' ')} data`;
}

/** One event as a line at most `width` characters wide (`Infinity`: the payload whole). */
export function row(e: RecordedEvent, width: number): string {
  const cells = [
    String(e.position)
      .padStart(WIDTHS[0] - 1)
      .padEnd(WIDTHS[0]),
    new Date(e.timestamp).toISOString(),
    e.tenant,
    e.streamId,
    String(e.version),
    e.type,
  ];
  const left = cells.map((c, i) => clip(c, WIDTHS[i]!)).join(' ');
  const data = JSON.stringify(e.data) ?? '';
  if (!Number.isFinite(width)) return `${left} ${data}`;
  return `${left} ${clip(data, Math.max(10, width - left.length - 1)).trimEnd()}`;
}

/** A table of name/value rows with aligned columns (for `inspect`). */
export function aligned(rows: ReadonlyArray<readonly string[]>, indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map(
      (r) =>
        indent +
        r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
    )
    .join('\n');
}
