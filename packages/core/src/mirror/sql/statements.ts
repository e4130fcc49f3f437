// The SQL of each mirror operation (core's `MirrorOp`), for SQLite and PostgreSQL. Every decision is
// made inside the statement, so several writers on one database stay right without locks of their own:
// the upsert writes a state only where its mark supersedes the stored one (`SUPERSEDES_SQL`, core's
// `supersedes` in SQL), claiming an event is an insert that reports whether it was new, and the
// checkpoint only moves forward. Parameters are positional: `?` in SQLite, `$n` in PostgreSQL; each
// statement's parameters come from `statementParams` in the same order in both dialects.
import type {
  AdvanceCheckpoint,
  ClaimEvent,
  ForgetEvents,
  MirrorOp,
  ReadCheckpoint,
  TombstoneUnseen,
  WriteCustomers,
} from "../store.js";
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

/**
 * The upsert of a page of writes: the rows come as one JSON array parameter (so a page is one statement
 * whatever its size), and only those whose mark supersedes the stored one are written. `RETURNING` names
 * the rows written.
 */
function writeSql(dialect: SqlDialect): string {
  const updates = columnNames
    .filter((name) => name !== "id")
    .map((name) => `${name} = excluded.${name}`)
    .join(", ");
  const source =
    dialect === "sqlite"
      ? // `->>` gives SQL values (text, integer, null); the customer object comes back as JSON text.
        `SELECT ?, ${columnNames.map((name) => `r.value ->> '$.${name}'`).join(", ")} FROM json_each(?) AS r WHERE true`
      : `SELECT $1, ${columnNames.map((name) => `r.${name}`).join(", ")}
  FROM jsonb_to_recordset($2::jsonb) AS r(${WRITE_COLUMNS.map(([name, type]) => `${name} ${sqlType("postgres", type)}`).join(", ")})`;
  return `INSERT INTO square_customers (merchant_id, ${columnNames.join(", ")})
${source}
ON CONFLICT (merchant_id, id) DO UPDATE SET ${updates}
WHERE ${SUPERSEDES_SQL}
RETURNING id`;
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
    claimEvent: numbered(
      dialect,
      `INSERT INTO square_mirror_events (merchant_id, event_id, handled_at) VALUES (?, ?, ?)
ON CONFLICT (merchant_id, event_id) DO NOTHING RETURNING event_id`,
    ),
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

/** What the rows of a statement's answer mean, to the operation that ran it. */
export type StatementReading = "count" | "claimed" | "checkpoint" | "nothing";

/**
 * The statement an operation runs, its parameters, and how to read its rows (`resultOfRows`). One
 * function for every SQL store: each only sends the statement with its driver.
 */
export function statementFor(
  dialect: SqlDialect,
  op: MirrorOp,
): { readonly sql: string; readonly params: readonly unknown[]; readonly reading: StatementReading } {
  const sql = MIRROR_SQL[dialect];
  switch (op.kind) {
    case "claimEvent":
      return { sql: sql.claimEvent, params: claimParams(op), reading: "claimed" };
    case "write":
      return { sql: sql.write, params: writeParams(op), reading: "count" };
    case "tombstoneUnseen":
      return { sql: sql.tombstoneUnseen, params: tombstoneParams(op), reading: "count" };
    case "readCheckpoint":
      return { sql: sql.readCheckpoint, params: checkpointParams(op), reading: "checkpoint" };
    case "advanceCheckpoint":
      return op.loadedAt === undefined
        ? { sql: sql.advanceAfterReconcile, params: [op.reconciledAt, op.merchantId], reading: "nothing" }
        : { sql: sql.advanceAfterLoad, params: advanceParams(op), reading: "nothing" };
    case "forgetEvents":
      return { sql: sql.forgetEvents, params: forgetParams(op), reading: "nothing" };
  }
}

const claimParams = (op: ClaimEvent) => [op.merchantId, op.eventId, op.at];
const writeParams = (op: WriteCustomers) => [op.merchantId, JSON.stringify(op.writes.map(rowOfWrite))];
const tombstoneParams = (op: TombstoneUnseen) => [
  new Date(op.at).toISOString(),
  op.at,
  op.merchantId,
  op.before,
];
const checkpointParams = (op: ReadCheckpoint) => [op.merchantId];
const advanceParams = (op: AdvanceCheckpoint) => [op.merchantId, op.loadedAt, op.reconciledAt];
const forgetParams = (op: ForgetEvents) => [op.merchantId, op.before];

/**
 * An operation's result from the rows its statement returned. Drivers give PostgreSQL's bigint as a
 * string or a bigint; it is read back as a number (times in ms are well within 2^53).
 */
export function resultOfRows(
  reading: StatementReading,
  rows: readonly Record<string, unknown>[],
): number | boolean | MirrorCheckpoint | undefined {
  switch (reading) {
    case "count":
      return rows.length;
    case "claimed":
      return rows.length > 0;
    case "checkpoint": {
      const row = rows[0];
      return row === undefined
        ? undefined
        : { loadedAt: Number(row.loaded_at), reconciledAt: Number(row.reconciled_at) };
    }
    case "nothing":
      return undefined;
  }
}
