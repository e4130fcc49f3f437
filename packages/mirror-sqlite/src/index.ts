/// <reference types="node" />
// @square-customers/mirror-sqlite: core's `MirrorStore` on a SQLite file, with `node:sqlite` (no native
// module to build). The schema, its migrations and every statement are core's
// (`@square-customers/core/mirror-sql`); this file only opens the database, migrates it, and runs
// statements in transactions.
//
// Several processes may write one file at once: each transaction starts with `BEGIN IMMEDIATE` (it takes
// the write lock first, so two writers never deadlock upgrading a read lock), waits up to
// `busyTimeoutMs` for it, and every decision is made inside its statements. Durability: WAL with
// `synchronous = NORMAL`, so a committed step survives the process being killed; a power cut can lose
// the last moments (Square's retries and the next reconcile pass bring them back).
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
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
  migrationsTable,
  pendingMigrations,
  recordMigrationSql,
  resultOfChanges,
  resultOfRows,
  statementFor,
} from "@square-customers/core/mirror-sql";

export interface SqliteMirrorStoreOptions {
  /** How long a transaction waits for another process's write lock (default 30 s). */
  readonly busyTimeoutMs?: number;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** A mirror in a SQLite file: `SqliteMirrorStore.open("mirror.sqlite")`. */
export class SqliteMirrorStore implements MirrorStore {
  /** The database, for your own queries (`square_live_customers`, …). */
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #operations: MirrorTransaction;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  /** Opens (or creates) the mirror in `file` and brings its schema up to date. */
  static open(file: string, options: SqliteMirrorStoreOptions = {}): SqliteMirrorStore {
    const db = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 30_000 });
    try {
      return new SqliteMirrorStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** A mirror in an open database (WAL is turned on); its schema is brought up to date. */
  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    migrate(db);
    const run = (op: MirrorOp) => this.#run(op);
    this.#operations = {
      applyEvent: run as MirrorTransaction["applyEvent"],
      write: run as MirrorTransaction["write"],
      tombstoneUnseen: run as MirrorTransaction["tombstoneUnseen"],
      readCheckpoint: run as MirrorTransaction["readCheckpoint"],
      advanceCheckpoint: run as MirrorTransaction["advanceCheckpoint"],
      forgetEvents: run as MirrorTransaction["forgetEvents"],
    };
  }

  /**
   * Runs `work` in one transaction. Transactions on this object run one after another; synchronous work
   * (core's steps on this store always are) runs at once when none is waiting.
   */
  transaction<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): Promise<T> {
    if (this.#queued === 0) {
      try {
        const result = this.#transaction(work);
        if (!isPromise(result)) return Promise.resolve(result);
        return this.#enqueue(() => result);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#enqueue(() => this.#transaction(work));
  }

  #enqueue<T>(task: () => MaybePromise<T>): Promise<T> {
    this.#queued++;
    const result = this.#tail.then(task).finally(() => this.#queued--);
    this.#tail = result.catch(() => {});
    return result;
  }

  #transaction<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): MaybePromise<T> {
    this.#prepare("BEGIN IMMEDIATE").run();
    let result: MaybePromise<T>;
    try {
      result = work(this.#operations);
    } catch (error) {
      this.#rollback();
      throw error;
    }
    if (!isPromise(result)) {
      this.#prepare("COMMIT").run();
      return result;
    }
    return result.then(
      (value) => {
        this.#prepare("COMMIT").run();
        return value;
      },
      (error: unknown) => {
        this.#rollback();
        throw error;
      },
    );
  }

  #rollback(): void {
    // A failed statement may have ended the transaction already; the step's error is what matters.
    if (this.db.isTransaction) this.db.exec("ROLLBACK");
  }

  #run(op: MirrorOp): unknown {
    const { statements, reading } = statementFor("sqlite", op);
    if (reading === "nothing") {
      for (const { sql, params } of statements) this.#prepare(sql).run(...(params as SQLInputValue[]));
      return undefined;
    }
    if (reading === "count" || reading === "applied") {
      // Rows changed is all these readings need: no row objects are built.
      const changes = statements.map(({ sql, params }) =>
        Number(this.#prepare(sql).run(...(params as SQLInputValue[])).changes),
      );
      return resultOfChanges(reading, changes);
    }
    const rows = statements.map(
      ({ sql, params }) =>
        this.#prepare(sql).all(...(params as SQLInputValue[])) as Record<string, unknown>[],
    );
    return resultOfRows(reading, rows);
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  // ---- reading the mirror ------------------------------------------------------------------------------

  /** Every live customer of a merchant, by id. */
  *customers(merchantId: string): Iterable<MirroredCustomer> {
    const rows = this.#prepare(
      "SELECT customer FROM square_live_customers WHERE merchant_id = ? ORDER BY id",
    ).iterate(merchantId) as Iterable<{ customer: string }>;
    for (const row of rows) yield JSON.parse(row.customer) as MirroredCustomer;
  }

  /** A merchant's live customers and tombstones. */
  counts(merchantId: string): { readonly live: number; readonly deleted: number } {
    const row = this.#prepare(
      `SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live, count(deleted_at) AS deleted
       FROM square_customers WHERE merchant_id = ?`,
    ).get(merchantId) as { live: number; deleted: number };
    return { live: Number(row.live), deleted: Number(row.deleted) };
  }

  /** A merchant's checkpoint (undefined before its first full load). */
  checkpoint(merchantId: string): MirrorCheckpoint | undefined {
    return this.#run({ kind: "readCheckpoint", merchantId }) as MirrorCheckpoint | undefined;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** Applies the migrations the file lacks, in one transaction holding the write lock. */
function migrate(db: DatabaseSync): void {
  db.exec(migrationsTable("sqlite"));
  db.exec("BEGIN IMMEDIATE");
  try {
    const applied = (db.prepare(APPLIED_MIGRATIONS_SQL).all() as Array<{ version: number }>).map(
      (r) => r.version,
    );
    for (const migration of pendingMigrations(applied)) {
      for (const statement of migration.statements.sqlite) db.exec(statement);
      db.prepare(recordMigrationSql("sqlite")).run(migration.version, migration.name, Date.now());
    }
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
