// A webhook receiver in the Fetch standard, `(request: Request) => Promise<Response>`: what Hono, Next.js
// route handlers, Bun.serve, Deno.serve and workers take. It reads the body as bytes (the signature covers
// them exactly), at most 1 MiB, verifies and reads the delivery with core's rules, hands the event to
// `onEvent`, and answers the way the node:http handler does.
import {
  WEBHOOK_REFUSAL_STATUS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
  type WebhookFailureReason,
} from "@square-customers/core";
import { type UnwrapOptions, unwrapDelivery, WebhookVerificationError } from "./webhooks.js";

/** Square's deliveries are small; a bigger body is refused unread (as the node:http handler does). */
const MAX_BODY_BYTES = 1024 * 1024;

/** What a delivery is answered with: applied, refused (and why), or the handler failed. */
type Verdict =
  | { readonly kind: "applied" }
  | { readonly kind: "refused"; readonly reason: WebhookFailureReason }
  | { readonly kind: "failed" };

/** The status and JSON body of each verdict, the same in every receiver. */
function answerOf(verdict: Verdict): { readonly status: number; readonly body: object } {
  switch (verdict.kind) {
    case "applied":
      return { status: 200, body: { ok: true } };
    case "refused":
      return { status: WEBHOOK_REFUSAL_STATUS[verdict.reason], body: { error: verdict.reason } };
    case "failed":
      return { status: 500, body: { error: "handler_failed" } };
  }
}

/**
 * A Fetch-standard handler for one subscription: each delivery is verified and handed to `onEvent`, and
 * answered 200 only after `onEvent` has finished. A refused delivery (no signature, a wrong one, a body
 * that is not an event or is over 1 MiB) gets its 4xx and never reaches `onEvent`; an `onEvent` that
 * throws gets a 500, so Square delivers the event again later.
 */
export function createFetchWebhookHandler(
  options: UnwrapOptions,
  onEvent: (event: WebhookEvent) => unknown,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const verdict = await handle(request, options, onEvent);
    const { status, body } = answerOf(verdict);
    return Response.json(body, { status });
  };
}

async function handle(
  request: Request,
  options: UnwrapOptions,
  onEvent: (event: WebhookEvent) => unknown,
): Promise<Verdict> {
  let event: WebhookEvent;
  try {
    const rawBody = await readBody(request);
    if (rawBody === undefined) return { kind: "refused", reason: "malformed_body" };
    event = await unwrapDelivery(
      { rawBody, signatureHeader: request.headers.get(WEBHOOK_SIGNATURE_HEADER) },
      options,
    );
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { kind: "refused", reason: error.reason };
    throw error;
  }
  try {
    await onEvent(event);
  } catch {
    return { kind: "failed" };
  }
  return { kind: "applied" };
}

/** The body's bytes; undefined past MAX_BODY_BYTES (the rest is not read). */
async function readBody(request: Request): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) return undefined;
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
