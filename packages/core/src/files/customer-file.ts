// Files of customers, as the `customers` CLI exports and imports them and the emulator's `--seed-file`
// reads them: the CSV shape of a customer, one column per field in Square's wire names (nested fields
// dotted: `address.postal_code`), and the mappings: a CSV row or a JSON element → a bulk-create entry, a
// Customer → a row. The columns come from the constraint table, so a field the spec adds becomes a
// column by itself. Whether an entry is valid is `validateRequest`'s to say (`customerProblems`).

import { issueText } from "../call/messages.js";
import type { BulkCreateCustomerData, Customer } from "../generated/models.js";
import { requestSchemas } from "../generated/schemas.js";
import { splitEntryIssues } from "../validation/bulk-entries.js";
import type { SchemaNode } from "../validation/schema-node.js";
import { didYouMean } from "../validation/suggest.js";
import { validateRequest } from "../validation/validate.js";

const schemas: Readonly<Record<string, SchemaNode>> = requestSchemas;

/**
 * The fields of a request schema, with the fields of a nested object (address, tax ids) as
 * `parent.field`: the names a CSV header, a JSON element or `update --set` may use.
 */
export function flatFields(schema: string, exclude: readonly string[] = []): readonly string[] {
  return Object.entries(schemas[schema]?.properties ?? {})
    .filter(([name]) => !exclude.includes(name))
    .flatMap(([name, node]) => {
      const nested = "ref" in node && node.ref !== undefined ? schemas[node.ref]?.properties : undefined;
      return nested ? Object.keys(nested).map((field) => `${name}.${field}`) : [name];
    });
}

/**
 * Columns an import reads (and an export writes): every field a bulk-create entry takes, so an
 * export → import round trip loses nothing.
 */
export const WRITABLE_COLUMNS: readonly string[] = flatFields("BulkCreateCustomerData");

/**
 * Columns an export writes that Square sets itself. An import accepts and ignores them, so an exported
 * file can be imported as it is.
 */
export const READ_ONLY_COLUMNS: readonly string[] = [
  "id",
  "created_at",
  "updated_at",
  "version",
  "creation_source",
];

/**
 * Fields of an exported customer (JSON) that Square sets itself or that other calls manage (groups,
 * segments, cards, preferences). An import ignores them, as it ignores the read-only CSV columns.
 */
export const IGNORED_JSON_FIELDS: readonly string[] = [
  ...READ_ONLY_COLUMNS,
  "preferences",
  "group_ids",
  "segment_ids",
  "cards",
];

/** The header of an exported CSV file. */
export const EXPORT_COLUMNS: readonly string[] = ["id", ...WRITABLE_COLUMNS, ...READ_ONLY_COLUMNS.slice(1)];

/** Header names an import does not know (typos would otherwise drop data silently). */
export function unknownColumns(header: readonly string[]): string[] {
  return header.filter((name) => !WRITABLE_COLUMNS.includes(name) && !READ_ONLY_COLUMNS.includes(name));
}

/**
 * One CSV row (header → cell) as a bulk-create entry. Cells are trimmed; empty cells and read-only
 * columns are left out, so the entry holds exactly what the row says.
 */
export function rowToCustomer(row: Readonly<Record<string, string>>): BulkCreateCustomerData {
  const customer: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(row)) {
    const value = raw.trim();
    if (value === "" || !WRITABLE_COLUMNS.includes(column)) continue;
    const [name = "", field] = column.split(".");
    if (field === undefined) customer[name] = value;
    else customer[name] = { ...(customer[name] as object | undefined), [field]: value };
  }
  // The cast stops at the wire: `country` is checked against Square's enum by core's validation.
  return customer as BulkCreateCustomerData;
}

/**
 * One element of a JSON import (a customer as `export` writes it) as a bulk-create entry, or why it
 * cannot be one. Null and empty values are left out, as empty CSV cells are; fields Square sets are
 * ignored; any other field must be one an import reads, with a text value.
 */
export function jsonToCustomer(
  value: unknown,
): { customer: BulkCreateCustomerData } | { problems: string[] } {
  if (!isPlainObject(value)) return { problems: ["not a JSON object (expected one customer)"] };
  const cells: Record<string, string> = {};
  const problems: string[] = [];
  const take = (name: string, inner: unknown) => {
    if (inner === null || inner === undefined) return;
    if (!WRITABLE_COLUMNS.includes(name)) problems.push(`unknown field "${name}"`);
    else if (typeof inner !== "string") problems.push(`${name} must be text, got ${JSON.stringify(inner)}`);
    else cells[name] = inner;
  };
  for (const [name, inner] of Object.entries(value)) {
    if (IGNORED_JSON_FIELDS.includes(name)) continue;
    if (isPlainObject(inner)) {
      for (const [field, innermost] of Object.entries(inner)) take(`${name}.${field}`, innermost);
    } else take(name, inner);
  }
  return problems.length > 0 ? { problems } : { customer: rowToCustomer(cells) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A customer as a CSV row in `EXPORT_COLUMNS` order (absent and null fields are empty cells). */
export function customerToRow(customer: Customer): string[] {
  const record = customer as Record<string, unknown>;
  return EXPORT_COLUMNS.map((column) => {
    const [name = "", field] = column.split(".");
    const value =
      field === undefined ? record[name] : (record[name] as Record<string, unknown> | null)?.[field];
    return value === undefined || value === null ? "" : String(value);
  });
}

/** A customer file that cannot be read at all (its structure, its header): the message names file and line. */
export class CustomerFileError extends Error {
  override readonly name = "CustomerFileError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/**
 * Why a CSV header cannot be read (unknown or repeated columns, or none a customer has), or undefined.
 * `hint` is put before the list of columns when some are unknown (the CLI's `--delimiter` advice).
 */
export function headerProblem(header: readonly string[], hint = ""): string | undefined {
  const unknown = unknownColumns(header);
  if (unknown.length > 0) {
    return (
      `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((c) => `"${c}"${didYouMean(c, WRITABLE_COLUMNS)}`).join(", ")}\n` +
      hint +
      `  columns an import reads: ${WRITABLE_COLUMNS.join(", ")}`
    );
  }
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  if (repeated.length > 0) return `column "${repeated[0]}" appears more than once`;
  if (!header.some((name) => WRITABLE_COLUMNS.includes(name))) {
    return "the header names no customer field (e.g. given_name, email_address)";
  }
  return undefined;
}

/**
 * Why a customer read from a file could not be created (core's validation of a bulk-create entry), as
 * messages that name their field; empty when it can be.
 */
export function customerProblems(customer: BulkCreateCustomerData): string[] {
  const key = "entry";
  const body = { customers: { [key]: customer } };
  const { whole, perEntry } = splitEntryIssues(
    "bulkCreateCustomers",
    body,
    validateRequest("bulkCreateCustomers", [], body),
  );
  // Core's messages are passed on as core words them, each naming its field once.
  return [...whole, ...(perEntry.get(key) ?? [])].map(issueText);
}
