// The Effect client's mirror against the emulator over HTTP: full load as a progress Stream (with the
// reconciliation of deletions), sync and resuming from a checkpoint, the reconcile pass, events through
// `webhookHandler` (a forged one never applied), and a failing store as a typed error. The convergence
// under delivery faults, for both flavors, is in apps/example/test/mirror-convergence.test.ts. Events here
// are made up, for merchant M1: the loads key that merchant's rows by the same id.
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteClient } from "@effect/sql-sqlite-node";
import { assert, layer } from "@effect/vitest";
import { type Customer, changeOfRead, type MirrorStore } from "@square-customers/core";
import { Cause, Effect, Exit, Layer, Stream } from "effect";
import { HttpRouter, HttpServer } from "effect/http";
import { SqlClient } from "effect/sql/SqlClient";
import { SquareClient, type WebhookEvent } from "../src/index.js";
import { MemoryMirrorStore, MirrorStoreError, makeMirror } from "../src/mirror.js";
import { makeSqlMirrorStore } from "../src/sql-store.js";
import { webhookHandler } from "../src/webhooks.js";
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
      const gone = changeOfRead({ ...first!, id: "GONE", version: 1 }, 0, 0);
      yield* Effect.promise(() =>
        store.transaction((tx) => tx.write({ kind: "write", merchantId: M, writes: [gone] })),
      );
      const mirror = yield* makeMirror({ store });
      const progress = yield* Stream.runCollect(mirror.fullLoad(M));
      assert.deepStrictEqual(
        progress.map((p) => (p.kind === "load" ? `${p.stage} ${p.listed}/${p.total} -${p.deleted}` : p.kind)),
        ["listing 100/150 -0", "listing 150/150 -0", "deleting 150/150 -0", "done 150/150 -1"],
      );
      assert.deepStrictEqual(sortById(store.customers(M)), yield* account);
      assert.deepStrictEqual(store.mark(M, "GONE"), {
        version: 1,
        at: store.checkpoint(M)!.loadedAt,
        deleted: true,
      });
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("sync loads in full once, then reconciles from the checkpoint without listing again", () =>
    Effect.gen(function* () {
      const ids = yield* createCustomers(12, "Sync");
      const store = new MemoryMirrorStore();
      const first = yield* Stream.runCollect((yield* makeMirror({ store })).sync(M));
      assert.strictEqual(first.at(-1)?.kind, "load");

      const { customers } = yield* SquareClient;
      yield* customers.update(ids[3]!, { nickname: "Later" });
      const lists = yield* requestCount("listCustomers");
      // A new mirror on the same store, as after a restart.
      const second = yield* Stream.runCollect((yield* makeMirror({ store })).sync(M));
      assert.deepStrictEqual(
        second.map((p) => p.kind),
        second.map(() => "reconcile"),
      );
      assert.strictEqual(yield* requestCount("listCustomers"), lists);
      assert.strictEqual(store.customer(M, ids[3]!)?.nickname, "Later");
      assert.deepStrictEqual(sortById(store.customers(M)), yield* account);
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("reconcile without a checkpoint dies: a full load comes first", () =>
    Effect.gen(function* () {
      const mirror = yield* makeMirror({ store: new MemoryMirrorStore() });
      const exit = yield* Effect.exit(Stream.runDrain(mirror.reconcile(M)));
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause));
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("applies events through webhookHandler, newest version kept; a forgery is never applied", () =>
    Effect.gen(function* () {
      const [id] = yield* createCustomers(1, "Hook");
      const { customers } = yield* SquareClient;
      const store = new MemoryMirrorStore();
      const mirror = yield* makeMirror({ store });
      yield* Stream.runDrain(mirror.fullLoad(M));
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
      assert.strictEqual(store.customer(M, id!)?.nickname, "Two");
      assert.isFalse(store.hasEvent(M, "E3"));
      assert.deepStrictEqual(sortById(store.customers(M)), yield* account);
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("apply: a failing store is a MirrorStoreError, rolled back, with nothing remembered", () =>
    Effect.gen(function* () {
      const [id] = yield* createCustomers(1, "Fail");
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.retrieve(id!);
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
      const mirror = yield* makeMirror({ store });
      const event = JSON.parse(updated(customer, "E-fail")) as WebhookEvent;
      const error = yield* Effect.flip(mirror.apply(event));
      assert.instanceOf(error, MirrorStoreError);
      assert.strictEqual(error.method, "applyEvent");
      assert.include(error.message, "disk full");
      // The claim of the event id was rolled back with the failed write.
      assert.isFalse(inner.hasEvent(M, "E-fail"));
      failing = false;
      const outcomes: string[] = [];
      for (const e of [event, event]) outcomes.push((yield* mirror.apply(e)).outcome);
      assert.deepStrictEqual(outcomes, ["applied", "duplicate"]);
    }).pipe(Effect.provide(clientLayer())),
  );
});

layer(Emulator.layer(), { excludeTestServices: true })("makeMirror on effect/sql", (it) => {
  it.effect("loads an account and applies events into SQLite through @effect/sql-sqlite-node", () => {
    const dir = mkdtempSync(join(tmpdir(), "mirror-effect-sql-"));
    return Effect.gen(function* () {
      const [id] = yield* createCustomers(7, "Sql");
      const mirror = yield* makeMirror({ store: yield* makeSqlMirrorStore });
      const progress = yield* Stream.runCollect(mirror.fullLoad(M));
      assert.deepStrictEqual(progress.at(-1), {
        kind: "load",
        merchantId: M,
        stage: "done",
        listed: 7,
        total: 7,
        written: 7,
        deleted: 0,
      });
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.update(id!, { nickname: "Through SQL" });
      const event = JSON.parse(updated(customer, "E-sql")) as WebhookEvent;
      const outcomes = [(yield* mirror.apply(event)).outcome, (yield* mirror.apply(event)).outcome];
      assert.deepStrictEqual(outcomes, ["applied", "duplicate"]);
      const sql = yield* SqlClient;
      const rows = yield* sql.unsafe<{ nickname: string | null; n: number }>(
        "SELECT nickname, (SELECT count(*) FROM square_live_customers WHERE merchant_id = ?) AS n FROM square_customers WHERE id = ?",
        [M, id],
      );
      assert.deepStrictEqual(rows, [{ nickname: "Through SQL", n: 7 }]);
    }).pipe(
      Effect.provide(clientLayer()),
      Effect.provide(SqliteClient.layer({ filename: join(dir, "mirror.sqlite") })),
      Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true }))),
    );
  });
});

const M = "M1";
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
