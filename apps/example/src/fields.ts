// The CSV shape of a customer, one column per field in Square's wire names (nested fields dotted:
// `address.postal_code`), and the two mappings: a CSV row → a bulk-create entry, a Customer → a row.
// The columns come from core's constraint table, so a field the spec adds becomes a column by itself.
// Validation is not done here: core's `validateRequest` is the one place that knows the rules.
import type { BulkCreateCustomerData, Customer } from "@square-customers/core";
import { requestSchemas, type SchemaNode } from "@square-customers/core/tooling";

const schemas: Readonly<Record<string, SchemaNode>> = requestSchemas;

/**
 * Columns an import reads (and an export writes): every field a bulk-create entry takes, with the
 * fields of a nested object (address, tax ids) as `parent.field`, so an export → import round trip
 * loses nothing.
 */
export const WRITABLE_COLUMNS: readonly string[] = Object.entries(
  requestSchemas.BulkCreateCustomerData.properties,
).flatMap(([name, node]) => {
  const nested = "ref" in node ? schemas[node.ref]?.properties : undefined;
  return nested ? Object.keys(nested).map((field) => `${name}.${field}`) : [name];
});

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
