// Webhook subscription records: kept in the store per merchant (the merchant of the token that created
// one, whose events it receives), checked when written, and shown without their signature key except
// where Square shows it (create and rotation). (The HTTP handlers are api/handlers/webhooks.ts.)
import { randomBytes } from "node:crypto";
import {
  type CustomerEventType,
  customerEventTypes,
  SQUARE_VERSION,
  type WebhookSubscription,
  type WebhookSubscriptionInput,
} from "@square-customers/core";
import { badRequest, notFound } from "../api/errors.js";
import { decodeCursor, encodeCursor } from "../data/cursor.js";
import { sequenceHex } from "../data/ids.js";
import type { Store } from "../data/store.js";
import {
  NOTIFICATION_URL_PROTOCOLS,
  SQUARE_VERSION_PATTERN,
  SUBSCRIPTION_ID_PREFIX,
} from "../square-choices.js";

/** A subscription as stored: always with its signature key. */
export type StoredSubscription = WebhookSubscription & { signature_key: string };

/** Every event type the emulator publishes (all 23 customer event types). */
export const EVENT_TYPES = Object.keys(customerEventTypes) as CustomerEventType[];

/** Largest page of subscriptions, and the default (Square: "the default value of 100 is also the maximum"). */
const MAX_SUBSCRIPTIONS_PAGE = 100;

const FIELD = "subscription";

/** The next subscription id of a merchant's id sequence (`wbhk_` and 32 hex digits, as Square's). */
export function newSubscriptionId(store: Store, merchant: string): string {
  const { salt, first } = store.takeIdNumbers(merchant);
  return SUBSCRIPTION_ID_PREFIX + sequenceHex(salt, first, 32);
}

/** A fresh signature key, in the style of Square's (22 URL-safe base64 characters). */
export function newSignatureKey(): string {
  return randomBytes(16).toString("base64url");
}

export function loadSubscription(store: Store, merchant: string, id: string): StoredSubscription | undefined {
  const json = store.getObject(merchant, "subscription", "", id);
  return json === undefined ? undefined : (JSON.parse(json) as StoredSubscription);
}

/** The subscription, or a 404 naming it. */
export function requireSubscription(store: Store, merchant: string, id: string): StoredSubscription {
  const s = loadSubscription(store, merchant, id);
  if (s === undefined) throw notFound("Webhook subscription", id, "subscription_id");
  return s;
}

export function saveSubscription(store: Store, merchant: string, s: StoredSubscription): void {
  store.putObject(merchant, "subscription", "", s.id, JSON.stringify(shapeSubscription(s)));
}

/** The fields Square prints, in its order. */
function shapeSubscription(s: StoredSubscription): StoredSubscription {
  const { id, name, enabled, event_types, notification_url, api_version, signature_key } = s;
  return {
    id,
    ...(name == null ? {} : { name }),
    enabled,
    event_types,
    notification_url,
    api_version,
    signature_key,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

/** A subscription as every answer but create and rotation shows it: without its signature key. */
export function withoutKey(s: StoredSubscription): WebhookSubscription {
  const { signature_key: _, ...shown } = s;
  return shown;
}

/** The merchant's enabled subscriptions (the ones that receive its events), oldest first. */
export function enabledSubscriptions(store: Store, merchant: string): StoredSubscription[] {
  return (
    store.all(
      `SELECT data FROM objects WHERE merchant = ? AND kind = 'subscription' AND parent = ''
         AND json_extract(data, '$.enabled') ORDER BY seq`,
      [merchant],
    ) as Array<{ data: string }>
  ).map((r) => JSON.parse(r.data) as StoredSubscription);
}

/** One page of the merchant's subscriptions, by creation in `order`; disabled ones only if asked. */
export function subscriptionPage(
  store: Store,
  merchant: string,
  request: {
    cursor?: string | undefined;
    limit?: number | undefined;
    sort_order?: "ASC" | "DESC" | undefined;
    include_disabled?: boolean | undefined;
  },
): { subscriptions?: WebhookSubscription[]; cursor?: string } {
  const order = request.sort_order ?? "ASC";
  const includeDisabled = request.include_disabled ?? false;
  const scope = `subscription:${order}:${includeDisabled}`;
  const after =
    request.cursor === undefined ? undefined : decodeCursor(store.cursorKey, scope, request.cursor).seq;
  const limit = request.limit ?? MAX_SUBSCRIPTIONS_PAGE;
  const rows = store.all(
    `SELECT seq, data FROM objects WHERE merchant = ? AND kind = 'subscription' AND parent = ''
       AND (? OR json_extract(data, '$.enabled')) AND seq ${order === "ASC" ? ">" : "<"} ?
     ORDER BY seq ${order} LIMIT ?`,
    [merchant, includeDisabled ? 1 : 0, after ?? (order === "ASC" ? 0 : Number.MAX_SAFE_INTEGER), limit + 1],
  ) as Array<{ seq: number; data: string }>;
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    ...(shown.length > 0
      ? { subscriptions: shown.map((r) => withoutKey(JSON.parse(r.data) as StoredSubscription)) }
      : {}),
    ...(rows.length > limit && last !== undefined
      ? { cursor: encodeCursor(store.cursorKey, scope, { value: null, seq: last.seq }) }
      : {}),
  };
}

/** The writable fields of a subscription request, checked; `creating` requires URL and event types. */
export function checkSubscriptionInput(
  input: WebhookSubscriptionInput,
  creating: boolean,
): Partial<
  Pick<StoredSubscription, "name" | "enabled" | "event_types" | "notification_url" | "api_version">
> {
  const out: ReturnType<typeof checkSubscriptionInput> = {};
  // Required on create; an update may leave them out but not clear them.
  for (const field of ["notification_url", "event_types"] as const) {
    if (input[field] === null || (creating && input[field] === undefined)) {
      throw badRequest("MISSING_REQUIRED_PARAMETER", `A subscription needs ${field}.`, `${FIELD}.${field}`);
    }
  }
  if (input.notification_url != null) out.notification_url = checkNotificationUrl(input.notification_url);
  if (input.event_types != null) out.event_types = checkEventTypes(input.event_types);
  if (input.api_version != null) {
    if (!SQUARE_VERSION_PATTERN.test(input.api_version)) {
      throw badRequest("INVALID_VALUE", "api_version must look like YYYY-MM-DD.", `${FIELD}.api_version`);
    }
    out.api_version = input.api_version;
  } else if (creating) out.api_version = SQUARE_VERSION;
  if (input.enabled != null) out.enabled = input.enabled;
  else if (creating) out.enabled = true;
  if (input.name !== undefined) out.name = input.name;
  return out;
}

/** Whether a URL can be a notification URL: absolute, http or https. */
export function isNotificationUrl(url: string): boolean {
  try {
    return NOTIFICATION_URL_PROTOCOLS.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** A notification URL, kept exactly as given (signatures cover it byte for byte). */
function checkNotificationUrl(url: string): string {
  if (!isNotificationUrl(url)) {
    throw badRequest(
      "INVALID_VALUE",
      "notification_url must be an absolute http or https URL.",
      `${FIELD}.notification_url`,
    );
  }
  return url;
}

/** At least one event type, each one the emulator publishes; repeats are dropped. */
function checkEventTypes(types: readonly string[]): string[] {
  if (types.length === 0) {
    throw badRequest("VALUE_EMPTY", "event_types needs at least one event type.", `${FIELD}.event_types`);
  }
  types.forEach((type, i) => {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      throw badRequest(
        "INVALID_VALUE",
        `Unknown event type "${type}": the emulator publishes the customer event types that GET /v2/webhooks/event-types lists.`,
        `${FIELD}.event_types[${i}]`,
      );
    }
  });
  return [...new Set(types)];
}
