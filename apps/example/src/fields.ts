// The CSV shape of a customer, one column per field in Square's wire names (nested fields dotted:
// `address.postal_code`), and the two mappings: a CSV row → a bulk-create entry, a Customer → a row.
// Validation is not done here: core's `validateRequest` is the one place that knows the rules.
import type { BulkCreateCustomerData, Customer } from "@square-customers/core";

/** Top-level fields a new customer can be given. */
const CUSTOMER_FIELDS = [
  "given_name",
  "family_name",
  "company_name",
  "nickname",
  "email_address",
  "phone_number",
  "reference_id",
  "birthday",
  "note",
] as const;

/** Every field of an address (all of them, so that an export → import round trip loses nothing). */
const ADDRESS_FIELDS = [
  "address_line_1",
  "address_line_2",
  "address_line_3",
  "locality",
  "sublocality",
  "sublocality_2",
  "sublocality_3",
  "administrative_district_level_1",
  "administrative_district_level_2",
  "administrative_district_level_3",
  "postal_code",
  "country",
  "first_name",
  "last_name",
] as const;

/** Columns an import reads (and an export writes). */
export const WRITABLE_COLUMNS: readonly string[] = [
  ...CUSTOMER_FIELDS,
  ...ADDRESS_FIELDS.map((f) => `address.${f}`),
  "tax_ids.eu_vat",
];

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
  const address: Record<string, string> = {};
  for (const [column, raw] of Object.entries(row)) {
    const value = raw.trim();
    if (value === "" || !WRITABLE_COLUMNS.includes(column)) continue;
    if (column.startsWith("address.")) address[column.slice("address.".length)] = value;
    else if (column === "tax_ids.eu_vat") customer.tax_ids = { eu_vat: value };
    else customer[column] = value;
  }
  if (Object.keys(address).length > 0) customer.address = address;
  // The casts stop at the wire: `country` is checked against Square's enum by core's validation.
  return customer as BulkCreateCustomerData;
}

/** A customer as a CSV row in `EXPORT_COLUMNS` order (absent and null fields are empty cells). */
export function customerToRow(customer: Customer): string[] {
  const address = (customer.address ?? {}) as Record<string, unknown>;
  const record = customer as Record<string, unknown>;
  return EXPORT_COLUMNS.map((column) => {
    if (column.startsWith("address.")) return cell(address[column.slice("address.".length)]);
    if (column === "tax_ids.eu_vat") return cell(customer.tax_ids?.eu_vat);
    return cell(record[column]);
  });
}

function cell(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

/** A short display name: given + family name, else company, else email, else phone. */
export function displayName(customer: Customer): string {
  const name = [customer.given_name, customer.family_name].filter(Boolean).join(" ");
  return name || customer.company_name || customer.email_address || customer.phone_number || "(no name)";
}
