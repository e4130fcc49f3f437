// What the CLI adds to core's customer-file columns (`@square-customers/core/tooling`): the fields
// `update --set` may change, and how a customer is named in tables and messages.
import type { Customer } from "@square-customers/core";
import { flatFields } from "@square-customers/core/tooling";

/** Fields `customers create --set` may set (the idempotency key is the client's business). */
export const CREATABLE_FIELDS: readonly string[] = flatFields("CreateCustomerRequest", ["idempotency_key"]);

/** Fields `customers update --set` may change (the version is the command's own business). */
export const UPDATABLE_FIELDS: readonly string[] = flatFields("UpdateCustomerRequest", ["version"]);

/** A short display name: given + family name, else company, else email, else phone. */
export function displayName(customer: Customer): string {
  const name = [customer.given_name, customer.family_name].filter(Boolean).join(" ");
  return name || customer.company_name || customer.email_address || customer.phone_number || "(no name)";
}
