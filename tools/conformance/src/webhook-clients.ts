// Both clients' webhook sides behind one small interface: the 8 Webhook Subscriptions operations, a
// node:http request handler that is each client's own receiving handler (the promise client's
// `createWebhookHandler`, and its Fetch-standard `createFetchWebhookHandler`; the Effect client's
// `webhookHandler` on an effect/http router, served through its Web handler), and each client's decoder
// on its own (`unwrapDelivery`, `decodeWebhook`). Outcomes are plain data, as in clients.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createSquareClient } from "@square-customers/client";
import { createWebhookHandler } from "@square-customers/client/node";
import {
  createFetchWebhookHandler,
  unwrapDelivery,
  WebhookVerificationError,
} from "@square-customers/client/webhooks";
import {
  defaultRetrySchedule,
  SquareClient,
  type SquareClientError,
  type SquareClientShape,
} from "@square-customers/client-effect";
import { decodeWebhook, webhookHandler } from "@square-customers/client-effect/webhooks";
import type {
  CreateWebhookSubscriptionRequest,
  SubscriptionTestResult,
  UpdateWebhookSubscriptionRequest,
  WebhookEvent,
  WebhookSubscription,
} from "@square-customers/core";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as HttpRouter from "effect/http/HttpRouter";
import * as HttpServer from "effect/http/HttpServer";
import * as Layer from "effect/Layer";
import * as Result from "effect/Result";
import * as Stream from "effect/Stream";
import { effectFacts, FAST_BACKOFF, type Outcome, promiseOutcome } from "./clients.ts";

/** The webhook operations, the same in both clients. */
export interface WebhookClientUnderTest {
  eventTypes(): Promise<Outcome<string[]>>;
  /** Every subscription, across all pages (disabled ones too). */
  listAll(): Promise<Outcome<WebhookSubscription[]>>;
  create(body: CreateWebhookSubscriptionRequest): Promise<Outcome<WebhookSubscription>>;
  retrieve(id: string): Promise<Outcome<WebhookSubscription>>;
  update(id: string, body: UpdateWebhookSubscriptionRequest): Promise<Outcome<WebhookSubscription>>;
  delete(id: string): Promise<Outcome<unknown>>;
  rotateKey(id: string): Promise<Outcome<string>>;
  test(id: string, eventType?: string): Promise<Outcome<SubscriptionTestResult>>;
}

export interface ReceiverOptions {
  readonly signatureKey: string;
  readonly notificationUrl: string;
}

/** A node:http handler that accepts verified deliveries (handing each event to `onEvent`) and refuses the rest. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** A delivery read on its own: the event, or the refusal's reason and message. */
export type Decoded =
  | { readonly ok: true; readonly event: WebhookEvent }
  | { readonly ok: false; readonly reason: string; readonly message: string };

export interface WebhookFlavor {
  readonly name: string;
  /** Which client this is (the name of its flavor in clients.ts). */
  readonly client: "promise" | "effect";
  connect(settings: { url: string; token: string }): WebhookClientUnderTest;
  /**
   * The client's own receiving handler. `options` is read on every delivery, so a test can rotate the
   * key under a running receiver; `onEvent` may throw (or fail) to stand for the receiver's code failing.
   */
  handler(options: ReceiverOptions, onEvent: (event: WebhookEvent) => void): NodeHandler;
  /** The client's decoder on its own, on a delivery's raw parts. */
  decode(
    delivery: { rawBody: string | Uint8Array; signatureHeader: string | undefined },
    options: ReceiverOptions,
  ): Promise<Decoded>;
}

export const promiseWebhooks: WebhookFlavor = {
  name: "promise",
  client: "promise",
  connect({ url, token }) {
    const { webhooks } = createSquareClient({ accessToken: token, environment: url, backoff: FAST_BACKOFF });
    const subscriptions = webhooks.subscriptions;
    return {
      eventTypes: () => promiseOutcome(async () => (await webhooks.eventTypes.list()).event_types),
      listAll: () => promiseOutcome(() => subscriptions.list({ include_disabled: true }).toArray()),
      create: (body) => promiseOutcome(async () => (await subscriptions.create(body)).subscription),
      retrieve: (id) => promiseOutcome(async () => (await subscriptions.retrieve(id)).subscription),
      update: (id, body) => promiseOutcome(async () => (await subscriptions.update(id, body)).subscription),
      delete: (id) => promiseOutcome(() => subscriptions.delete(id)),
      rotateKey: (id) =>
        promiseOutcome(async () => (await subscriptions.updateSignatureKey(id)).signature_key),
      test: (id, eventType) =>
        promiseOutcome(
          async () =>
            (await subscriptions.test(id, eventType === undefined ? {} : { event_type: eventType }))
              .subscription_test_result,
        ),
    };
  },
  handler(options, onEvent) {
    return (request, response) => createWebhookHandler({ ...options }, onEvent)(request, response);
  },
  async decode(delivery, options) {
    try {
      return { ok: true, event: await unwrapDelivery(delivery, options) };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return { ok: false, reason: error.reason, message: error.message };
    }
  },
};

/** The promise client with its Fetch-standard receiver (Hono, Next.js, Bun, Deno, workers) in front. */
export const promiseFetchWebhooks: WebhookFlavor = {
  ...promiseWebhooks,
  name: "promise (Fetch handler)",
  handler(options, onEvent) {
    return async (request, response) => {
      const answer = await createFetchWebhookHandler({ ...options }, onEvent)(toWebRequest(request));
      await writeWebResponse(answer, response);
    };
  },
};

export const effectWebhooks: WebhookFlavor = {
  name: "effect",
  client: "effect",
  connect({ url, token }) {
    const layer = SquareClient.layer({
      accessToken: token,
      environment: url,
      retrySchedule: defaultRetrySchedule(FAST_BACKOFF),
    }).pipe(Layer.provide(FetchHttpClient.layer));
    const run = async <T>(
      f: (square: SquareClientShape) => Effect.Effect<T, SquareClientError>,
    ): Promise<Outcome<T>> => {
      const program = Effect.gen(function* () {
        return yield* f(yield* SquareClient);
      });
      const result = await Effect.runPromise(Effect.result(program).pipe(Effect.provide(layer)));
      return Result.isSuccess(result)
        ? { ok: true, value: result.success }
        : { ok: false, error: effectFacts(result.failure) };
    };
    return {
      eventTypes: () => run((s) => Effect.map(s.webhooks.eventTypes.list(), (r) => r.event_types)),
      listAll: () =>
        run((s) => Stream.runCollect(s.webhooks.subscriptions.listStream({ include_disabled: true }))),
      create: (body) => run((s) => Effect.map(s.webhooks.subscriptions.create(body), (r) => r.subscription)),
      retrieve: (id) => run((s) => Effect.map(s.webhooks.subscriptions.retrieve(id), (r) => r.subscription)),
      update: (id, body) =>
        run((s) => Effect.map(s.webhooks.subscriptions.update(id, body), (r) => r.subscription)),
      delete: (id) => run((s) => s.webhooks.subscriptions.delete(id)),
      rotateKey: (id) =>
        run((s) => Effect.map(s.webhooks.subscriptions.updateSignatureKey(id), (r) => r.signature_key)),
      test: (id, eventType) =>
        run((s) =>
          Effect.map(
            s.webhooks.subscriptions.test(id, eventType === undefined ? {} : { event_type: eventType }),
            (r) => r.subscription_test_result,
          ),
        ),
    };
  },
  handler(options, onEvent) {
    return async (request, response) => {
      // A router per delivery, so that `options` is read afresh each time (the key may have rotated).
      const routes = HttpRouter.add(
        "POST",
        "*",
        webhookHandler({ ...options }, (event) => Effect.sync(() => onEvent(event))),
      );
      const { handler, dispose } = HttpRouter.toWebHandler(
        routes.pipe(Layer.provide(HttpServer.layerServices)),
        { disableLogger: true },
      );
      try {
        await writeWebResponse(await handler(toWebRequest(request)), response);
      } finally {
        await dispose();
      }
    };
  },
  async decode(delivery, options) {
    const decoded = await Effect.runPromise(Effect.result(decodeWebhook(delivery, options)));
    return Result.isSuccess(decoded)
      ? { ok: true, event: decoded.success }
      : { ok: false, reason: decoded.failure.reason, message: decoded.failure.message };
  },
};

/** A Fetch-API `Response` written to a node:http response. */
async function writeWebResponse(answer: Response, response: ServerResponse): Promise<void> {
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/** A node:http request as a Fetch-API `Request`, its body streamed as it arrives. */
function toWebRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(`http://${request.headers.host ?? "127.0.0.1"}${request.url ?? "/"}`, {
    method: request.method ?? "POST",
    headers,
    body: Readable.toWeb(request) as ReadableStream<Uint8Array>,
    duplex: "half",
  } as RequestInit);
}

export const webhookFlavors: readonly WebhookFlavor[] = [
  promiseWebhooks,
  promiseFetchWebhooks,
  effectWebhooks,
];
