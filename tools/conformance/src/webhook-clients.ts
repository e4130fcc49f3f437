// Both clients' webhook sides behind one small interface: the 8 Webhook Subscriptions operations, and a
// node:http request handler built from each client's receiving side (the promise client's
// `createWebhookHandler`, the Effect client's `decodeWebhook`). Outcomes are plain data, as in clients.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createSquareClient } from "@square-customers/client";
import { createWebhookHandler } from "@square-customers/client/node";
import {
  decodeWebhook,
  defaultRetrySchedule,
  SquareClient,
  type SquareClientError,
  type SquareClientShape,
} from "@square-customers/client-effect";
import type {
  CreateWebhookSubscriptionRequest,
  SubscriptionTestResult,
  UpdateWebhookSubscriptionRequest,
  WebhookEvent,
  WebhookSubscription,
} from "@square-customers/core";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
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

export interface WebhookFlavor {
  readonly name: "promise" | "effect";
  connect(settings: { url: string; token: string }): WebhookClientUnderTest;
  /** `options` is read on every delivery, so a test can rotate the key under a running receiver. */
  handler(options: ReceiverOptions, onEvent: (event: WebhookEvent) => void): NodeHandler;
}

export const promiseWebhooks: WebhookFlavor = {
  name: "promise",
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
};

export const effectWebhooks: WebhookFlavor = {
  name: "effect",
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
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const header = request.headers["x-square-hmacsha256-signature"];
      const decoded = await Effect.runPromise(
        Effect.result(
          decodeWebhook(
            {
              rawBody: new Uint8Array(Buffer.concat(chunks)),
              signatureHeader: Array.isArray(header) ? header[0] : header,
            },
            { ...options },
          ),
        ),
      );
      if (Result.isSuccess(decoded)) onEvent(decoded.success);
      response.writeHead(Result.isSuccess(decoded) ? 200 : decoded.failure.status).end();
    };
  },
};

export const webhookFlavors: readonly WebhookFlavor[] = [promiseWebhooks, effectWebhooks];
