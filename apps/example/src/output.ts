// How results reach the user. Data goes to stdout, everything else (progress, notes) to stderr, so
// `customers list --json > out.json` stays clean. On a terminal (or with --table) lists are tables that
// fit the screen; piped, they are plain tab-separated lines; with --json they are JSON (streamed, one
// element at a time).
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Customer } from "@square-customers/core";
import { displayName } from "./fields.js";

export const stdoutIsTty = (): boolean => process.stdout.isTTY === true;
export const stderrIsTty = (): boolean => process.stderr.isTTY === true;

/** The line a progress bar shows at the bottom of stderr, while one runs (see progress.ts). */
let statusLine: (() => string) | undefined;

export function setStatusLine(line: (() => string) | undefined): void {
  statusLine = line;
}

/**
 * A note for the human at the terminal (stderr, so it never mixes with data). On a terminal the line is
 * cleared first, since a progress bar may be drawn there; the bar is drawn again below the note.
 */
export function note(message: string): void {
  if (!stderrIsTty()) {
    process.stderr.write(`${message}\n`);
    return;
  }
  process.stderr.write(`\r\x1b[2K${message}\n${statusLine?.() ?? ""}`);
}

/** Writes a chunk, waiting when the stream asks us to (keeps memory flat on big outputs). */
export async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}

/** A column of a table: its header, and how it gives way when the table is wider than the screen. */
export interface TableColumn {
  readonly header: string;
  /** Narrowest its cells may be cut to, with an ellipsis (default: never cut). */
  readonly minWidth?: number;
  /** Columns with a rank are dropped when cutting is not enough, lowest rank first. */
  readonly dropRank?: number;
}

/** The columns a customer list shows: ids are never cut, names and emails are, the rest may go. */
const LIST_COLUMNS: ReadonlyArray<TableColumn & { readonly get: (c: Customer) => string }> = [
  { header: "ID", get: (c) => c.id ?? "" },
  { header: "NAME", get: displayName, minWidth: 12 },
  { header: "EMAIL", get: (c) => c.email_address ?? "", minWidth: 14 },
  { header: "PHONE", get: (c) => c.phone_number ?? "", dropRank: 3 },
  { header: "REFERENCE", get: (c) => c.reference_id ?? "", minWidth: 9, dropRank: 1 },
  { header: "CREATED", get: (c) => (c.created_at ?? "").slice(0, 10), dropRank: 2 },
];

/** No cell is wider than this, however wide the screen. */
const MAX_CELL = 40;
const GAP = "  ";

/** How wide a table may be: the terminal's width, or 80 columns when stdout is not a terminal. */
export function tableWidth(): number {
  return (stdoutIsTty() && process.stdout.columns) || 80;
}

/**
 * Aligned columns within `width` characters: long cells are cut with an ellipsis down to their
 * column's `minWidth`; when that is not enough, columns are dropped by `dropRank`. Never wraps.
 */
export function formatTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  width = tableWidth(),
): string {
  const natural = columns.map((column, i) =>
    Math.min(MAX_CELL, Math.max(column.header.length, ...rows.map((row) => row[i]?.length ?? 0))),
  );
  const droppable = columns
    .map((column, i) => [column.dropRank, i] as const)
    .filter((entry): entry is readonly [number, number] => entry[0] !== undefined)
    .sort(([a], [b]) => a - b)
    .map(([, i]) => i);
  let shown = columns.map((_, i) => i);
  let widths = cutToFit(shown, natural, columns, width);
  while (widths === undefined && droppable.length > 0) {
    const dropped = droppable.shift();
    shown = shown.filter((i) => i !== dropped);
    widths = cutToFit(shown, natural, columns, width);
  }
  const finalWidths = widths ?? shown.map((i) => Math.min(natural[i]!, columns[i]!.minWidth ?? natural[i]!));
  const line = (cells: readonly string[]) =>
    shown
      .map((i, k) => cut(cells[i] ?? "", finalWidths[k]!).padEnd(finalWidths[k]!))
      .join(GAP)
      .trimEnd();
  const rule = finalWidths.map((w) => "─".repeat(w)).join(GAP);
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join("\n");
}

/** Widths for the `shown` columns that fit in `width`, cutting the widest cuttable column first. */
function cutToFit(
  shown: readonly number[],
  natural: readonly number[],
  columns: readonly TableColumn[],
  width: number,
): number[] | undefined {
  const widths = shown.map((i) => natural[i]!);
  const mins = shown.map((i) => columns[i]!.minWidth ?? natural[i]!);
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (shown.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    widths.forEach((w, k) => {
      if (w > mins[k]! && (widest === -1 || w > widths[widest]!)) widest = k;
    });
    if (widest === -1) return undefined;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export type ListFormat = "table" | "plain" | "json";

/** `--json` wins; `--table` or a terminal gives a table; otherwise plain tab-separated lines. */
export function listFormat(options: { json?: boolean; table?: boolean }): ListFormat {
  return options.json ? "json" : options.table || stdoutIsTty() ? "table" : "plain";
}

/**
 * Prints customers as they arrive. Tables are printed a page (`batch`) at a time, so the columns of a
 * long listing line up within each block while memory stays bounded. Returns how many were printed.
 */
export async function printCustomers(
  customers: AsyncIterable<Customer>,
  format: ListFormat,
  signal?: AbortSignal,
  batch = 50,
): Promise<number> {
  const out = process.stdout;
  let count = 0;
  let pending: Customer[] = [];
  const flushTable = async () => {
    if (pending.length === 0) return;
    const rows = pending.map((c) => LIST_COLUMNS.map((column) => column.get(c)));
    await write(out, `${count > pending.length ? "\n" : ""}${formatTable(LIST_COLUMNS, rows)}\n`);
    pending = [];
  };
  // Stops at the signal (Ctrl-C), with what was printed so far (a JSON array is closed, a table flushed).
  async function* counted(): AsyncGenerator<Customer> {
    try {
      for await (const customer of customers) {
        if (signal?.aborted) return;
        count++;
        yield customer;
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
  }
  if (format === "json") {
    for await (const chunk of jsonArray(counted())) await write(out, chunk);
  } else if (format === "plain") {
    for await (const customer of counted())
      await write(out, `${LIST_COLUMNS.map((column) => column.get(customer)).join("\t")}\n`);
  } else {
    for await (const customer of counted()) {
      pending.push(customer);
      if (pending.length >= batch) await flushTable();
    }
    await flushTable();
  }
  return count;
}

/** A JSON array, one element per line, produced element by element (for stdout and export files). */
export async function* jsonArray(items: AsyncIterable<unknown>): AsyncGenerator<string> {
  let first = true;
  yield "[";
  for await (const item of items) {
    yield `${first ? "" : ","}\n  ${JSON.stringify(item)}`;
    first = false;
  }
  yield first ? "]\n" : "\n]\n";
}

/** One customer in full: JSON with --json, otherwise `field: value` lines. */
export function formatCustomer(customer: Customer, json: boolean | undefined): string {
  if (json) return `${JSON.stringify(customer, null, 2)}\n`;
  const lines: string[] = [];
  const visit = (value: unknown, prefix: string) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      if (value.length > 0) lines.push([prefix, value.join(", ")].join("\t"));
    } else if (typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) visit(inner, prefix ? `${prefix}.${key}` : key);
    } else lines.push([prefix, String(value)].join("\t"));
  };
  visit(customer, "");
  const width = Math.max(...lines.map((l) => l.indexOf("\t")));
  return `${lines
    .map((l) => {
      const [key = "", value = ""] = l.split("\t");
      return `${`${key}:`.padEnd(width + 2)}${value}`;
    })
    .join("\n")}\n`;
}

/** 2000 → "2,000" (en-US grouping, fixed so output is the same everywhere). */
export function n(value: number): string {
  return value.toLocaleString("en-US");
}
