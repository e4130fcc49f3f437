// The mirror's store on effect/sql, with two drivers: @effect/sql-sqlite-node (a SQLite file) and
// @effect/sql-pg (a real PostgreSQL server started here). Both pass core's store contract, and a mirror on
// it loads an account and applies events like any other store. A file written by the node:sqlite store
// package is read by this one: one schema for every driver.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PgClient } from "@effect/sql-pg";
import { SqliteClient } from "@effect/sql-sqlite-node";
import type { MirrorMark, MirrorStore, MirrorTransaction } from "@square-customers/core";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import { customer, startPostgres, storeContract, type TestPostgres } from "@square-customers/mirror-testing";
import type * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import * as Redacted from "effect/Redacted";
import { SqlClient } from "effect/sql/SqlClient";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EffectMirrorStore, EffectMirrorTransaction } from "../src/mirror.js";
import { makeSqlMirrorStore } from "../src/sql-store.js";

let server: TestPostgres;
const dir = mkdtempSync(join(tmpdir(), "effect-sql-store-"));
const runtimes: Array<ManagedRuntime.ManagedRuntime<SqlClient, unknown>> = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(runtimes.map((r) => r.dispose()));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A store on a driver, with the runtime that runs it and a way to query the database. */
async function open(layer: Layer.Layer<SqlClient, unknown>) {
  const runtime = ManagedRuntime.make(layer);
  runtimes.push(runtime);
  const store = await runtime.runPromise(makeSqlMirrorStore);
  const query = (text: string, params: unknown[]) =>
    runtime.runPromise(
      Effect.flatMap(Effect.service(SqlClient), (sql) => sql.unsafe<Record<string, unknown>>(text, params)),
    );
  return { runtime, store, query };
}

/** The Effect store as a promise store, its operations run inside the transaction's fiber context. */
function asPromiseStore(
  store: EffectMirrorStore,
  runtime: ManagedRuntime.ManagedRuntime<SqlClient, unknown>,
): MirrorStore {
  const promiseTx = (tx: EffectMirrorTransaction, context: Context.Context<never>): MirrorTransaction => {
    const wrap = (kind: keyof EffectMirrorTransaction) => (op: never) =>
      Effect.runPromiseWith(context)((tx[kind] as (op: never) => Effect.Effect<unknown, unknown>)(op));
    return Object.fromEntries(
      Object.keys(tx).map((k) => [k, wrap(k as keyof EffectMirrorTransaction)]),
    ) as MirrorTransaction;
  };
  return {
    transaction: (work) =>
      runtime.runPromise(
        store.transaction((tx) =>
          Effect.flatMap(Effect.context<never>(), (context) =>
            Effect.tryPromise({ try: async () => work(promiseTx(tx, context)), catch: (error) => error }),
          ),
        ),
      ) as never,
  };
}

function markOf(
  query: (text: string, params: unknown[]) => Promise<readonly Record<string, unknown>[]>,
  dialect: "sqlite" | "postgres",
) {
  const placeholders = dialect === "sqlite" ? ["?", "?"] : ["$1", "$2"];
  return async (merchantId: string, id: string): Promise<MirrorMark | undefined> => {
    const [row] = await query(
      `SELECT version, observed_at, deleted_at FROM square_customers WHERE merchant_id = ${placeholders[0]} AND id = ${placeholders[1]}`,
      [merchantId, id],
    );
    return (
      row && { version: Number(row.version), at: Number(row.observed_at), deleted: row.deleted_at !== null }
    );
  };
}

function contract(
  name: string,
  dialect: "sqlite" | "postgres",
  layer: () => Promise<Layer.Layer<SqlClient, unknown>>,
) {
  let opened: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    opened = await open(await layer());
  }, 60_000);
  storeContract(name, () => {
    const liveSql = `SELECT customer FROM square_live_customers WHERE merchant_id = ${dialect === "sqlite" ? "?" : "$1"} ORDER BY id`;
    return {
      store: asPromiseStore(opened.store, opened.runtime),
      customers: async (merchantId) =>
        (await opened.query(liveSql, [merchantId])).map((r) =>
          typeof r.customer === "string" ? JSON.parse(r.customer) : r.customer,
        ),
      mark: markOf(opened.query, dialect),
    };
  });
}

contract("effect/sql on @effect/sql-sqlite-node", "sqlite", async () =>
  SqliteClient.layer({ filename: join(dir, "contract.sqlite") }),
);

contract("effect/sql on @effect/sql-pg", "postgres", async () =>
  PgClient.layer({ url: Redacted.make(await server.database("effect_contract")) }),
);

describe("one schema for every driver", () => {
  it("reads a file the node:sqlite store wrote, and writes it back", async () => {
    const file = join(dir, "shared.sqlite");
    const written = SqliteMirrorStore.open(file);
    await written.transaction((tx) =>
      tx.write({
        kind: "write",
        merchantId: "M1",
        writes: [
          {
            kind: "upsert",
            id: "C1",
            customer: customer("C1", 2),
            mark: { version: 2, at: 5, deleted: false },
          },
        ],
      }),
    );
    written.close();
    const { runtime, store } = await open(SqliteClient.layer({ filename: file }));
    const count = await runtime.runPromise(
      store.transaction((tx) =>
        tx.write({
          kind: "write",
          merchantId: "M1",
          writes: [
            {
              kind: "upsert",
              id: "C1",
              customer: customer("C1", 1),
              mark: { version: 1, at: 9, deleted: false },
            },
          ],
        }),
      ),
    );
    expect(count).toBe(0);
    const reopened = SqliteMirrorStore.open(file);
    expect([...reopened.customers("M1")].map((c) => c.version)).toEqual([2]);
    reopened.close();
  });

  it("refuses a driver whose SQL is neither PostgreSQL's nor SQLite's", async () => {
    const fake = Layer.succeed(SqlClient, {
      onDialectOrElse: ({ orElse }: { orElse: () => unknown }) => orElse(),
      driver: "mssql",
    } as never);
    const error = await Effect.runPromise(Effect.flip(makeSqlMirrorStore.pipe(Effect.provide(fake))));
    expect(error.message).toContain("not the mssql driver");
  });
});
