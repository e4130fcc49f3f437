import additions from "./enum-additions.json" with { type: "json" };

// Limits Square states only in prose (field descriptions of the upstream spec, or spec/BEHAVIOUR.md), not as
// schema keywords. The generator merges them into the constraint table and the operations table, so the
// clients and the emulator enforce them from one place.

type Limits = {
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
};

const customerTextLimits = {
  given_name: { maxLength: 300 },
  family_name: { maxLength: 300 },
  company_name: { maxLength: 500 },
  nickname: { maxLength: 100 },
  email_address: { maxLength: 254 },
  reference_id: { maxLength: 100 },
} satisfies Record<string, Limits>;

/** Per schema, per property: limits to add. */
export const schemaLimits: Record<string, Record<string, Limits>> = {
  CreateCustomerRequest: customerTextLimits,
  UpdateCustomerRequest: customerTextLimits,
  BulkCreateCustomersRequest: { customers: { minProperties: 1, maxProperties: 100 } },
  BulkUpdateCustomersRequest: { customers: { minProperties: 1, maxProperties: 100 } },
  // The spec gives no bound here; this project caps it at 100 like the other bulk calls (spec/BEHAVIOUR.md).
  BulkRetrieveCustomersRequest: { customer_ids: { minItems: 1, maxItems: 100 } },
  BulkDeleteCustomersRequest: { customer_ids: { minItems: 1, maxItems: 100 } },
  BulkUpsertCustomerCustomAttributesRequest: { values: { minProperties: 1, maxProperties: 25 } },
  CustomerCustomAttributeFilters: { filters: { maxItems: 10 } },
};

/** Per operation, per query parameter: the accepted range of `limit`. */
export const queryLimits: Record<string, Record<string, { min: number; max: number }>> = {
  ListCustomers: { limit: { min: 1, max: 100 } },
  ListCustomerGroups: { limit: { min: 1, max: 50 } },
  ListCustomerSegments: { limit: { min: 1, max: 50 } },
  ListCustomerCustomAttributeDefinitions: { limit: { min: 1, max: 100 } },
  ListCustomerCustomAttributes: { limit: { min: 1, max: 100 } },
};

/**
 * POST operations that are safe to repeat without an `idempotency_key` field, and why. Every other POST
 * is retried only when it carries an idempotency key (see `retryClass` in generate-core.ts).
 */
export const safePosts: Record<string, string> = {
  SearchCustomers: "a read",
  BulkRetrieveCustomers: "a read",
  BulkCreateCustomers: "each entry is keyed by a required idempotency key",
  BulkUpdateCustomers: "an update sets the same values again",
  BulkDeleteCustomers: "deleting again changes nothing",
  BulkUpsertCustomerCustomAttributes: "an upsert sets the same values again",
  CreateCustomerCard: "Square answers a repeated card_nonce with the first card",
};

/**
 * Enum values this project uses beyond the spec's (enum-additions.json, which spec-check reads too).
 * Square documents a stale `version` only as a "version mismatch"; the emulator answers it with
 * `VERSION_MISMATCH` (spec/BEHAVIOUR.md), so the models must know that code.
 */
const enumAdditions: Record<string, string[]> = additions;

/** A spec enum's values plus this project's additions to it. */
export function enumValues(schemaName: string, values: readonly string[]): string[] {
  return [...values, ...(enumAdditions[schemaName] ?? [])];
}
