// The promise client's mirror against the emulator over HTTP: full load (with the reconciliation of
// deletions), live deliveries through the node:http handler and the Fetch-standard one, the reconcile
// pass, resuming from a checkpoint, a forged delivery, a failing store, two merchants at once. The convergence under delivery faults, for both
// flavors, is in apps/example/test/mirror-convergence.test.ts.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Customer, changeOfRead, type MirrorProgress, type MirrorStore } from "@square-customers/core";
import { afterEach, describe, expect, it } from "vitest";
import type { SquareClient, WebhookEvent } from "../src/index.js";
import { createMirror, MemoryMirrorStore, MIRROR_EVENT_TYPES } from "../src/mirror.js";
import { createWebhookHandler } from "../src/node.js";
import { createFetchWebhookHandler } from "../src/webhooks/index.js";
import { useEmulator } from "./support.js";

const h = useEmulator({ webhookRetryScale: 0.001 });
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A client for a new, empty merchant, and its merchant id. */
async function merchant(): Promise<{ square: SquareClient; merchantId: string }> {
  const square = h.client({ accessToken: `mirror-${randomUUID()}` });
  return { square, merchantId: await merchantIdOf(square) };
}

/**
 * A merchant's id, from the payload of a subscription's test event (sent to a port nobody listens on,
 * then the subscription is deleted): events carry it, so a load must key the merchant's rows by it too.
 */
async function merchantIdOf(square: SquareClient): Promise<string> {
  const { subscription } = await square.webhooks.subscriptions.create({
    subscription: { event_types: ["customer.created"], notification_url: "http://127.0.0.1:9/nobody" },
  });
  const { subscription_test_result } = await square.webhooks.subscriptions.test(subscription.id, {});
  await square.webhooks.subscriptions.delete(subscription.id);
  return (JSON.parse(subscription_test_result.payload ?? "{}") as { merchant_id: string }).merchant_id;
}

/** Every customer of the account, as the mirror keeps them (no segment_ids), by id. */
async function account(square: SquareClient): Promise<Array<Omit<Customer, "segment_ids">>> {
  const all = await square.customers.list().toArray();
  return all.map(({ segment_ids: _, ...kept }) => kept).sort((a, b) => a.id.localeCompare(b.id));
}

const mirrored = (store: MemoryMirrorStore, merchantId: string) =>
  store.customers(merchantId).sort((a, b) => a.id.localeCompare(b.id));

/** Creates `count` customers (new ones on each call: createMany's keys come from the content). */
async function createCustomers(square: SquareClient, count: number): Promise<string[]> {
  const batch = randomUUID().slice(0, 8);
  const results = await square.customers.createMany(
    Array.from({ length: count }, (_, i) => ({
      given_name: `Mirror${i}`,
      email_address: `m${i}.${batch}@example.com`,
    })),
  );
  return results.map((r) => (r.outcome === "created" ? r.customer.id : ""));
}

/** A receiver on 127.0.0.1 that hands each verified delivery to `onEvent`, and its subscription. */
async function subscribe(square: SquareClient, onEvent: (event: WebhookEvent) => unknown) {
  let handler: ReturnType<typeof createWebhookHandler> | undefined;
  const server = createServer((req, res) => (handler ? void handler(req, res) : res.writeHead(503).end()));
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const notificationUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const { subscription } = await square.webhooks.subscriptions.create({
    subscription: { event_types: [...MIRROR_EVENT_TYPES], notification_url: notificationUrl },
  });
  const options = { signatureKey: subscription.signature_key!, notificationUrl };
  handler = createWebhookHandler(options, onEvent);
  return options;
}

describe("full load", () => {
  it("lists every customer into the store, then removes those the account no longer has", async () => {
    const { square, merchantId } = await merchant();
    await createCustomers(square, 230);
    const store = new MemoryMirrorStore();
    // A customer from some earlier load, deleted from the account since.
    const gone = changeOfRead({ ...(await account(square))[0]!, id: "GONE", version: 3 }, 0, 0);
    await store.transaction((tx) => tx.write({ kind: "write", merchantId, writes: [gone] }));
    const progress: MirrorProgress[] = [];
    const mirror = createMirror({ client: square, store, onProgress: (p) => progress.push(p) });
    const summary = await mirror.fullLoad(merchantId);

    expect(summary).toEqual({ listed: 230, written: 230, deleted: 1 });
    expect(mirrored(store, merchantId)).toEqual(await account(square));
    expect(store.mark(merchantId, "GONE")).toMatchObject({ version: 3, deleted: true });
    expect(progress.map((p) => (p.kind === "load" ? `${p.stage} ${p.listed}/${p.total}` : p.kind))).toEqual([
      "listing 100/230",
      "listing 200/230",
      "listing 230/230",
      "deleting 230/230",
      "done 230/230",
    ]);
    expect(store.checkpoint(merchantId)?.loadedAt).toBeGreaterThan(0);
  });

  it("sync loads in full the first time, and reconciles from the checkpoint after (a restart)", async () => {
    const { square, merchantId } = await merchant();
    const ids = await createCustomers(square, 20);
    const store = new MemoryMirrorStore();
    expect((await createMirror({ client: square, store }).sync(merchantId)).kind).toBe("full-load");

    // While no mirror runs, someone renames a customer; then a new mirror starts on the same store.
    await square.customers.update(ids[0]!, { given_name: "Renamed" });
    const lists = h.emulator.requests.listCustomers;
    const again = await createMirror({ client: () => square, store }).sync(merchantId);
    // Within the safety margin, every customer is read again (and its mark refreshed).
    expect(again).toMatchObject({ kind: "reconcile", summary: { read: 20, written: 20 } });
    expect(h.emulator.requests.listCustomers).toBe(lists);
    expect(store.customer(merchantId, ids[0]!)?.given_name).toBe("Renamed");
    expect(mirrored(store, merchantId)).toEqual(await account(square));
  });
});

describe("events", () => {
  it("applies each verified delivery once, keeps the newest version, and ends equal to the account", async () => {
    const { square, merchantId } = await merchant();
    const store = new MemoryMirrorStore();
    const mirror = createMirror({ client: square, store });
    const outcomes: string[] = [];
    await subscribe(square, async (event) => outcomes.push((await mirror.apply(event)).outcome));
    await mirror.fullLoad(merchantId);
    h.emulator.webhooks.faults.set([
      { kind: "duplicate", nth: [2, 4] },
      { kind: "reorder", nth: [3] },
    ]);
    try {
      const [a, b] = await createCustomers(square, 2);
      await square.customers.update(a!, { nickname: "First" });
      await square.customers.update(a!, { nickname: "Second" });
      await square.customers.delete(b!);
      await h.emulator.webhooks.whenIdle();
    } finally {
      h.emulator.webhooks.faults.set([]);
    }
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(2);
    expect(mirrored(store, merchantId)).toEqual(await account(square));
    expect(store.customers(merchantId)[0]?.nickname).toBe("Second");
  });

  it("never applies a forged delivery: 401, nothing written, nothing remembered", async () => {
    const { square } = await merchant();
    const store = new MemoryMirrorStore();
    const mirror = createMirror({ client: square, store });
    const { notificationUrl } = await subscribe(square, (event) => mirror.apply(event));
    const forged = JSON.stringify({
      merchant_id: "M",
      type: "customer.created",
      event_id: "forged-1",
      created_at: new Date().toISOString(),
      data: {
        type: "customer",
        id: "EVIL",
        object: { customer: { id: "EVIL", version: 99, given_name: "Eve" } },
      },
    });
    for (const signature of [undefined, "bm90IGEgc2lnbmF0dXJl"]) {
      const response = await fetch(notificationUrl, {
        method: "POST",
        body: forged,
        headers: signature ? { "x-square-hmacsha256-signature": signature } : {},
      });
      expect(response.status).toBe(401);
    }
    expect(store.mark("M", "EVIL")).toBeUndefined();
    expect(store.hasEvent("M", "forged-1")).toBe(false);
  });

  it("a store that fails rejects the event, rolls back and remembers nothing, so a redelivery applies it", async () => {
    const { square, merchantId } = await merchant();
    const [id] = await createCustomers(square, 1);
    const inner = new MemoryMirrorStore();
    let failing = true;
    const store: MirrorStore = {
      transaction: (work) =>
        inner.transaction((tx) =>
          work({
            ...tx,
            // The event is applied, then the store fails: the transaction must undo both its parts.
            applyEvent: async (op) => {
              const result = await tx.applyEvent(op);
              if (failing) throw new Error("disk full");
              return result;
            },
          }),
        ),
    };
    const mirror = createMirror({ client: square, store });
    const { customer } = await square.customers.retrieve(id!);
    const event = {
      merchant_id: merchantId,
      type: "customer.updated",
      event_id: "E-retry",
      created_at: new Date().toISOString(),
      data: { type: "customer", id: id!, object: { customer } },
    } as WebhookEvent;
    await expect(mirror.apply(event)).rejects.toThrow("disk full");
    // The claim of the event id was rolled back with the failed write.
    expect(inner.hasEvent(merchantId, "E-retry")).toBe(false);
    failing = false;
    expect((await mirror.apply(event)).outcome).toBe("applied");
    expect((await mirror.apply(event)).outcome).toBe("duplicate");
  });

  it("applies deliveries through the Fetch-standard handler too", async () => {
    const { square, merchantId } = await merchant();
    const store = new MemoryMirrorStore();
    const mirror = createMirror({ client: square, store });
    let handler: ((request: Request) => Promise<Response>) | undefined;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = Object.entries(req.headers).flatMap(([k, v]) =>
        typeof v === "string" ? [[k, v] as [string, string]] : [],
      );
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: "POST",
        headers,
        body: Buffer.concat(chunks),
      });
      const response = handler ? await handler(request) : new Response(null, { status: 503 });
      res
        .writeHead(response.status, Object.fromEntries(response.headers))
        .end(Buffer.from(await response.arrayBuffer()));
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const notificationUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fetch-hooks`;
    const { subscription } = await square.webhooks.subscriptions.create({
      subscription: { event_types: [...MIRROR_EVENT_TYPES], notification_url: notificationUrl },
    });
    handler = createFetchWebhookHandler(
      { signatureKey: subscription.signature_key!, notificationUrl },
      (event) => mirror.apply(event),
    );
    const [a] = await createCustomers(square, 3);
    await square.customers.update(a!, { nickname: "Fetched" });
    await h.emulator.webhooks.whenIdle();
    expect(store.customer(merchantId, a!)?.nickname).toBe("Fetched");
    expect(mirrored(store, merchantId)).toEqual(await account(square));
  });
});

describe("many merchants", () => {
  it("one endpoint, events routed by merchant_id, each load with its own client; nothing crosses over", async () => {
    const [first, second] = [await merchant(), await merchant()];
    const clients = new Map([
      [first.merchantId, first.square],
      [second.merchantId, second.square],
    ]);
    const store = new MemoryMirrorStore();
    const mirror = createMirror({ store, client: (merchantId) => clients.get(merchantId)! });
    // One receiver; each merchant's subscription points at it with its own key.
    const keys = new Map<string, ReturnType<typeof createWebhookHandler>>();
    const server = createServer((req, res) => {
      const handle = keys.get(req.url ?? "");
      if (handle) void handle(req, res);
      else res.writeHead(503).end();
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [path, { square }] of [
      ["/a", first],
      ["/b", second],
    ] as const) {
      const { subscription } = await square.webhooks.subscriptions.create({
        subscription: { event_types: [...MIRROR_EVENT_TYPES], notification_url: `${base}${path}` },
      });
      const options = { signatureKey: subscription.signature_key!, notificationUrl: `${base}${path}` };
      keys.set(
        path,
        createWebhookHandler(options, (event) => mirror.apply(event)),
      );
    }
    await Promise.all([createCustomers(first.square, 40), createCustomers(second.square, 30)]);
    await Promise.all([mirror.sync(first.merchantId), mirror.sync(second.merchantId)]);
    // Both change at once while their events arrive at the one endpoint.
    const changes = async ({ square }: { square: SquareClient }, tag: string) => {
      const ids = (await square.customers.list().toArray()).map((c) => c.id);
      for (const [i, id] of ids.slice(0, 10).entries())
        await square.customers.update(id, { nickname: `${tag}${i}` });
      await square.customers.delete(ids[11]!);
      await createCustomers(square, 3);
    };
    await Promise.all([changes(first, "first"), changes(second, "second")]);
    await h.emulator.webhooks.whenIdle();
    expect(mirrored(store, first.merchantId)).toEqual(await account(first.square));
    expect(mirrored(store, second.merchantId)).toEqual(await account(second.square));
    expect(store.customers(first.merchantId).some((c) => c.nickname?.startsWith("second"))).toBe(false);
    expect(store.customers(second.merchantId).some((c) => c.nickname?.startsWith("first"))).toBe(false);
  });
});

describe("reconcile", () => {
  it("finds creations and updates no event announced, from the checkpoint", async () => {
    const { square, merchantId } = await merchant();
    const ids = await createCustomers(square, 5);
    const store = new MemoryMirrorStore();
    const progress: MirrorProgress[] = [];
    // No safety margin: the pass reads only what changed since the load began.
    const mirror = createMirror({
      client: square,
      store,
      safetyMarginMs: 0,
      onProgress: (p) => progress.push(p),
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await mirror.fullLoad(merchantId);
    const loaded = store.checkpoint(merchantId)!;
    await square.customers.update(ids[1]!, { note: "missed" });
    await createCustomers(square, 2);

    const summary = await mirror.reconcile(merchantId);
    expect(summary).toEqual({ since: new Date(loaded.reconciledAt).toISOString(), read: 3, written: 3 });
    expect(mirrored(store, merchantId)).toEqual(await account(square));
    expect(store.checkpoint(merchantId)!.reconciledAt).toBeGreaterThan(loaded.reconciledAt);
    expect(progress.at(-1)).toMatchObject({ kind: "reconcile", stage: "done", read: 3, written: 3 });
  });

  it("needs a checkpoint", async () => {
    const { square, merchantId } = await merchant();
    await expect(
      createMirror({ client: square, store: new MemoryMirrorStore() }).reconcile(merchantId),
    ).rejects.toThrow("run a full load first");
  });
});
