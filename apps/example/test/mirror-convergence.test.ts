// Convergence, in both flavors: a mirror is loaded, then 500 random changes are made to the account
// (creates, updates, deletes, the bulk calls, group membership, custom attributes) while the emulator
// duplicates, reorders, delays and fails the first attempt of about 10 % of deliveries each. Once every
// delivery is done, the mirror must equal the account field by field, and no write may ever have put an
// older version over a newer one. The promise flavor keeps its mirror in the SQLite store package, the
// Effect flavor in core's in-memory store; both receive deliveries over HTTP on 127.0.0.1.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSquareClient, type SquareClient } from "@square-customers/client";
import {
  createMirror,
  MemoryMirrorStore,
  type MirroredCustomer,
  type MirrorProgress,
} from "@square-customers/client/mirror";
import { createWebhookHandler } from "@square-customers/client/node";
import { SquareClient as EffectSquareClient } from "@square-customers/client-effect";
import { makeMirror } from "@square-customers/client-effect/mirror";
import { webhookHandler } from "@square-customers/client-effect/webhooks";
import type { MirrorMark, MirrorOutcome, MirrorStore, WebhookEvent } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as HttpRouter from "effect/http/HttpRouter";
import * as HttpServer from "effect/http/HttpServer";
import * as Layer from "effect/Layer";
import * as Stream from "effect/Stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareMirror, StaleWriteWatch, sqliteMarkOf } from "../src/mirror-check.js";
import { prepareWorkload, runWorkload } from "../src/mirror-workload.js";

const CHANGES = 500;
const FAULT_RATE = 0.1;

let emulator: Emulator;
let dir: string;
const servers: Server[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    webhookRetryScale: 0.001,
    webhookFaults: [
      { kind: "duplicate", rate: FAULT_RATE },
      { kind: "reorder", rate: FAULT_RATE, ms: 300 },
      { kind: "delay", rate: FAULT_RATE, ms: 300 },
      { kind: "fail_first", rate: FAULT_RATE },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), "mirror-convergence-"));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Handle = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** A receiver on 127.0.0.1 whose handler is set once the subscription's key is known. */
async function receiver(): Promise<{ url: string; handle(handler: Handle): void }> {
  let handler: Handle | undefined;
  const server = createServer((req, res) => {
    if (handler) void handler(req, res);
    else res.writeHead(503).end();
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    handle: (next) => {
      handler = next;
    },
  };
}

/** A Web handler (Request in, Response out) served by node:http. */
function nodeHandler(web: (request: Request) => Promise<Response>): Handle {
  return async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.entries(req.headers).flatMap(([k, v]) =>
      typeof v === "string" ? [[k, v] as [string, string]] : [],
    );
    const response = await web(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method!,
        headers,
        body: Buffer.concat(chunks),
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}

/** A subscription of every event type (custom attribute ones too, which the mirror ignores). */
async function subscribe(square: SquareClient, url: string) {
  const { event_types } = await square.webhooks.eventTypes.list();
  const { subscription } = await square.webhooks.subscriptions.create({
    subscription: { event_types: event_types ?? [], notification_url: url },
  });
  return { id: subscription.id, signatureKey: subscription.signature_key!, notificationUrl: url };
}

/** The merchant of a subscription's token, from its test event (answered 503 by the receiver: not applied). */
async function merchantOf(square: SquareClient, subscriptionId: string): Promise<string> {
  const { subscription_test_result } = await square.webhooks.subscriptions.test(subscriptionId, {});
  return (JSON.parse(subscription_test_result.payload ?? "{}") as { merchant_id: string }).merchant_id;
}

interface Flavor {
  readonly name: string;
  /** A store for the flavor's mirror, how to read its customers and marks back, and to close it. */
  store(): {
    store: MirrorStore;
    customers(merchantId: string): Iterable<MirroredCustomer>;
    markOf(merchantId: string, id: string): MirrorMark | undefined;
    close(): void;
  };
  /**
   * Makes a mirror of the token's merchant on `store` and loads it in full; returns the receiver's handler
   * for a subscription, which applies each delivery and records its outcome in `outcomes`.
   */
  start(
    token: string,
    merchantId: string,
    store: MirrorStore,
    outcomes: MirrorOutcome[],
  ): Promise<(options: { signatureKey: string; notificationUrl: string }) => Handle>;
}

const promiseFlavor: Flavor = {
  name: "promise client, SQLite store",
  store: () => {
    const store = SqliteMirrorStore.open(join(dir, "promise.sqlite"));
    return {
      store,
      customers: (merchantId) => store.customers(merchantId),
      markOf: sqliteMarkOf(store.db),
      close: () => store.close(),
    };
  },
  async start(token, merchantId, store, outcomes) {
    const square = createSquareClient({ accessToken: token, environment: emulator.url });
    const record = (p: MirrorProgress) => (p.kind === "event" ? outcomes.push(p.outcome) : undefined);
    const mirror = createMirror({ client: square, store, onProgress: record });
    await mirror.fullLoad(merchantId);
    return (options) => createWebhookHandler(options, (event) => mirror.apply(event));
  },
};

const effectFlavor: Flavor = {
  name: "Effect client, memory store",
  store: () => {
    const store = new MemoryMirrorStore();
    return {
      store,
      customers: (merchantId) => store.customers(merchantId),
      markOf: (merchantId, id) => store.mark(merchantId, id),
      close: () => {},
    };
  },
  async start(token, merchantId, store, outcomes) {
    const client = EffectSquareClient.layer({ accessToken: token, environment: emulator.url }).pipe(
      Layer.provide(FetchHttpClient.layer),
    );
    const mirror = await Effect.runPromise(makeMirror({ store }).pipe(Effect.provide(client)));
    await Effect.runPromise(Stream.runDrain(mirror.fullLoad(merchantId)));
    const apply = (event: WebhookEvent) =>
      Effect.tap(mirror.apply(event), (result) => Effect.sync(() => outcomes.push(result.outcome)));
    return (options) => {
      const app = HttpRouter.add("POST", "/hooks", webhookHandler(options, apply));
      const web = HttpRouter.toWebHandler(app.pipe(Layer.provide(HttpServer.layerServices)), {
        disableLogger: true,
      });
      disposers.push(web.dispose);
      return nodeHandler(web.handler);
    };
  },
};

const disposers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()));
});

describe.each([promiseFlavor, effectFlavor])("convergence: $name", (flavor) => {
  it(`${CHANGES} random changes under duplicated, reordered, delayed and failed deliveries: the mirror equals the account, 0 stale overwrites`, {
    timeout: 120_000,
  }, async () => {
    const token = `convergence-${flavor.name.replace(/\W+/g, "-")}-${Date.now()}`;
    const square = createSquareClient({ accessToken: token, environment: emulator.url });
    await square.customers.createMany(
      Array.from({ length: 40 }, (_, i) => ({
        given_name: `Before${i}`,
        email_address: `before${i}@example.com`,
      })),
    );
    const inner = flavor.store();
    const watch = new StaleWriteWatch(inner.store, inner.markOf);
    const outcomes: MirrorOutcome[] = [];
    const hooks = await receiver();
    const subscription = await subscribe(square, hooks.url);
    const merchantId = await merchantOf(square, subscription.id);
    const handler = await flavor.start(token, merchantId, watch, outcomes);
    hooks.handle(handler(subscription));

    const setup = await prepareWorkload(square, 11);
    const live = (await square.customers.list().toArray()).map((c) => c.id);
    const made = await runWorkload(square, setup, live, { changes: CHANGES, seed: 11 });
    await emulator.webhooks.whenIdle();

    // Every kind of change happened, and every kind of fault, each to about 10 % of the events.
    expect(Object.values(made).reduce((a, b) => a + b, 0)).toBe(CHANGES);
    expect(Object.entries(made).filter(([, count]) => count === 0)).toEqual([]);
    const deliveries = emulator.webhooks
      .deliveries()
      .filter((d) => d.subscriptionId === subscription.id && !d.test);
    const events = new Set(deliveries.map((d) => d.eventId)).size;
    for (const kind of ["duplicate", "reorder", "delay", "fail_first"] as const) {
      const faulted = new Set(deliveries.filter((d) => d.faults.includes(kind)).map((d) => d.eventId)).size;
      expect(faulted / events, kind).toBeGreaterThan(FAULT_RATE / 2);
      expect(faulted / events, kind).toBeLessThan(FAULT_RATE * 2);
    }
    expect(deliveries.every((d) => d.state === "delivered")).toBe(true);
    const count = (outcome: MirrorOutcome) => outcomes.filter((o) => o === outcome).length;
    expect(count("duplicate")).toBeGreaterThan(0);
    expect(count("ignored")).toBeGreaterThan(0);

    const comparison = compareMirror(await square.customers.list().toArray(), inner.customers(merchantId));
    expect(comparison.differences).toEqual([]);
    expect(comparison.customers).toBe(live.length);
    expect(watch.staleWrites).toBe(0);
    expect(watch.writes).toBeGreaterThan(CHANGES);
    inner.close();
  });
});
