// The SQL of each mirror operation (core's `MirrorOp`), for SQLite and PostgreSQL. Every decision is
// made inside the statement, so several writers on one database stay right without locks of their own:
// the upsert writes a state only where its mark supersedes the stored one (`SUPERSEDES_SQL`, core's
// `supersedes` in SQL), claiming an event is an insert that reports whether it was new, and the
// checkpoint only moves forward. Parameters are positional: `?` in SQLite, `$n` in PostgreSQL; each
// statement's parameters come from `statementParams` in the same order in both dialects.
import type { ApplyEvent, ApplyEventResult, MirrorOp } from "../store.js";
import type { MirrorCheckpoint, MirrorWrite } from "../types.js";
import { type SqlDialect, sqlType, WRITE_COLUMNS } from "./schema.js";

/**
 * `supersedes(excluded, square_customers)` in SQL: a higher version wins; at the same version a tombstone
 * beats a live state, and of two live states the later observed wins.
 */
export const SUPERSEDES_SQL = `excluded.version > square_customers.version
  OR (excluded.version = square_customers.version AND (
    (excluded.deleted_at IS NOT NULL AND square_customers.deleted_at IS NULL)
    OR (excluded.deleted_at IS NULL AND square_customers.deleted_at IS NULL
        AND excluded.observed_at > square_customers.observed_at)))`;

/** A row of square_customers as a write carries it (merchant_id apart): `WRITE_COLUMNS`, by name. */
export type MirrorRow = Readonly<Record<(typeof WRITE_COLUMNS)[number][0], unknown>>;

/** The row a write puts in square_customers: the columns are copies of the customer's fields. */
export function rowOfWrite(write: MirrorWrite): MirrorRow {
  const c = write.customer;
  return {
    id: write.id,
    version: write.mark.version,
    observed_at: write.mark.at,
    deleted_at: write.mark.deleted ? new Date(write.mark.at).toISOString() : null,
    given_name: c.given_name ?? null,
    family_name: c.family_name ?? null,
    nickname: c.nickname ?? null,
    company_name: c.company_name ?? null,
    email_address: c.email_address ?? null,
    phone_number: c.phone_number ?? null,
    reference_id: c.reference_id ?? null,
    birthday: c.birthday ?? null,
    creation_source: c.creation_source ?? null,
    created_at: c.created_at ?? null,
    updated_at: c.updated_at ?? null,
    customer: c,
  };
}

const columnNames = WRITE_COLUMNS.map(([name]) => name);

/** The `DO UPDATE` of the upsert: every column but the key, and only where the incoming state supersedes. */
function upsertTail(): string {
  const updates = columnNames
    .filter((name) => name !== "id")
    .map((name) => `${name} = excluded.${name}`)
    .join(", ");
  return `ON CONFLICT (merchant_id, id) DO UPDATE SET ${updates}
WHERE ${SUPERSEDES_SQL}
RETURNING id`;
}

/**
 * The upsert of writes, written only where their mark supersedes the stored one; `RETURNING` names the
 * rows written. SQLite binds one row per run (a prepared statement run per row is its fastest way);
 * PostgreSQL takes a whole page as one JSON array parameter (one round trip per page).
 */
function writeSql(dialect: SqlDialect): string {
  if (dialect === "sqlite") {
    const placeholders = ["?", ...columnNames.map(() => "?")].join(", ");
    return `INSERT INTO square_customers (merchant_id, ${columnNames.join(", ")}) VALUES (${placeholders})
${upsertTail()}`;
  }
  return `INSERT INTO square_customers (merchant_id, ${columnNames.join(", ")})
${pageSource(2)}
${upsertTail()}`;
}

/** PostgreSQL: a page of rows from the JSON array parameter `$n`. */
function pageSource(n: number): string {
  const record = WRITE_COLUMNS.map(([name, type]) => `${name} ${sqlType("postgres", type)}`).join(", ");
  return `SELECT $1, ${columnNames.map((name) => `r.${name}`).join(", ")} FROM jsonb_to_recordset($${n}::jsonb) AS r(${record})`;
}

/**
 * Applying an event: its id is claimed and its change written in one go, the change only if the claim
 * was new (a copy handled before writes nothing). PostgreSQL does both in one statement (or claims alone,
 * for an event that writes nothing); SQLite runs the claim, then the write only if the claim just inserted
 * its row (`changes() = 1`), in one transaction.
 */
function applyEventSql(dialect: SqlDialect): readonly string[] {
  const claim = `INSERT INTO square_mirror_events (merchant_id, event_id, handled_at) VALUES (?, ?, ?)
ON CONFLICT (merchant_id, event_id) DO NOTHING RETURNING event_id`;
  if (dialect === "sqlite") {
    const placeholders = ["?", ...columnNames.map(() => "?")].join(", ");
    return [
      claim,
      `INSERT INTO square_customers (merchant_id, ${columnNames.join(", ")}) SELECT ${placeholders} WHERE changes() = 1
${upsertTail()}`,
    ];
  }
  // One row, so its values are bound as parameters (`$4…`, each cast to its column's type): a JSON page
  // (`pageSource`) would be parsed again by the server for every event.
  const claimed = `WITH claimed AS (${numbered("postgres", claim)})`;
  return [
    `${claimed},
written AS (
  INSERT INTO square_customers (merchant_id, ${columnNames.join(", ")})
  ${rowSource(4)} WHERE EXISTS (SELECT 1 FROM claimed)
  ${upsertTail()}
)
SELECT (SELECT count(*) FROM claimed) AS claimed, (SELECT count(*) FROM written) AS written`,
    `${claimed}
SELECT (SELECT count(*) FROM claimed) AS claimed, 0 AS written`,
  ];
}

/** PostgreSQL: one row from the merchant `$1` and the parameters from `$n` on, in `WRITE_COLUMNS` order. */
function rowSource(n: number): string {
  const values = WRITE_COLUMNS.map(([, type], i) => `$${n + i}::${sqlType("postgres", type)}`);
  return `SELECT $1::text, ${values.join(", ")}`;
}

/** `$1, $2, …` in PostgreSQL, `?` in SQLite. */
function numbered(dialect: SqlDialect, sql: string): string {
  let n = 0;
  return dialect === "sqlite" ? sql : sql.replace(/\?/g, () => `$${++n}`);
}

function statementsOf(dialect: SqlDialect) {
  const timestamp = dialect === "postgres" ? "::timestamptz" : "";
  const greatest = dialect === "postgres" ? "GREATEST" : "max";
  return {
    applyEvent: applyEventSql(dialect),
    write: writeSql(dialect),
    tombstoneUnseen: numbered(
      dialect,
      `UPDATE square_customers SET deleted_at = ?${timestamp}, observed_at = ?
WHERE merchant_id = ? AND deleted_at IS NULL AND observed_at < ? RETURNING id`,
    ),
    readCheckpoint: numbered(
      dialect,
      "SELECT loaded_at, reconciled_at FROM square_mirror_merchants WHERE merchant_id = ?",
    ),
    advanceAfterLoad: numbered(
      dialect,
      `INSERT INTO square_mirror_merchants (merchant_id, loaded_at, reconciled_at) VALUES (?, ?, ?)
ON CONFLICT (merchant_id) DO UPDATE SET
  loaded_at = ${greatest}(square_mirror_merchants.loaded_at, excluded.loaded_at),
  reconciled_at = ${greatest}(square_mirror_merchants.reconciled_at, excluded.reconciled_at)`,
    ),
    advanceAfterReconcile: numbered(
      dialect,
      `UPDATE square_mirror_merchants SET reconciled_at = ${greatest}(reconciled_at, ?) WHERE merchant_id = ?`,
    ),
    forgetEvents: numbered(
      dialect,
      "DELETE FROM square_mirror_events WHERE merchant_id = ? AND handled_at < ?",
    ),
  } as const;
}

/** Every statement of the mirror, by dialect. */
export const MIRROR_SQL = { sqlite: statementsOf("sqlite"), postgres: statementsOf("postgres") } as const;

export type MirrorStatementName = keyof (typeof MIRROR_SQL)["sqlite"];

/** What the rows of an operation's statements mean, to the operation. */
export type StatementReading = "count" | "applied" | "checkpoint" | "nothing";

/** Statements to run in order, each with its parameters, and how to read the rows they returned. */
export interface MirrorStatement {
  readonly statements: readonly { readonly sql: string; readonly params: readonly unknown[] }[];
  readonly reading: StatementReading;
}

/**
 * The statements an operation runs, their parameters, and how to read their rows (`resultOfRows`). One
 * function for every SQL store: each only sends the statements with its driver, in one transaction.
 */
export function statementFor(dialect: SqlDialect, op: MirrorOp): MirrorStatement {
  const sql = MIRROR_SQL[dialect];
  const one = (text: string, params: readonly unknown[], reading: StatementReading): MirrorStatement => ({
    statements: [{ sql: text, params }],
    reading,
  });
  switch (op.kind) {
    case "applyEvent":
      return applyEventStatements(dialect, op);
    case "write":
      return dialect === "sqlite"
        ? {
            statements: op.writes.map((w) => ({
              sql: sql.write,
              params: [op.merchantId, ...writeParams(w)],
            })),
            reading: "count",
          }
        : one(sql.write, [op.merchantId, JSON.stringify(op.writes.map(rowOfWrite))], "count");
    case "tombstoneUnseen":
      return one(
        sql.tombstoneUnseen,
        [new Date(op.at).toISOString(), op.at, op.merchantId, op.before],
        "count",
      );
    case "readCheckpoint":
      return one(sql.readCheckpoint, [op.merchantId], "checkpoint");
    case "advanceCheckpoint":
      return op.loadedAt === undefined
        ? one(sql.advanceAfterReconcile, [op.reconciledAt, op.merchantId], "nothing")
        : one(sql.advanceAfterLoad, [op.merchantId, op.loadedAt, op.reconciledAt], "nothing");
    case "forgetEvents":
      return one(sql.forgetEvents, [op.merchantId, op.before], "nothing");
  }
}

function applyEventStatements(dialect: SqlDialect, op: ApplyEvent): MirrorStatement {
  const claimParams = [op.merchantId, op.eventId, op.at];
  if (dialect === "postgres") {
    // Claim and write in one statement, or the claim alone for an event that writes nothing.
    const [claimAndWrite, claimOnly] = MIRROR_SQL.postgres.applyEvent;
    const statement =
      op.write === undefined
        ? { sql: claimOnly!, params: claimParams }
        : { sql: claimAndWrite!, params: [...claimParams, ...writeParams(op.write)] };
    return { statements: [statement], reading: "applied" };
  }
  const [claim, write] = MIRROR_SQL.sqlite.applyEvent;
  const statements: { sql: string; params: readonly unknown[] }[] = [{ sql: claim!, params: claimParams }];
  if (op.write !== undefined)
    statements.push({ sql: write!, params: [op.merchantId, ...writeParams(op.write)] });
  return { statements, reading: "applied" };
}

/** A write's values as statement parameters, in `WRITE_COLUMNS` order (the customer as JSON text). */
function writeParams(write: MirrorWrite): unknown[] {
  const row = rowOfWrite(write);
  return columnNames.map((name) => (name === "customer" ? JSON.stringify(row.customer) : row[name]));
}

/**
 * An operation's result from how many rows each of its statements changed, for the readings that need no
 * more (`count`, `applied`): a driver that reports changes (node:sqlite's `run`) need not build rows.
 */
export function resultOfChanges(
  reading: "count" | "applied",
  changes: readonly number[],
): number | ApplyEventResult {
  if (reading === "count") return changes.reduce((sum, n) => sum + n, 0);
  return { claimed: (changes[0] ?? 0) > 0, written: (changes[1] ?? 0) > 0 };
}

/**
 * An operation's result from the rows each of its statements returned. Drivers give PostgreSQL's bigint
 * and count as a string or a bigint; they are read back as numbers (times in ms are well within 2^53).
 */
export function resultOfRows(
  reading: StatementReading,
  rows: readonly (readonly Record<string, unknown>[])[],
): number | ApplyEventResult | MirrorCheckpoint | undefined {
  switch (reading) {
    case "count":
      return rows.reduce((sum, r) => sum + r.length, 0);
    case "applied": {
      // PostgreSQL: one row of counts; SQLite: the claim's rows, then the write's.
      const [first, second] = rows;
      if (second === undefined && first?.[0] !== undefined && "claimed" in first[0]) {
        return { claimed: Number(first[0].claimed) > 0, written: Number(first[0].written) > 0 };
      }
      return { claimed: (first?.length ?? 0) > 0, written: (second?.length ?? 0) > 0 };
    }
    case "checkpoint": {
      const row = rows[0]?.[0];
      return row === undefined
        ? undefined
        : { loadedAt: Number(row.loaded_at), reconciledAt: Number(row.reconciled_at) };
    }
    case "nothing":
      return undefined;
  }
}
