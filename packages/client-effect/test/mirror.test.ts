// The Effect client's mirror against the emulator over HTTP: full load as a progress Stream (with the
// reconciliation of deletions), sync and resuming from a checkpoint, the reconcile pass, events through
// `webhookHandler` (a forged one never applied), and a failing store as a typed error. The convergence
// under delivery faults, for both flavors, is in apps/example/test/mirror-convergence.test.ts.
import { createHmac } from "node:crypto";
import { assert, layer } from "@effect/vitest";
import type { Customer } from "@square-customers/core";
import { Cause, Effect, Exit, Layer, Stream } from "effect";
import { HttpRouter, HttpServer } from "effect/http";
import {
  MemoryMirrorStore,
  MirrorStoreError,
  makeMirror,
  SquareClient,
  type WebhookEvent,
  webhookHandler,
} from "../src/index.js";
import { clientLayer, Emulator, requestCount } from "./support.js";

const sortById = <T extends { id: string }>(items: Iterable<T>) =>
  [...items].sort((a, b) => a.id.localeCompare(b.id));

/** The account's customers as the mirror keeps them (no segment_ids). */
const account = Effect.gen(function* () {
  const { customers } = yield* SquareClient;
  const all = yield* Stream.runCollect(customers.listStream());
  return sortById(all.map(({ segment_ids: _, ...kept }) => kept));
});

const createCustomers = (count: number, tag: string) =>
  Effect.gen(function* () {
    const { customers } = yield* SquareClient;
    const results = yield* Stream.runCollect(
      customers.createMany(
        Array.from({ length: count }, (_, i) => ({
          given_name: `${tag}${i}`,
          email_address: `${tag}${i}@example.com`,
        })),
      ),
    );
    return results.map((r) => (r.outcome === "created" ? r.customer.id : ""));
  });

layer(Emulator.layer(), { excludeTestServices: true })("makeMirror", (it) => {
  it.effect("fullLoad is a Stream of progress: every page, the deletions, then done", () =>
    Effect.gen(function* () {
      yield* createCustomers(150, "Load");
      const store = new MemoryMirrorStore();
      const [first] = yield* account;
      store.upsert({ ...first!, id: "GONE" }, { version: 1, at: 0, deleted: false });
      const mirror = yield* makeMirror({ store });
      const progress = yield* Stream.runCollect(mirror.fullLoad);
      assert.deepStrictEqual(
        progress.map((p) => (p.kind === "load" ? `${p.stage} ${p.listed}/${p.total} -${p.deleted}` : p.kind)),
        ["listing 100/150 -0", "listing 150/150 -0", "deleting 150/150 -0", "done 150/150 -1"],
      );
      assert.deepStrictEqual(sortById(store.customers()), yield* account);
      assert.deepStrictEqual(store.get("GONE"), { version: 1, at: progressStart(store), deleted: true });
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("sync loads in full once, then reconciles from the checkpoint without listing again", () =>
    Effect.gen(function* () {
      const ids = yield* createCustomers(12, "Sync");
      const store = new MemoryMirrorStore();
      const first = yield* Stream.runCollect((yield* makeMirror({ store })).sync());
      assert.strictEqual(first.at(-1)?.kind, "load");

      const { customers } = yield* SquareClient;
      yield* customers.update(ids[3]!, { nickname: "Later" });
      const lists = yield* requestCount("listCustomers");
      // A new mirror on the same store, as after a restart.
      const second = yield* Stream.runCollect((yield* makeMirror({ store })).sync());
      assert.deepStrictEqual(
        second.map((p) => p.kind),
        second.map(() => "reconcile"),
      );
      assert.strictEqual(yield* requestCount("listCustomers"), lists);
      assert.strictEqual(store.customer(ids[3]!)?.nickname, "Later");
      assert.deepStrictEqual(sortById(store.customers()), yield* account);
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("reconcile without a checkpoint dies: a full load comes first", () =>
    Effect.gen(function* () {
      const mirror = yield* makeMirror({ store: new MemoryMirrorStore() });
      const exit = yield* Effect.exit(Stream.runDrain(mirror.reconcile));
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause));
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("applies events through webhookHandler, newest version kept; a forgery is never applied", () =>
    Effect.gen(function* () {
      const [id] = yield* createCustomers(1, "Hook");
      const { customers } = yield* SquareClient;
      const store = new MemoryMirrorStore();
      const mirror = yield* makeMirror({ store });
      yield* Stream.runDrain(mirror.fullLoad);
      const v1 = (yield* customers.update(id!, { nickname: "One" })).customer;
      const v2 = (yield* customers.update(id!, { nickname: "Two" })).customer;

      const { handler, dispose } = HttpRouter.toWebHandler(
        HttpRouter.add("POST", "/hooks", webhookHandler(options, mirror.apply)).pipe(
          Layer.provide(HttpServer.layerServices),
        ),
        { disableLogger: true },
      );
      const statuses: number[] = [];
      for (const [body, key] of [
        [updated(v2, "E2"), KEY],
        [updated(v1, "E1"), KEY],
        [updated(v2, "E2"), KEY],
        [updated({ ...v2, version: 99, nickname: "Forged" }, "E3"), "not-the-key"],
      ] as const) {
        const response = yield* Effect.promise(() => handler(delivery(body, key)));
        statuses.push(response.status);
      }
      yield* Effect.promise(() => dispose());
      assert.deepStrictEqual(statuses, [200, 200, 200, 401]);
      assert.strictEqual(store.customer(id!)?.nickname, "Two");
      assert.isFalse(store.hasEvent("E3"));
      assert.deepStrictEqual(sortById(store.customers()), yield* account);
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("apply: a failing store is a MirrorStoreError, rolled back, with nothing remembered", () =>
    Effect.gen(function* () {
      const [id] = yield* createCustomers(1, "Fail");
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.retrieve(id!);
      const inner = new MemoryMirrorStore();
      let failing = true;
      const steps: string[] = [];
      const store = Object.assign(Object.create(inner) as MemoryMirrorStore, {
        upsert: (...args: Parameters<MemoryMirrorStore["upsert"]>) => {
          steps.push("upsert");
          if (failing) throw new Error("disk full");
          inner.upsert(...args);
        },
        transactions: {
          begin: () => void steps.push("begin"),
          commit: () => void steps.push("commit"),
          rollback: () => {
            steps.push("rollback");
            throw new Error("rollback failed too");
          },
        },
      });
      const mirror = yield* makeMirror({ store });
      const event = JSON.parse(updated(customer, "E-fail")) as WebhookEvent;
      // The step's own failure comes out, not the rollback's.
      const error = yield* Effect.flip(mirror.apply(event));
      assert.instanceOf(error, MirrorStoreError);
      assert.strictEqual(error.method, "upsert");
      assert.include(error.message, "disk full");
      assert.isFalse(inner.hasEvent("E-fail"));
      failing = false;
      const outcomes: string[] = [];
      for (const e of [event, event]) outcomes.push((yield* mirror.apply(e)).outcome);
      assert.deepStrictEqual(outcomes, ["applied", "duplicate"]);
      // Each step in a transaction of its own: rolled back when it failed, committed otherwise.
      assert.deepStrictEqual(steps, [
        "begin",
        "upsert",
        "rollback",
        "begin",
        "upsert",
        "commit",
        "begin",
        "commit",
      ]);
    }).pipe(Effect.provide(clientLayer())),
  );
});

const KEY = "mirror-effect-key";
const URL = "https://example.com/hooks";
const options = { signatureKey: KEY, notificationUrl: URL };

/** A `customer.updated` body for `customer`. */
function updated(customer: Customer, eventId: string): string {
  return JSON.stringify({
    merchant_id: "M1",
    type: "customer.updated",
    event_id: eventId,
    created_at: new Date().toISOString(),
    data: { type: "customer", id: customer.id, object: { customer } },
  });
}

function delivery(body: string, key: string): Request {
  const signature = createHmac("sha256", key)
    .update(URL + body)
    .digest("base64");
  return new Request("http://127.0.0.1/hooks", {
    method: "POST",
    body,
    headers: { "x-square-hmacsha256-signature": signature },
  });
}

/** The load's start, as the checkpoint records it (a tombstone of the load is marked then). */
function progressStart(store: MemoryMirrorStore): number {
  return Date.parse(store.readCheckpoint()!.loadedAt);
}
