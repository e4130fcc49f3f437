// A webhook receiver in the Fetch standard, `(request: Request) => Promise<Response>`: what Hono, Next.js
// route handlers, Bun.serve, Deno.serve and workers take. Reading, the body cap and the checks are
// `unwrapWebhook`'s (core's rules); the answers are core's, the same as every other receiver's.
import {
  WEBHOOK_ACCEPTED,
  WEBHOOK_HANDLER_FAILED,
  type WebhookAnswer,
  type WebhookEvent,
  webhookRefused,
} from "@square-customers/core";
import { type UnwrapOptions, unwrapWebhook, WebhookVerificationError } from "./unwrap.js";

/**
 * A Fetch-standard handler for one subscription: each delivery is verified and handed to `onEvent`, and
 * answered 200 only after `onEvent` has finished. A refused delivery (no signature, a wrong one, a body
 * that is not an event or is over core's cap) gets its 4xx and never reaches `onEvent`; an `onEvent` that
 * throws gets a 500, so Square delivers the event again later.
 */
export function createFetchWebhookHandler(
  options: UnwrapOptions,
  onEvent: (event: WebhookEvent) => unknown,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const { status, body } = await answerDelivery(request, options, onEvent);
    return Response.json(body, { status });
  };
}

async function answerDelivery(
  request: Request,
  options: UnwrapOptions,
  onEvent: (event: WebhookEvent) => unknown,
): Promise<WebhookAnswer> {
  let event: WebhookEvent;
  try {
    event = await unwrapWebhook(request, options);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return webhookRefused(error.reason);
    throw error;
  }
  try {
    await onEvent(event);
  } catch {
    return WEBHOOK_HANDLER_FAILED;
  }
  return WEBHOOK_ACCEPTED;
}
