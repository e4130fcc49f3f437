// What a receiver answers a delivery with, and why it refuses one: the reasons, their statuses and texts,
// the body cap, and the three answers (accepted, refused, handler failed). One set for every receiver of
// both clients, so the same delivery gets the same answer whichever receives it.
import { WEBHOOK_SIGNATURE_HEADER } from "./signature.js";

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

/** A refused delivery: never applied, answered with a 4xx (`webhookRefused`). */
export interface WebhookRefusal {
  readonly ok: false;
  readonly reason: WebhookFailureReason;
  readonly message: string;
}

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
export function webhookRefusal(reason: WebhookFailureReason, detail?: string): WebhookRefusal {
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
