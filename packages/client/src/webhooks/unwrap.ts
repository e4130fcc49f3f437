// Receiving Square's webhook deliveries: a Fetch-API `Request` in (Node 18+, Bun, Deno, Workers alike), a
// typed event out, or a `WebhookVerificationError` that is never to be applied. The checks are core's
// (`unwrapWebhook`); this file only reads the request. For `node:http` requests see `../node.ts`.
import {
  unwrapWebhook as coreUnwrap,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_REFUSAL_STATUS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
  type WebhookFailureReason,
  webhookRefusal,
} from "@square-customers/core";

export interface UnwrapOptions {
  /** The subscription's signature key (shown when the subscription is created or its key rotated). */
  readonly signatureKey: string;
  /**
   * The notification URL exactly as configured in the subscription (scheme, host, path, trailing slash):
   * behind a proxy it differs from the URL the request arrived at, so it is never taken from the request.
   */
  readonly notificationUrl: string;
}

/**
 * A delivery that must not be applied: no signature, a wrong one, a body that is not an event, or one
 * over the size cap. The message is core's, word for word the Effect client's `WebhookError`.
 */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookFailureReason;
  /** The status to answer the delivery with (401 for signatures, 400 for a bad body, 413 past the cap). */
  readonly status: number;
  constructor(reason: WebhookFailureReason, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
    this.status = WEBHOOK_REFUSAL_STATUS[reason];
  }
}

/** A delivery's raw body and signature header, however they were read. */
export interface WebhookDelivery {
  readonly rawBody: string | Uint8Array;
  readonly signatureHeader: string | null | undefined;
}

/** Verifies and reads a delivery from its raw parts. */
export async function unwrapDelivery(
  delivery: WebhookDelivery,
  options: UnwrapOptions,
): Promise<WebhookEvent> {
  const outcome = await coreUnwrap({ ...delivery, ...options });
  if (!outcome.ok) throw new WebhookVerificationError(outcome.reason, outcome.message);
  return outcome.event;
}

/**
 * Verifies and reads a delivery from a Fetch-API `Request`. The body is read as bytes, exactly as sent:
 * the signature covers the raw body, so it must not be parsed (or re-serialized) first. Reading stops
 * past core's cap (`WEBHOOK_MAX_BODY_BYTES`): such a delivery is refused with `body_too_large`.
 */
export async function unwrapWebhook(request: Request, options: UnwrapOptions): Promise<WebhookEvent> {
  const rawBody = await readCappedBody(request);
  if (rawBody === undefined) {
    const refusal = webhookRefusal("body_too_large");
    throw new WebhookVerificationError(refusal.reason, refusal.message);
  }
  return unwrapDelivery({ rawBody, signatureHeader: request.headers.get(WEBHOOK_SIGNATURE_HEADER) }, options);
}

/** A request's body as bytes, or undefined (and the rest left unread) once it passes core's cap. */
async function readCappedBody(request: Request): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get("content-length") ?? 0) > WEBHOOK_MAX_BODY_BYTES) return undefined;
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > WEBHOOK_MAX_BODY_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
