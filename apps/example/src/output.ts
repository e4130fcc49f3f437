// How results reach the user. Data goes to stdout, everything else (progress, notes) to stderr, so
// `customers list --json > out.json` stays clean. On a terminal lists are tables; piped, they are plain
// tab-separated lines; with --json they are JSON (streamed, one element at a time).
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Customer } from "@square-customers/core";
import { displayName } from "./fields.js";

export const stdoutIsTty = (): boolean => process.stdout.isTTY === true;
export const stderrIsTty = (): boolean => process.stderr.isTTY === true;

/** A note for the human at the terminal (stderr, so it never mixes with data). */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Writes a chunk, waiting when the stream asks us to (keeps memory flat on big outputs). */
export async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}

/** The columns a customer list shows. */
const LIST_COLUMNS: ReadonlyArray<readonly [string, (c: Customer) => string]> = [
  ["ID", (c) => c.id ?? ""],
  ["NAME", displayName],
  ["EMAIL", (c) => c.email_address ?? ""],
  ["PHONE", (c) => c.phone_number ?? ""],
  ["REFERENCE", (c) => c.reference_id ?? ""],
  ["CREATED", (c) => (c.created_at ?? "").slice(0, 10)],
];

/** Aligned columns for a terminal; cells longer than `maxWidth` are cut with an ellipsis. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth = 36,
): string {
  const fit = (text: string) => (text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text);
  const cells = [header, ...rows].map((row) => row.map(fit));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return cells
    .map((row, r) => {
      const line = row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd();
      return r === 0 ? `${line}\n${widths.map((w) => "─".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

export type ListFormat = "table" | "plain" | "json";

/** `--json` wins; otherwise a table on a terminal and plain lines when piped. */
export function listFormat(json: boolean | undefined): ListFormat {
  return json ? "json" : stdoutIsTty() ? "table" : "plain";
}

/**
 * Prints customers as they arrive. Tables are printed a page (`batch`) at a time, so the columns of a
 * long listing line up within each block while memory stays bounded. Returns how many were printed.
 */
export async function printCustomers(
  customers: AsyncIterable<Customer>,
  format: ListFormat,
  batch = 50,
): Promise<number> {
  const out = process.stdout;
  let count = 0;
  let pending: Customer[] = [];
  const flushTable = async () => {
    if (pending.length === 0) return;
    const rows = pending.map((c) => LIST_COLUMNS.map(([, get]) => get(c)));
    await write(
      out,
      `${count > pending.length ? "\n" : ""}${formatTable(
        LIST_COLUMNS.map(([h]) => h),
        rows,
      )}\n`,
    );
    pending = [];
  };
  async function* counted(): AsyncGenerator<Customer> {
    for await (const customer of customers) {
      count++;
      yield customer;
    }
  }
  if (format === "json") {
    for await (const chunk of jsonArray(counted())) await write(out, chunk);
  } else if (format === "plain") {
    for await (const customer of counted())
      await write(out, `${LIST_COLUMNS.map(([, get]) => get(customer)).join("\t")}\n`);
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
