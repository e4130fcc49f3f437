// A customer as the customers table holds it: its JSON, and the columns derived from it that sorting and
// searching use (customer-records.ts derives them; the store writes them, in one column order for INSERT
// and UPDATE alike).
import type { SQLInputValue } from "node:sqlite";

/** The columns derived from a customer for sorting and filtering. */
export interface CustomerRow {
  id: string;
  data: string;
  listed: number;
  sort_default: string;
  created_ms: number;
  updated_ms: number;
  email: string | null;
  phone: string | null;
  reference_id: string | null;
  creation_source: string | null;
  /** Not columns: the customer's rows in customer_memberships. */
  group_ids: readonly string[];
  segment_ids: readonly string[];
}

/** Every column of a customer row besides its keys, in one order for both INSERT and UPDATE. */
const DERIVED_COLUMNS = [
  "data",
  "listed",
  "sort_default",
  "created_ms",
  "updated_ms",
  "email",
  "phone",
  "reference_id",
  "creation_source",
] as const satisfies ReadonlyArray<keyof CustomerRow>;

export const INSERT_CUSTOMER = `INSERT INTO customers (merchant, id, ${DERIVED_COLUMNS.join(", ")})
  VALUES (?, ?, ${DERIVED_COLUMNS.map(() => "?").join(", ")})`;
export const UPDATE_CUSTOMER = `UPDATE customers SET ${DERIVED_COLUMNS.map((c) => `${c} = ?`).join(", ")}
  WHERE merchant = ? AND id = ?`;

/** A row's derived columns, in the order of INSERT_CUSTOMER and UPDATE_CUSTOMER. */
export function derivedValues(row: CustomerRow): SQLInputValue[] {
  return DERIVED_COLUMNS.map((column) => row[column]);
}

/** What a customer_memberships row records membership of. */
export type MembershipKind = "group" | "segment";
