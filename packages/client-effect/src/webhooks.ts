// Receiving Square's webhook deliveries with Effect: `decodeWebhook` checks a delivery with core's rules
// (`unwrapWebhook`) and decodes a customer event with its generated Schema, failing with a typed
// `WebhookError`; `webhookHandler` is a ready route handler for an effect/http server.
import {
  unwrapWebhook,
  WEBHOOK_REFUSAL_STATUS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
} from "@square-customers/core";
import * as Effect from "effect/Effect";
import * as HttpServerRequest from "effect/http/HttpServerRequest";
import * as HttpServerResponse from "effect/http/HttpServerResponse";
import * as Schema from "effect/Schema";
import { customerEvents } from "./generated/schemas.js";

export interface WebhookOptions {
  /** The subscription's signature key (shown when the subscription is created or its key rotated). */
  readonly signatureKey: string;
  /** The notification URL exactly as configured in the subscription; never taken from the request. */
  readonly notificationUrl: string;
}

/** A delivery that must not be applied: no signature, a wrong one, or a body that is not an event. */
export class WebhookError extends Schema.TaggedError<WebhookError>()("WebhookError", {
  reason: Schema.Literals(["missing_signature", "signature_mismatch", "malformed_body"]),
  message: Schema.String,
}) {
  /** The status to answer the delivery with (401 for signatures, 400 for a bad body). */
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
 * Verifies a delivery and decodes it: a customer event with its Schema (typed by `type`), an event type
 * this package does not know as `type: "unknown"`, kept whole.
 */
export function decodeWebhook(
  delivery: WebhookDelivery,
  options: WebhookOptions,
): Effect.Effect<WebhookEvent, WebhookError> {
  return Effect.promise(() => unwrapWebhook({ ...delivery, ...options })).pipe(
    Effect.flatMap((outcome) => {
      if (!outcome.ok)
        return Effect.fail(new WebhookError({ reason: outcome.reason, message: outcome.message }));
      const { event } = outcome;
      if (event.type === "unknown") return Effect.succeed(event);
      const schema: Schema.Decoder<unknown> = customerEvents[event.type];
      return Schema.decodeUnknownEffect(schema)(event).pipe(
        Effect.map((decoded) => decoded as WebhookEvent),
        Effect.mapError(
          (error) =>
            new WebhookError({ reason: "malformed_body", message: `${event.type}: ${error.message}` }),
        ),
      );
    }),
  );
}

/**
 * A route handler for one subscription: verifies and decodes each delivery, runs `onEvent`, and answers
 * 200 only after `onEvent` succeeds. A refused delivery gets its 4xx and never reaches `onEvent`; an
 * `onEvent` that fails gets a 500, so Square delivers the event again later. Use it as
 * `HttpRouter.add("POST", "/webhooks/square", webhookHandler(options, onEvent))`.
 */
export function webhookHandler<E, R>(
  options: WebhookOptions,
  onEvent: (event: WebhookEvent) => Effect.Effect<unknown, E, R>,
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | R> {
  return Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest;
    const body = yield* Effect.mapError(
      request.arrayBuffer,
      () => new WebhookError({ reason: "malformed_body", message: "the body could not be read" }),
    );
    const event = yield* decodeWebhook(
      { rawBody: new Uint8Array(body), signatureHeader: request.headers[WEBHOOK_SIGNATURE_HEADER] },
      options,
    );
    yield* Effect.catchCause(onEvent(event), () => Effect.fail(new HandlerFailed()));
    return HttpServerResponse.jsonUnsafe({ ok: true });
  }).pipe(
    Effect.catch((error: WebhookError | HandlerFailed) =>
      Effect.succeed(
        error instanceof WebhookError
          ? HttpServerResponse.jsonUnsafe({ error: error.reason }, { status: error.status })
          : HttpServerResponse.jsonUnsafe({ error: "handler_failed" }, { status: 500 }),
      ),
    ),
  );
}

/** The user's `onEvent` failed: answered 500 so that Square delivers the event again. */
class HandlerFailed {
  readonly _tag = "HandlerFailed";
}
