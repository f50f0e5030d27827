/**
 * How the CLI prints: human tables by default, one JSON document with --json,
 * errors as `apogee: <message>` on stderr. Results go to stdout and everything
 * else (progress, notices) to stderr, so a pipe receives only results.
 */

export type Cell = string | number | boolean | bigint | null | undefined;

export interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printNotice(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function printError(message: string): void {
  process.stderr.write(`apogee: ${message}\n`);
}

/** One JSON document on one line: easy for `jq` and for line-oriented readers alike. */
export function printJson(value: unknown): void {
  printLine(JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)));
}

/** Aligned columns with a header row; an empty list prints `emptyText` instead. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]!.length)));
  const render = (line: readonly string[]) =>
    line
      .map((text, index) => (columns[index]!.align === 'right' ? text.padStart(widths[index]!) : text.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n');
}

export function printTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], emptyText = '(none)'): void {
  printLine(rows.length === 0 ? emptyText : formatTable(rows, columns));
}

/** `key: value` lines for one object, keys aligned. */
export function printFields(fields: Readonly<Record<string, Cell>>): void {
  const width = Math.max(0, ...Object.keys(fields).map((key) => key.length));
  for (const [key, value] of Object.entries(fields)) printLine(`${`${key}:`.padEnd(width + 1)} ${cellText(value)}`);
}

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '-';
  return String(value);
}
