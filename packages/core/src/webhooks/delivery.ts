// Reading a delivery into a typed event: the one rule of which deliveries both clients accept. The
// signature is signature.ts's to check, the refusals and answers are answers.ts's (spec/BEHAVIOUR.md,
// "Webhooks").
import { type CustomerWebhookEvent, customerEventTypes } from "../generated/events.js";
import { shapeProblem } from "../shapes/shape-problem.js";
import { WEBHOOK_MAX_BODY_BYTES, type WebhookRefusal, webhookRefusal } from "./answers.js";
import { verifyWebhookSignature, type WebhookSignatureInput } from "./signature.js";

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

/** A delivery read: its event, or the refusal (never to be applied). */
export type WebhookOutcome = { readonly ok: true; readonly event: WebhookEvent } | WebhookRefusal;

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
 * package knows must also have its model's shape, checked as deep as answers are (shapes/check.ts:
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
