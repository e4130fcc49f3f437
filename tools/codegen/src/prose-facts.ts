import returned from "./always-returned.json" with { type: "json" };
import additions from "./enum-additions.json" with { type: "json" };

// Limits Square states only in prose (field descriptions of the upstream spec, or spec/BEHAVIOUR.md), not as
// schema keywords. The generator merges them into the constraint table and the operations table, so the
// clients and the emulator enforce them from one place.

export type Limits = {
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
  ListWebhookSubscriptions: { limit: { min: 1, max: 100 } },
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
  TestWebhookSubscription: "another test event does no harm",
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

/**
 * Fields that hold an RFC 3339 date and time ("2025-05-01T09:30:00Z"). The spec types them as plain
 * strings and says so only in prose; the generator also honours `format: date-time` should the spec
 * gain it. Request fields among them accept a `Date` too (core sends it as its ISO string); the rest are
 * read-only timestamps Square sets.
 */
export const dateTimeFields: Record<string, readonly string[]> = {
  TimeRange: ["start_at", "end_at"],
  Customer: ["created_at", "updated_at"],
  CustomerGroup: ["created_at", "updated_at"],
  CustomerSegment: ["created_at", "updated_at"],
  CustomAttribute: ["created_at", "updated_at"],
  CustomAttributeDefinition: ["created_at", "updated_at"],
  Card: ["issuer_alert_at"],
};

/**
 * Request models that update sparsely (BEHAVIOUR.md): a field left out keeps its value and `null` clears
 * it. Their field docs say so.
 */
export const sparseUpdates: ReadonlySet<string> = new Set([
  "UpdateCustomerRequest",
  "BulkUpdateCustomerData",
]);

/**
 * What Square always sends back, a project choice kept in always-returned.json (spec-check reads the
 * same file, so the emulator's contract test proves that it sends them). The spec marks almost nothing
 * as required, which would force a `!` on every `customer.id`.
 *
 * `objects`: fields present, and not null, on every such object in any answer: a customer always has
 * its id, timestamps, version and creation source. Response models make them required; the request
 * form of a model Square also receives (`CustomerGroupInput`, …) keeps them optional.
 *
 * `answers`: the payload of an operation's successful answer, by response model. BEHAVIOUR.md: "a
 * response carries either `errors` or the payload", and the clients turn error statuses into errors.
 * Where the same model is one entry of a bulk answer, an entry that failed holds only its `errors`, so
 * there the payload stays optional (`Partial<CreateCustomerResponse>`).
 */
export const alwaysReturned: {
  readonly objects: Readonly<Record<string, readonly string[]>>;
  readonly answers: Readonly<Record<string, readonly string[]>>;
} = returned;
