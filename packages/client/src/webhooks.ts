// Receiving Square's webhook deliveries: a Fetch-API `Request` in (Node 18+, Bun, Deno, Workers alike), a
// typed event out, or a `WebhookVerificationError` that is never to be applied. The checks are core's
// (`unwrapWebhook`); this file only reads the request. For `node:http` requests see `./node.ts`.
import {
  unwrapWebhook as coreUnwrap,
  WEBHOOK_REFUSAL_STATUS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
  type WebhookFailureReason,
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

/** A delivery that must not be applied: no signature, a wrong one, or a body that is not an event. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookFailureReason;
  /** The status to answer the delivery with (401 for signatures, 400 for a bad body). */
  readonly status: number;
  constructor(reason: WebhookFailureReason, message: string) {
    super(`webhook refused: ${message}`);
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
 * the signature covers the raw body, so it must not be parsed (or re-serialized) first.
 */
export async function unwrapWebhook(request: Request, options: UnwrapOptions): Promise<WebhookEvent> {
  const rawBody = new Uint8Array(await request.arrayBuffer());
  return unwrapDelivery({ rawBody, signatureHeader: request.headers.get(WEBHOOK_SIGNATURE_HEADER) }, options);
}
