// Webhooks: signing a delivery, checking that one comes from Square, and reading it into a typed event.
// One implementation of each for everyone: both clients unwrap deliveries with `unwrapWebhook`, and the
// emulator signs them with `webhookSignature` (spec/BEHAVIOUR.md, "Webhooks").
import { type CustomerWebhookEvent, customerEventTypes } from "./generated/events.js";
import { shapeProblem } from "./response-check.js";

/** The header carrying a delivery's HMAC-SHA256 signature. */
export const WEBHOOK_SIGNATURE_HEADER = "x-square-hmacsha256-signature";

export interface WebhookSignatureInput {
  /** The `x-square-hmacsha256-signature` header of the notification. */
  readonly signatureHeader: string | null | undefined;
  /** The subscription's signature key. */
  readonly signatureKey: string;
  /** The notification URL exactly as configured in the subscription. */
  readonly notificationUrl: string;
  /** The request body exactly as received, before any JSON parsing. */
  readonly rawBody: string | Uint8Array;
}

/**
 * The signature of a delivery: base64 HMAC-SHA256, keyed by the signature key, over the notification URL
 * followed by the raw body. WebCrypto, so it runs in every runtime.
 */
export async function webhookSignature(input: {
  readonly signatureKey: string;
  readonly notificationUrl: string;
  readonly rawBody: string | Uint8Array;
}): Promise<string> {
  return encodeBase64(await hmac(input));
}

/** Whether a delivery's signature header is right for its URL, body and key (constant-time compare). */
export async function verifyWebhookSignature(input: WebhookSignatureInput): Promise<boolean> {
  const expected = decodeBase64(input.signatureHeader?.trim() ?? "");
  if (!expected || expected.length === 0 || !input.signatureKey) return false;
  return constantTimeEqual(await hmac(input), expected);
}

/**
 * An event whose type this package does not know (Square added it later, or it is not a customer event).
 * Kept whole, never dropped: `type` is `"unknown"` so that a `switch (event.type)` stays exhaustive, and
 * `eventType` holds what Square sent.
 */
export interface UnknownWebhookEvent {
  readonly type: "unknown";
  readonly eventType: string;
  readonly event_id: string;
  readonly merchant_id: string | undefined;
  readonly created_at: string | undefined;
  /** The parsed body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The body exactly as received. */
  readonly rawBody: string;
}

/** What a delivery holds: a customer event, keyed by its `type`, or an unknown one. */
export type WebhookEvent = CustomerWebhookEvent | UnknownWebhookEvent;

/**
 * Why a delivery was refused. A refused delivery is never applied; handlers answer it with a 4xx
 * (`webhookRefused`).
 */
export type WebhookFailureReason =
  | "missing_signature"
  | "signature_mismatch"
  | "malformed_body"
  | "body_too_large";

/** Every reason a delivery is refused for (for schemas and exhaustive checks). */
export const WEBHOOK_FAILURE_REASONS = [
  "missing_signature",
  "signature_mismatch",
  "malformed_body",
  "body_too_large",
] as const satisfies readonly WebhookFailureReason[];

export type WebhookOutcome =
  | { readonly ok: true; readonly event: WebhookEvent }
  | { readonly ok: false; readonly reason: WebhookFailureReason; readonly message: string };

/** The status a receiver answers a refused delivery with. */
export const WEBHOOK_REFUSAL_STATUS: Readonly<Record<WebhookFailureReason, number>> = {
  missing_signature: 401,
  signature_mismatch: 401,
  malformed_body: 400,
  body_too_large: 413,
};

/**
 * The largest delivery body a receiver reads (1 MiB): Square's customer events are a few KB, and a
 * receiver must not read an endless body into memory. Past it, a handler stops reading and refuses the
 * delivery with `body_too_large`.
 */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

const REFUSAL_TEXT: Readonly<Record<WebhookFailureReason, string>> = {
  missing_signature: `webhook delivery refused: it has no ${WEBHOOK_SIGNATURE_HEADER} header`,
  signature_mismatch:
    "webhook delivery refused: its signature does not match (another signature key, a notification URL other " +
    "than the subscription's: scheme, host, path and trailing slash must be the same, or a changed body)",
  malformed_body:
    "webhook delivery refused: the body is not a webhook event (a JSON object with string type and event_id, and data)",
  body_too_large: `webhook delivery refused: the body is larger than ${WEBHOOK_MAX_BODY_BYTES} bytes`,
};

/** A refused delivery, with core's text for `reason`, or `detail` when there is more to say. */
export function webhookRefusal(
  reason: WebhookFailureReason,
  detail?: string,
): Extract<WebhookOutcome, { ok: false }> {
  return {
    ok: false,
    reason,
    message: detail === undefined ? REFUSAL_TEXT[reason] : `webhook delivery refused: ${detail}`,
  };
}

/** What a receiver answers a delivery with: a status, and a small JSON body. */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: { readonly ok: true } | { readonly error: WebhookFailureReason | "handler_failed" };
}

/** The answer to a delivery that was verified and whose event the receiver's code handled: 200. */
export const WEBHOOK_ACCEPTED: WebhookAnswer = { status: 200, body: { ok: true } };

/** The answer to a refused delivery: 401 for signatures, 400 for a body that is no event, 413 past the cap. */
export function webhookRefused(reason: WebhookFailureReason): WebhookAnswer {
  return { status: WEBHOOK_REFUSAL_STATUS[reason], body: { error: reason } };
}

/**
 * The answer when the receiver's own code failed on a verified event: 500, so that Square delivers the
 * event again later.
 */
export const WEBHOOK_HANDLER_FAILED: WebhookAnswer = { status: 500, body: { error: "handler_failed" } };

/**
 * Checks a delivery and reads it: a body over the cap, a missing or wrong signature, or a body that is
 * not an event, is a refusal with its reason; anything else is an event (an unknown type included).
 */
export async function unwrapWebhook(input: WebhookSignatureInput): Promise<WebhookOutcome> {
  const size = typeof input.rawBody === "string" ? byteLength(input.rawBody) : input.rawBody.byteLength;
  if (size > WEBHOOK_MAX_BODY_BYTES) return webhookRefusal("body_too_large");
  if (!input.signatureHeader?.trim()) return webhookRefusal("missing_signature");
  if (!(await verifyWebhookSignature(input))) return webhookRefusal("signature_mismatch");
  const text = typeof input.rawBody === "string" ? input.rawBody : new TextDecoder().decode(input.rawBody);
  return parseWebhookEvent(text);
}

/**
 * Reads a delivery's body (already verified) into an event: the one rule of which deliveries both clients
 * accept. Every event needs string `type` and `event_id` and a `data` object; an event of a type this
 * package knows must also have its model's shape, checked as deep as answers are (response-check.ts:
 * forward compatible, so fields and enum values Square adds later pass). Any other type is kept whole as
 * an unknown event.
 */
export function parseWebhookEvent(rawBody: string): WebhookOutcome {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return webhookRefusal("malformed_body");
  }
  if (!isEvent(body)) return webhookRefusal("malformed_body");
  if (Object.hasOwn(customerEventTypes, body.type)) {
    const model = customerEventTypes[body.type as keyof typeof customerEventTypes];
    const problem = shapeProblem(model, body);
    if (problem !== undefined)
      return webhookRefusal("malformed_body", `the body is not a ${body.type} event: ${problem}`);
    return { ok: true, event: body as unknown as CustomerWebhookEvent };
  }
  return {
    ok: true,
    event: {
      type: "unknown",
      eventType: body.type,
      event_id: body.event_id,
      merchant_id: typeof body.merchant_id === "string" ? body.merchant_id : undefined,
      created_at: typeof body.created_at === "string" ? body.created_at : undefined,
      body,
      rawBody,
    },
  };
}

/** What every event has, known or not: string `type` and `event_id`, and a `data` object. */
function isEvent(
  body: unknown,
): body is { type: string; event_id: string; data: object } & Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return false;
  const { type, event_id, data } = body as Record<string, unknown>;
  return (
    typeof type === "string" &&
    type !== "" &&
    typeof event_id === "string" &&
    event_id !== "" &&
    typeof data === "object" &&
    data !== null
  );
}

/** UTF-8 bytes of a string, without encoding it. */
function byteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair: one code point of four bytes
      i++;
    } else bytes += 3;
  }
  return bytes;
}

async function hmac(input: {
  readonly signatureKey: string;
  readonly notificationUrl: string;
  readonly rawBody: string | Uint8Array;
}): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const body = typeof input.rawBody === "string" ? encoder.encode(input.rawBody) : input.rawBody;
  const url = encoder.encode(input.notificationUrl);
  const payload = new Uint8Array(url.length + body.length);
  payload.set(url, 0);
  payload.set(body, url.length);
  const key = await hmacKey(input.signatureKey);
  return new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, payload));
}

/**
 * A WebCrypto key, named by what `importKey` gives: lib.dom calls it CryptoKey, @types/node has no global
 * name for it.
 */
type HmacKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

/**
 * The WebCrypto key of a signature key, imported once: importing took a sixth of the emulator's time per
 * delivery. A process holds few signature keys; the cache is bounded anyway.
 */
const importedKeys = new Map<string, Promise<HmacKey>>();
const MAX_CACHED_KEYS = 64;

function hmacKey(signatureKey: string): Promise<HmacKey> {
  let key = importedKeys.get(signatureKey);
  if (key === undefined) {
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.clear();
    key = globalThis.crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(signatureKey),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    importedKeys.set(signatureKey, key);
  }
  return key;
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
