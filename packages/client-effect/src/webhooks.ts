// @square-customers/client-effect/webhooks: receiving Square's webhook deliveries with Effect.
// `decodeWebhook` checks and reads a delivery with core's rules (`unwrapWebhook`: signature, body cap, and
// which deliveries are events, checked as deep as answers are), failing with a typed `WebhookError` whose
// message is core's; `webhookHandler` is a ready route handler for an effect/http server, answering with
// core's answers.
import {
  unwrapWebhook,
  WEBHOOK_ACCEPTED,
  WEBHOOK_FAILURE_REASONS,
  WEBHOOK_HANDLER_FAILED,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_REFUSAL_STATUS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookAnswer,
  type WebhookEvent,
  webhookRefusal,
  webhookRefused,
} from "@square-customers/core";
import * as ByteSize from "effect/ByteSize";
import * as Effect from "effect/Effect";
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage";
import * as HttpServerRequest from "effect/http/HttpServerRequest";
import * as HttpServerResponse from "effect/http/HttpServerResponse";
import * as Schema from "effect/Schema";

export type {
  CustomerEventType,
  CustomerWebhookEvent,
  UnknownWebhookEvent,
  WebhookEvent,
  WebhookFailureReason,
} from "@square-customers/core";

export interface WebhookOptions {
  /** The subscription's signature key (shown when the subscription is created or its key rotated). */
  readonly signatureKey: string;
  /** The notification URL exactly as configured in the subscription; never taken from the request. */
  readonly notificationUrl: string;
}

/**
 * A delivery that must not be applied: no signature, a wrong one, a body that is not an event, or one
 * over the size cap. The message is core's, word for word the promise client's.
 */
export class WebhookError extends Schema.TaggedError<WebhookError>()("WebhookError", {
  reason: Schema.Literals(WEBHOOK_FAILURE_REASONS),
  message: Schema.String,
}) {
  /** The status to answer the delivery with (401 for signatures, 400 for a bad body, 413 past the cap). */
  get status(): number {
    return WEBHOOK_REFUSAL_STATUS[this.reason];
  }
}

/** A delivery's raw body (exactly as sent) and its signature header. */
export interface WebhookDelivery {
  readonly rawBody: string | Uint8Array;
  readonly signatureHeader: string | null | undefined;
}

/**
 * Verifies a delivery and reads it: a customer event (typed by `type`, with the shape core checked), or
 * an event type this package does not know as `type: "unknown"`, kept whole. Exactly the deliveries the
 * promise client accepts: core decides.
 */
export function decodeWebhook(
  delivery: WebhookDelivery,
  options: WebhookOptions,
): Effect.Effect<WebhookEvent, WebhookError> {
  return Effect.flatMap(
    Effect.promise(() => unwrapWebhook({ ...delivery, ...options })),
    (outcome) =>
      outcome.ok
        ? Effect.succeed(outcome.event)
        : Effect.fail(new WebhookError({ reason: outcome.reason, message: outcome.message })),
  );
}

/**
 * A route handler for one subscription: verifies and decodes each delivery, runs `onEvent`, and answers
 * 200 only after `onEvent` succeeds. A refused delivery gets its 4xx (a body past core's cap is not read
 * further: 413) and never reaches `onEvent`; an `onEvent` that fails gets a 500, so Square delivers the
 * event again later. Use it as `HttpRouter.add("POST", "/webhooks/square", webhookHandler(options, onEvent))`.
 */
export function webhookHandler<E, R>(
  options: WebhookOptions,
  onEvent: (event: WebhookEvent) => Effect.Effect<unknown, E, R>,
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | R> {
  return Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest;
    const body = yield* readCappedBody(request);
    const event = yield* decodeWebhook(
      { rawBody: new Uint8Array(body), signatureHeader: request.headers[WEBHOOK_SIGNATURE_HEADER] },
      options,
    );
    yield* Effect.catchCause(onEvent(event), () => Effect.fail(new HandlerFailed()));
    return answer(WEBHOOK_ACCEPTED);
  }).pipe(
    Effect.catch((error: WebhookError | HandlerFailed) =>
      Effect.succeed(
        answer(error instanceof WebhookError ? webhookRefused(error.reason) : WEBHOOK_HANDLER_FAILED),
      ),
    ),
  );
}

/**
 * The request body, read up to core's cap (effect/http's `MaxBodySize` stops the read there): past it, the
 * delivery is refused with `body_too_large`; a body that cannot be read at all is no event.
 */
function readCappedBody(
  request: HttpServerRequest.HttpServerRequest,
): Effect.Effect<ArrayBuffer, WebhookError> {
  const refusal = (reason: "body_too_large" | "malformed_body", detail?: string) => {
    const refused = webhookRefusal(reason, detail);
    return new WebhookError({ reason: refused.reason, message: refused.message });
  };
  if (Number(request.headers["content-length"] ?? 0) > WEBHOOK_MAX_BODY_BYTES) {
    return Effect.fail(refusal("body_too_large"));
  }
  return request.arrayBuffer.pipe(
    Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(WEBHOOK_MAX_BODY_BYTES)),
    Effect.mapError((error) =>
      error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge"
        ? refusal("body_too_large")
        : refusal("malformed_body", "the body could not be read"),
    ),
  );
}

/** Core's answer as an effect/http response. */
function answer({ status, body }: WebhookAnswer): HttpServerResponse.HttpServerResponse {
  return HttpServerResponse.jsonUnsafe(body, { status });
}

/** The user's `onEvent` failed: answered 500 so that Square delivers the event again. */
class HandlerFailed {
  readonly _tag = "HandlerFailed";
}
