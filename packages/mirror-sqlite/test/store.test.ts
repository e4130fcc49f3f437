// The SQLite store: core's store contract on a file, the schema people query (columns, the live view,
// indexes), migrations (recorded, idempotent, a newer schema refused), and two connections writing one
// file at once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { MirrorMark } from "@square-customers/core";
import { customer, storeContract } from "@square-customers/mirror-testing";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteMirrorStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mirror-sqlite-"));
const opened: SqliteMirrorStore[] = [];
afterAll(() => {
  for (const store of opened) store.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function open(file = join(dir, `store-${++files}.sqlite`)): SqliteMirrorStore {
  const store = SqliteMirrorStore.open(file);
  opened.push(store);
  return store;
}

/** The mark of a row, read with plain SQL. */
function markOf(db: DatabaseSync, merchantId: string, id: string): MirrorMark | undefined {
  const row = db
    .prepare("SELECT version, observed_at, deleted_at FROM square_customers WHERE merchant_id = ? AND id = ?")
    .get(merchantId, id) as { version: number; observed_at: number; deleted_at: string | null } | undefined;
  return row && { version: row.version, at: row.observed_at, deleted: row.deleted_at !== null };
}

storeContract("SQLite (node:sqlite)", () => {
  const store = open();
  return {
    store,
    customers: (merchantId) => [...store.customers(merchantId)],
    mark: (merchantId, id) => markOf(store.db, merchantId, id),
  };
});

describe("the schema", () => {
  it("has columns people filter on, the customer as JSON, tombstones with deleted_at, and a live view", async () => {
    const store = open();
    const ada = customer("C1", 3, {
      family_name: "Lovelace",
      phone_number: "+14155550100",
      reference_id: "R-1",
    });
    await store.transaction((tx) =>
      tx.write({
        kind: "write",
        merchantId: "M1",
        writes: [
          { kind: "upsert", id: "C1", customer: ada, mark: { version: 3, at: 10, deleted: false } },
          {
            kind: "delete",
            id: "C2",
            customer: customer("C2", 1),
            mark: { version: 1, at: 20, deleted: true },
          },
        ],
      }),
    );
    const row = store.db.prepare("SELECT * FROM square_customers WHERE id = 'C1'").get() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      merchant_id: "M1",
      version: 3,
      given_name: "Ada",
      family_name: "Lovelace",
      email_address: "c1@example.com",
      phone_number: "+14155550100",
      reference_id: "R-1",
      creation_source: "THIRD_PARTY",
      created_at: "2025-01-01T00:00:00Z",
      deleted_at: null,
    });
    expect(JSON.parse(row.customer as string)).toEqual(ada);
    expect(
      store.db.prepare("SELECT customer ->> '$.address.locality' AS city FROM square_live_customers").all(),
    ).toEqual([{ city: "Paris" }]);
    expect(store.db.prepare("SELECT deleted_at FROM square_customers WHERE id = 'C2'").get()).toEqual({
      deleted_at: "1970-01-01T00:00:00.020Z",
    });
    expect(store.counts("M1")).toEqual({ live: 1, deleted: 1 });
    const plan = store.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM square_live_customers WHERE merchant_id = ? AND email_address = ?",
      )
      .all("M1", "c1@example.com") as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(" ")).toContain("square_customers_email");
  });

  it("records its migrations, opens again without redoing them, and refuses a newer schema", () => {
    const file = join(dir, "migrations.sqlite");
    open(file).close();
    const again = open(file);
    expect(again.db.prepare("SELECT version, name FROM square_mirror_migrations").all()).toEqual([
      { version: 1, name: "customers, events and merchants" },
    ]);
    again.db.prepare("INSERT INTO square_mirror_migrations VALUES (99, 'from the future', 0)").run();
    again.close();
    expect(() => open(file)).toThrow(
      "the mirror's schema is at version 99, newer than this release knows (1)",
    );
  });

  it("opening something that is not a database fails", () => {
    expect(() => SqliteMirrorStore.open(dir)).toThrow();
  });
});

describe("two connections on one file", () => {
  it("interleave their transactions and keep the newest state of each customer", async () => {
    const file = join(dir, "shared.sqlite");
    const [a, b] = [open(file), open(file)];
    const writes = Array.from({ length: 200 }, (_, i) => ({
      store: i % 2 === 0 ? a : b,
      version: (i * 7) % 50,
    }));
    await Promise.all(
      writes.map(({ store, version }) =>
        store.transaction((tx) =>
          tx.write({
            kind: "write",
            merchantId: "M1",
            writes: [
              {
                kind: "upsert",
                id: "C1",
                customer: customer("C1", version),
                mark: { version, at: 1, deleted: false },
              },
            ],
          }),
        ),
      ),
    );
    expect(markOf(a.db, "M1", "C1")?.version).toBe(49);
    expect([...b.customers("M1")].map((c) => c.version)).toEqual([49]);
  });
});
