// @square-customers/mirror-postgres: core's `MirrorStore` in PostgreSQL, on the `pg` driver with your own
// pool (or one client). The schema, its migrations and every statement are core's
// (`@square-customers/core/mirror-sql`); this file only migrates, and runs statements in transactions.
//
// Several processes and connections may write at once: every decision is made inside a statement (the
// upsert's "newer wins" condition, the event claim, the checkpoint's GREATEST), at READ COMMITTED, and a
// step's rows are locked in id order, so writers neither overwrite each other nor deadlock.
import type {
  MaybePromise,
  MirrorCheckpoint,
  MirroredCustomer,
  MirrorOp,
  MirrorStore,
  MirrorTransaction,
} from "@square-customers/core";
import {
  APPLIED_MIGRATIONS_SQL,
  MIGRATION_LOCK_SQL,
  migrationsTable,
  pendingMigrations,
  recordMigrationSql,
  resultOfRows,
  statementFor,
} from "@square-customers/core/mirror-sql";

/** What the store needs of a `pg` client (a `pg.Client`, or one checked out of a `pg.Pool`). */
export interface PgClientLike {
  query(
    query: string | { readonly name?: string; readonly text: string; readonly values?: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A name per statement text: each connection prepares a mirror statement once, then only runs it. */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `square_mirror_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/** What the store needs of a `pg.Pool`. */
export interface PgPoolLike {
  connect(): Promise<PgClientLike & { release(error?: Error | boolean): void }>;
}

/** Where the store's connections come from: your pool (one connection per transaction), or one client. */
export type PostgresConnection = { readonly pool: PgPoolLike } | { readonly client: PgClientLike };

/** A connection for one transaction, and how to give it back. */
type Lease = { readonly client: PgClientLike; release(error?: Error): void };

/** A mirror in PostgreSQL: `await PostgresMirrorStore.open({ pool })`. */
export class PostgresMirrorStore implements MirrorStore {
  readonly #lease: () => Promise<Lease>;

  /** Opens the mirror on your connection, bringing its schema up to date (safe with several processes). */
  static async open(connection: PostgresConnection): Promise<PostgresMirrorStore> {
    const store = new PostgresMirrorStore(connection);
    await store.#migrate();
    return store;
  }

  private constructor(connection: PostgresConnection) {
    this.#lease = "pool" in connection ? leaseFromPool(connection.pool) : leaseOneClient(connection.client);
  }

  /**
   * Runs `work` in one transaction on one connection: committed if it succeeds, rolled back if not.
   * `BEGIN` is sent with the first operation. An `applyEvent` is always alone in its transaction (core's
   * contract) and is one statement, so it runs without `BEGIN` and `COMMIT`: one round trip per event.
   */
  async transaction<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): Promise<T> {
    const lease = await this.#lease();
    const { client } = lease;
    let state = "idle" as "idle" | "begun" | "alone";
    const before = async (op: MirrorOp) => {
      if (state === "alone") throw new Error("applyEvent must be the only operation of its transaction");
      if (state === "idle" && op.kind === "applyEvent") state = "alone";
      else if (state === "idle") {
        await client.query("BEGIN");
        state = "begun";
      }
    };
    try {
      let result: T;
      try {
        result = await work(operations(client, before));
      } catch (error) {
        // The step's own error says what went wrong; a failing rollback would only hide it.
        if (state === "begun") await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
      if (state === "begun") await client.query("COMMIT");
      lease.release();
      return result;
    } catch (error) {
      lease.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  async #migrate(): Promise<void> {
    const lease = await this.#lease();
    const { client } = lease;
    try {
      // Under the lock, so that processes starting at once migrate one after another.
      await client.query("BEGIN");
      await client.query(MIGRATION_LOCK_SQL.postgres as string);
      await client.query(migrationsTable("postgres"));
      const { rows } = await client.query(APPLIED_MIGRATIONS_SQL);
      for (const migration of pendingMigrations(rows.map((r) => r.version as number))) {
        for (const statement of migration.statements.postgres) await client.query(statement);
        await client.query(recordMigrationSql("postgres"), [migration.version, migration.name, Date.now()]);
      }
      await client.query("COMMIT");
      lease.release();
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      lease.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  // ---- reading the mirror ------------------------------------------------------------------------------

  async #query(text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    const lease = await this.#lease();
    try {
      const { rows } = await lease.client.query(text, values);
      lease.release();
      return rows;
    } catch (error) {
      lease.release(error as Error);
      throw error;
    }
  }

  /** Every live customer of a merchant, by id. */
  async customers(merchantId: string): Promise<MirroredCustomer[]> {
    const rows = await this.#query(
      "SELECT customer FROM square_live_customers WHERE merchant_id = $1 ORDER BY id",
      [merchantId],
    );
    return rows.map((row) => row.customer as MirroredCustomer);
  }

  /** A merchant's live customers and tombstones. */
  async counts(merchantId: string): Promise<{ readonly live: number; readonly deleted: number }> {
    const [row] = await this.#query(
      `SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live, count(deleted_at) AS deleted
       FROM square_customers WHERE merchant_id = $1`,
      [merchantId],
    );
    return { live: Number(row?.live), deleted: Number(row?.deleted) };
  }

  /** A merchant's checkpoint (undefined before its first full load). */
  async checkpoint(merchantId: string): Promise<MirrorCheckpoint | undefined> {
    const { statements } = statementFor("postgres", { kind: "readCheckpoint", merchantId });
    const [{ sql, params }] = statements as [{ sql: string; params: readonly unknown[] }];
    return resultOfRows("checkpoint", [await this.#query(sql, [...params])]) as MirrorCheckpoint | undefined;
  }
}

/** The operations of one transaction, each one statement on its connection, `before` each. */
function operations(client: PgClientLike, before: (op: MirrorOp) => Promise<void>): MirrorTransaction {
  const run = async (op: MirrorOp) => {
    await before(op);
    const { statements, reading } = statementFor("postgres", op);
    const rows: Record<string, unknown>[][] = [];
    for (const { sql, params } of statements) {
      rows.push((await client.query({ name: statementName(sql), text: sql, values: [...params] })).rows);
    }
    return resultOfRows(reading, rows);
  };
  return {
    applyEvent: run as MirrorTransaction["applyEvent"],
    write: run as MirrorTransaction["write"],
    tombstoneUnseen: run as MirrorTransaction["tombstoneUnseen"],
    readCheckpoint: run as MirrorTransaction["readCheckpoint"],
    advanceCheckpoint: run as MirrorTransaction["advanceCheckpoint"],
    forgetEvents: run as MirrorTransaction["forgetEvents"],
  };
}

function leaseFromPool(pool: PgPoolLike): () => Promise<Lease> {
  return async () => {
    const client = await pool.connect();
    return { client, release: (error) => client.release(error ?? false) };
  };
}

/** One client: its transactions run one after another. */
function leaseOneClient(client: PgClientLike): () => Promise<Lease> {
  let tail: Promise<void> = Promise.resolve();
  return async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => released);
    await previous;
    return { client, release: () => release() };
  };
}
