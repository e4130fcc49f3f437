// The promise client's mirror against the emulator over HTTP: full load (with the reconciliation of
// deletions), live deliveries through the node:http handler, the reconcile pass, resuming from a
// checkpoint, a forged delivery, a failing store. The convergence under delivery faults, for both
// flavors, is in apps/example/test/mirror-convergence.test.ts.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Customer, MirrorProgress, MirrorStore } from "@square-customers/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMirror,
  MemoryMirrorStore,
  MIRROR_EVENT_TYPES,
  type SquareClient,
  type WebhookEvent,
} from "../src/index.js";
import { createWebhookHandler } from "../src/node.js";
import { useEmulator } from "./support.js";

const h = useEmulator({ webhookRetryScale: 0.001 });
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A client for a new, empty merchant. */
const merchant = () => h.client({ accessToken: `mirror-${randomUUID()}` });

/** Every customer of the account, as the mirror keeps them (no segment_ids), by id. */
async function account(square: SquareClient): Promise<Array<Omit<Customer, "segment_ids">>> {
  const all = await square.customers.list().toArray();
  return all.map(({ segment_ids: _, ...kept }) => kept).sort((a, b) => a.id.localeCompare(b.id));
}

const mirrored = (store: MemoryMirrorStore) => store.customers().sort((a, b) => a.id.localeCompare(b.id));

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
  const server = createServer((req, res) => void handler?.(req, res));
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
    const square = merchant();
    await createCustomers(square, 230);
    const store = new MemoryMirrorStore();
    // A customer from some earlier load, deleted from the account since.
    store.upsert({ ...(await account(square))[0]!, id: "GONE" }, { version: 3, at: 0, deleted: false });
    const progress: MirrorProgress[] = [];
    const summary = await createMirror(square, { store, onProgress: (p) => progress.push(p) }).fullLoad();

    expect(summary).toEqual({ listed: 230, written: 230, deleted: 1 });
    expect(mirrored(store)).toEqual(await account(square));
    expect(store.get("GONE")).toMatchObject({ version: 3, deleted: true });
    expect(progress.map((p) => (p.kind === "load" ? `${p.stage} ${p.listed}/${p.total}` : p.kind))).toEqual([
      "listing 100/230",
      "listing 200/230",
      "listing 230/230",
      "deleting 230/230",
      "done 230/230",
    ]);
    expect(store.readCheckpoint()?.loadedAt).toMatch(/^\d{4}-/);
  });

  it("sync loads in full the first time, and reconciles from the checkpoint after (a restart)", async () => {
    const square = merchant();
    const ids = await createCustomers(square, 20);
    const store = new MemoryMirrorStore();
    expect((await createMirror(square, { store }).sync()).kind).toBe("full-load");

    // While no mirror runs, someone renames a customer; then a new mirror starts on the same store.
    await square.customers.update(ids[0]!, { given_name: "Renamed" });
    const lists = h.emulator.requests.listCustomers;
    const again = await createMirror(square, { store }).sync();
    // Within the safety margin, every customer is read again (and its mark refreshed).
    expect(again).toMatchObject({ kind: "reconcile", summary: { read: 20, written: 20 } });
    expect(h.emulator.requests.listCustomers).toBe(lists);
    expect(store.customer(ids[0]!)?.given_name).toBe("Renamed");
    expect(mirrored(store)).toEqual(await account(square));
  });
});

describe("events", () => {
  it("applies each verified delivery once, keeps the newest version, and ends equal to the account", async () => {
    const square = merchant();
    const store = new MemoryMirrorStore();
    const mirror = createMirror(square, { store });
    const outcomes: string[] = [];
    await subscribe(square, async (event) => outcomes.push((await mirror.apply(event)).outcome));
    await mirror.fullLoad();
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
    expect(mirrored(store)).toEqual(await account(square));
    expect(store.customers()[0]?.nickname).toBe("Second");
  });

  it("never applies a forged delivery: 401, nothing written, nothing remembered", async () => {
    const square = merchant();
    const store = new MemoryMirrorStore();
    const mirror = createMirror(square, { store });
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
    expect(store.get("EVIL")).toBeUndefined();
    expect(store.hasEvent("forged-1")).toBe(false);
  });

  it("a store that fails rejects the event, rolls back and remembers nothing, so a redelivery applies it", async () => {
    const square = merchant();
    const [id] = await createCustomers(square, 1);
    const inner = new MemoryMirrorStore();
    let failing = true;
    const steps: string[] = [];
    const store: MirrorStore = Object.assign(Object.create(inner) as MemoryMirrorStore, {
      upsert: (...args: Parameters<MemoryMirrorStore["upsert"]>) => {
        steps.push("upsert");
        if (failing) return Promise.reject(new Error("disk full"));
        return inner.upsert(...args);
      },
      transactions: {
        begin: () => void steps.push("begin"),
        commit: () => void steps.push("commit"),
        rollback: () =>
          Promise.reject(new Error("rollback failed too")).finally(() => steps.push("rollback")),
      },
    });
    const mirror = createMirror(square, { store });
    const { customer } = await square.customers.retrieve(id!);
    const event = {
      merchant_id: "M",
      type: "customer.updated",
      event_id: "E-retry",
      created_at: new Date().toISOString(),
      data: { type: "customer", id: id!, object: { customer } },
    } as WebhookEvent;
    // The step's own error comes out, not the rollback's.
    await expect(mirror.apply(event)).rejects.toThrow("disk full");
    expect(inner.hasEvent("E-retry")).toBe(false);
    failing = false;
    expect((await mirror.apply(event)).outcome).toBe("applied");
    expect((await mirror.apply(event)).outcome).toBe("duplicate");
    // Each step in a transaction of its own: rolled back when it failed, committed otherwise.
    expect(steps).toEqual(["begin", "upsert", "rollback", "begin", "upsert", "commit", "begin", "commit"]);
  });
});

describe("reconcile", () => {
  it("finds creations and updates no event announced, from the checkpoint", async () => {
    const square = merchant();
    const ids = await createCustomers(square, 5);
    const store = new MemoryMirrorStore();
    const progress: MirrorProgress[] = [];
    // No safety margin: the pass reads only what changed since the load began.
    const mirror = createMirror(square, { store, safetyMarginMs: 0, onProgress: (p) => progress.push(p) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await mirror.fullLoad();
    const loaded = store.readCheckpoint()!;
    await square.customers.update(ids[1]!, { note: "missed" });
    await createCustomers(square, 2);

    const summary = await mirror.reconcile();
    expect(summary).toEqual({ since: loaded.reconciledAt, read: 3, written: 3 });
    expect(mirrored(store)).toEqual(await account(square));
    expect(Date.parse(store.readCheckpoint()!.reconciledAt)).toBeGreaterThan(Date.parse(loaded.reconciledAt));
    expect(progress.at(-1)).toMatchObject({ kind: "reconcile", stage: "done", read: 3, written: 3 });
  });

  it("needs a checkpoint", async () => {
    await expect(createMirror(merchant(), { store: new MemoryMirrorStore() }).reconcile()).rejects.toThrow(
      "run a full load first",
    );
  });
});
