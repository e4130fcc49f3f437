// The CSV shape of a customer, one column per field in Square's wire names (nested fields dotted:
// `address.postal_code`), and the two mappings: a CSV row → a bulk-create entry, a Customer → a row.
// The columns come from core's constraint table, so a field the spec adds becomes a column by itself.
// Validation is not done here: core's `validateRequest` is the one place that knows the rules.
import type { BulkCreateCustomerData, Customer } from "@square-customers/core";
import { requestSchemas, type SchemaNode } from "@square-customers/core/tooling";

const schemas: Readonly<Record<string, SchemaNode>> = requestSchemas;

/**
 * The fields of a request schema, with the fields of a nested object (address, tax ids) as
 * `parent.field`: the names a CSV header, a JSON element or `update --set` may use.
 */
function flatFields(schema: string, exclude: readonly string[] = []): readonly string[] {
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

/** Fields `customers create --set` may set (the idempotency key is the client's business). */
export const CREATABLE_FIELDS: readonly string[] = flatFields("CreateCustomerRequest", ["idempotency_key"]);

/** Fields `customers update --set` may change (the version is the command's own business). */
export const UPDATABLE_FIELDS: readonly string[] = flatFields("UpdateCustomerRequest", ["version"]);

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

/** A short display name: given + family name, else company, else email, else phone. */
export function displayName(customer: Customer): string {
  const name = [customer.given_name, customer.family_name].filter(Boolean).join(" ");
  return name || customer.company_name || customer.email_address || customer.phone_number || "(no name)";
}
