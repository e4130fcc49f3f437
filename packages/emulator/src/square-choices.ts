// Every place where Square documents nothing and the emulator has to pick a behaviour lives here, so a
// later discovery about the real API changes one line. spec/BEHAVIOUR.md marks these as "unconfirmed".
import type { CustomerEventType, ErrorCategory, ErrorCode } from "@square-customers/core";

/** Largest request body accepted; bigger ones get 413 (the issue asks for a 4xx above 1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * An oversized body is still read (and thrown away) up to this many bytes so that the client sees the
 * 413 instead of a reset connection; beyond it the socket is closed after the answer.
 */
export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * A stale `version` on an update or delete. Square only says "version mismatch"; spec/BEHAVIOUR.md picks this
 * code (which the project adds to the spec's ErrorCode enum) and the clients treat it as a conflict.
 */
export const VERSION_MISMATCH = {
  status: 400,
  category: "INVALID_REQUEST_ERROR" satisfies ErrorCategory,
  code: "VERSION_MISMATCH" satisfies ErrorCode,
} as const;

/** The same idempotency key sent again with a different body. */
export const IDEMPOTENCY_KEY_REUSED = {
  status: 400,
  category: "INVALID_REQUEST_ERROR" satisfies ErrorCategory,
  code: "IDEMPOTENCY_KEY_REUSED" satisfies ErrorCode,
} as const;

/** A body that is not JSON at all, or JSON that is not an object. */
export const MALFORMED_JSON_CODE: ErrorCode = "EXPECTED_JSON_BODY";

/**
 * A POST with an empty body and no Content-Type is read as `{}` (Square's SDKs always send a body, curl
 * users may not). An empty body declared as anything but JSON is still refused.
 */
export const EMPTY_BODY_IS_EMPTY_OBJECT = true;

// ---- content negotiation (api/negotiation.ts): Square's spec lists these codes among the errors any
// endpoint may return (`x-square-generic-error-codes`), without saying when; the statuses follow HTTP.

/** A body not declared as JSON (no Content-Type, or another media type): 415 UNSUPPORTED_MEDIA_TYPE. */
export const BODY_NOT_JSON = { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" satisfies ErrorCode } as const;

/** A Content-Type that is no media type, or JSON in a charset other than UTF-8: 400 INVALID_CONTENT_TYPE. */
export const CONTENT_TYPE_MALFORMED = {
  status: 400,
  code: "INVALID_CONTENT_TYPE" satisfies ErrorCode,
} as const;

/** An `Accept` that leaves JSON out (an empty one counts as absent): 406 NOT_ACCEPTABLE. */
export const JSON_NOT_ACCEPTED = { status: 406, code: "NOT_ACCEPTABLE" satisfies ErrorCode } as const;

/**
 * A body sent to an operation that takes none (GET, DELETE and the like): 400 BAD_REQUEST rather than
 * ignored, so a client that puts its input in the wrong place learns it.
 */
export const BODY_NOT_TAKEN = { status: 400, code: "BAD_REQUEST" satisfies ErrorCode } as const;

/** Deepest JSON nesting accepted in a request body; deeper bodies get 400 (no request needs > 6). */
export const MAX_JSON_DEPTH = 32;

/** Page sizes when the request gives no `limit`. */
export const DEFAULT_LIMITS = {
  customers: 100,
  groups: 50,
  segments: 50,
  customAttributeDefinitions: 20,
  customAttributes: 20,
} as const;

/** A `count: true` request with no matches answers `{ "count": 0 }` rather than `{}`. */
export const COUNT_ON_EMPTY_RESULT = true;

/**
 * DEFAULT sort: given name, family name, company, email, phone — compared case-insensitively, an
 * absent field sorting as the empty string (so before any present one in ascending order).
 */
export function defaultSortKey(c: {
  given_name?: string | null | undefined;
  family_name?: string | null | undefined;
  company_name?: string | null | undefined;
  email_address?: string | null | undefined;
  phone_number?: string | null | undefined;
}): string {
  return [c.given_name, c.family_name, c.company_name, c.email_address, c.phone_number]
    .map((v) => (v ?? "").toLowerCase())
    .join("\u0001");
}

/** Both ends of `created_at` / `updated_at` ranges in search are inclusive. */
export const TIME_RANGE_INCLUSIVE = true;

/**
 * Group filter with an id that names no group: Square's docs say the result is `{}`. A segment filter
 * naming an unknown segment is a 400 BAD_REQUEST (documented).
 */
export const EMPTY_RESULT_ON_UNKNOWN_GROUP = true;

/** A custom-attribute search filter naming a key with no definition is a 400 rather than no match. */
export const UNKNOWN_ATTRIBUTE_KEY_IN_FILTER_IS_ERROR = true;

/**
 * Phone numbers are compared in E.164. A stored number without `+` and with exactly 10 digits is taken
 * to be North American (+1); any other number without `+` is read as already carrying its country code.
 */
export function toE164(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (phone.trim().startsWith("+")) return `+${digits}`;
  return digits.length === 10 ? `+1${digits}` : `+${digits}`;
}

/** An empty string on create is treated as "not given", on update as "clear" (like null). */
export const EMPTY_STRING_IS_ABSENT = true;

/** Update replaces the whole `address` / `tax_ids` object rather than merging into it. */
export const REPLACE_NESTED_OBJECTS_ON_UPDATE = true;

/** Group membership changes do not touch the customer's `version` or `updated_at`. */
export const MEMBERSHIP_CHANGES_BUMP_VERSION = false;

/** Every update call adds 1 to `version`, even when it changes nothing. */
export const VERSION_BUMPS_ON_NOOP_UPDATE = true;

/** `creation_source` of customers made through the API (documented) and of seeded ones (a choice). */
export const API_CREATION_SOURCE = "THIRD_PARTY";
export const SEEDED_CREATION_SOURCES = ["DIRECTORY", "IMPORT", "THIRD_PARTY", "ONLINE_STORE"] as const;

/** A custom attribute definition whose key or name is already taken. */
export const DUPLICATE_DEFINITION = { status: 409, code: "CONFLICT" satisfies ErrorCode } as const;

/** Longest value a `String` custom attribute may hold (Square's limit is not in the spec). */
export const MAX_STRING_ATTRIBUTE_LENGTH = 1000;

/**
 * Card nonces that make card-on-file creation fail, after Square's sandbox test values. Any other
 * non-empty nonce gives a Visa card.
 */
export const FAILING_CARD_NONCES: Record<
  string,
  { code: ErrorCode; category: ErrorCategory; detail: string }
> = {
  "cnon:card-nonce-rejected-cvv": {
    code: "VERIFY_CVV_FAILURE",
    category: "PAYMENT_METHOD_ERROR",
    detail: "The card's CVV could not be verified.",
  },
  "cnon:card-nonce-rejected-postalcode": {
    code: "VERIFY_AVS_FAILURE",
    category: "PAYMENT_METHOD_ERROR",
    detail: "The card's postal code could not be verified.",
  },
  "cnon:card-nonce-rejected-expiration": {
    code: "INVALID_EXPIRATION",
    category: "PAYMENT_METHOD_ERROR",
    detail: "The card's expiration date is not valid.",
  },
  "cnon:card-nonce-already-used": {
    code: "CARD_TOKEN_USED",
    category: "INVALID_REQUEST_ERROR",
    detail: "The card nonce was already used.",
  },
};

/** Read-only segments every merchant has (Square computes them; the emulator seeds fixed ones). */
export const SEGMENTS = [
  { suffix: "REACHABLE", name: "Reachable" },
  { suffix: "LOYAL", name: "Loyal" },
  { suffix: "LAPSED", name: "Lapsed" },
] as const;

/** Square-Version values must look like a date; any well-formed date is accepted and echoed. */
export const SQUARE_VERSION_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

// ---- webhooks ------------------------------------------------------------------------------------------

/**
 * Square's examples of delete events carry `data.deleted: true`, which the event schemas do not list;
 * the emulator sends it too.
 */
export const DELETE_EVENTS_SAY_DELETED = true;

/**
 * Notification URLs may be `http:` as well as `https:` (Square's dashboard asks for HTTPS; a local
 * receiver seldom has a certificate).
 */
export const NOTIFICATION_URL_PROTOCOLS: readonly string[] = ["http:", "https:"];

/**
 * `square-retry-reason` values: Square names `http_timeout` and `http_error`; the emulator sends
 * `http_timeout` when no answer came in time and `http_error` for any other failure (a non-2xx status, a
 * redirect, a refused or broken connection).
 */
export type RetryReason = "http_timeout" | "http_error";

/** The reason a `fail_first` fault gives the retry of an attempt it pretended failed. */
export const INJECTED_FAILURE_REASON: RetryReason = "http_timeout";

/** A subscription test whose receiver did not answer reports `status_code` 0 (nothing was returned). */
export const NO_ANSWER_STATUS_CODE = 0;

/** Subscription ids look like Square's: `wbhk_` and 32 hex digits. */
export const SUBSCRIPTION_ID_PREFIX = "wbhk_";

/** What a subscription test sends when the request names no event type (if subscribed to it). */
export const DEFAULT_TEST_EVENT_TYPE: CustomerEventType = "customer.created";
