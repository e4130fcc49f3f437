// @square-customers/client-effect/sql: the mirror's store on `effect/sql`'s `SqlClient`, so any Effect SQL
// driver works (`@effect/sql-pg`, `@effect/sql-sqlite-node`, …). The schema, its migrations and every
// statement are core's (`@square-customers/core/mirror-sql`), the same as the node:sqlite and `pg`
// stores', so one database can be written by any of them. This file only picks the dialect, migrates,
// and runs each operation's statement inside the client's transaction.
import type { MirrorOp } from "@square-customers/core";
import {
  APPLIED_MIGRATIONS_SQL,
  MIGRATION_LOCK_SQL,
  migrationsTable,
  pendingMigrations,
  recordMigrationSql,
  resultOfRows,
  type SqlDialect,
  statementFor,
} from "@square-customers/core/mirror-sql";
import * as Effect from "effect/Effect";
import { SqlClient } from "effect/sql/SqlClient";
import type { SqlError } from "effect/sql/SqlError";
import {
  type EffectMirrorStore,
  type EffectMirrorTransaction,
  type MirrorStoreError,
  storeError,
} from "./mirror-store.js";

/** The dialect of the client's database; the mirror's SQL is written for PostgreSQL and SQLite. */
function dialectOf(sql: SqlClient): Effect.Effect<SqlDialect, MirrorStoreError> {
  const dialect = sql.onDialectOrElse({
    pg: () => "postgres" as const,
    sqlite: () => "sqlite" as const,
    orElse: () => undefined,
  });
  return dialect === undefined
    ? Effect.fail(
        storeError(
          "open",
          new Error(`the mirror's SQL is for PostgreSQL and SQLite, not the ${sql.driver} driver`),
        ),
      )
    : Effect.succeed(dialect);
}

/** The statements the migrations lack, run in one transaction (under a lock in PostgreSQL). */
function migrate(sql: SqlClient, dialect: SqlDialect): Effect.Effect<void, SqlError | MirrorStoreError> {
  return sql.withTransaction(
    Effect.gen(function* () {
      const lock = MIGRATION_LOCK_SQL[dialect];
      if (lock !== undefined) yield* sql.unsafe(lock);
      yield* sql.unsafe(migrationsTable(dialect));
      const applied = yield* sql.unsafe<{ version: number }>(APPLIED_MIGRATIONS_SQL);
      const pending = yield* Effect.try({
        try: () => pendingMigrations(applied.map((row) => row.version)),
        catch: (cause) => storeError("migrate", cause),
      });
      for (const migration of pending) {
        for (const statement of migration.statements[dialect]) yield* sql.unsafe(statement);
        yield* sql.unsafe(recordMigrationSql(dialect), [migration.version, migration.name, Date.now()]);
      }
    }),
  );
}

/**
 * The mirror's store on the `SqlClient` in context, its schema brought up to date first (safe with
 * several processes starting at once). Hand it to `makeMirror({ store })`.
 */
export const makeSqlMirrorStore: Effect.Effect<EffectMirrorStore, MirrorStoreError, SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient;
    const dialect = yield* dialectOf(sql);
    yield* Effect.mapError(migrate(sql, dialect), (error) =>
      error._tag === "MirrorStoreError" ? error : storeError("migrate", error),
    );
    const run = (op: MirrorOp) => {
      const { statements, reading } = statementFor(dialect, op);
      return Effect.forEach(statements, ({ sql: text, params }) =>
        sql.unsafe<Record<string, unknown>>(text, params),
      ).pipe(
        Effect.map((results) => resultOfRows(reading, results)),
        Effect.mapError((error) => storeError(op.kind, error)),
      );
    };
    const tx = {
      applyEvent: run,
      write: run,
      tombstoneUnseen: run,
      readCheckpoint: run,
      advanceCheckpoint: run,
      forgetEvents: run,
    } as unknown as EffectMirrorTransaction;
    const store: EffectMirrorStore = {
      kind: "effect",
      transaction: (work) =>
        sql
          .withTransaction(work(tx))
          .pipe(Effect.catchTag("SqlError", (error) => Effect.fail(storeError("transaction", error)))),
    };
    return store;
  },
);
