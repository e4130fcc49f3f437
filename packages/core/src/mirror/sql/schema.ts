// The mirror's SQL schema, for SQLite and PostgreSQL alike, as versioned migrations. Every SQL store
// (node:sqlite, `pg`, `effect/sql`) runs these, so a mirror written by one can be read by another and
// upgraded in place by the next release: a migration is never edited once released, only added.
//
// Tables (their names start with `square_`, to sit beside an app's own):
// - square_customers: one row per customer and merchant; the fields people filter and join on as columns,
//   the whole customer as JSON (`jsonb` in PostgreSQL) beside them; `deleted_at` set on a tombstone.
//   `version` and `observed_at` (ms since the epoch) order states (core's `supersedes`).
// - square_live_customers: a view of the rows whose `deleted_at` is null.
// - square_mirror_events: event ids handled, per merchant, until Square can no longer send them again.
// - square_mirror_merchants: each merchant's checkpoint (ms since the epoch).
// - square_mirror_migrations: the migrations applied.

export type SqlDialect = "sqlite" | "postgres";

export interface MirrorMigration {
  readonly version: number;
  readonly name: string;
  /** Statements, run in order in one transaction. */
  readonly statements: Readonly<Record<SqlDialect, readonly string[]>>;
}

/** The columns of square_customers taken from the customer, with their SQL types per dialect. */
export const CUSTOMER_COLUMNS = [
  ["given_name", "text"],
  ["family_name", "text"],
  ["nickname", "text"],
  ["company_name", "text"],
  ["email_address", "text"],
  ["phone_number", "text"],
  ["reference_id", "text"],
  ["birthday", "text"],
  ["creation_source", "text"],
  ["created_at", "timestamp"],
  ["updated_at", "timestamp"],
] as const;

/** Every column a write sets, in the order of `rowOfWrite`'s fields (merchant_id apart). */
export const WRITE_COLUMNS = [
  ["id", "text"],
  ["version", "integer"],
  ["observed_at", "integer"],
  ["deleted_at", "timestamp"],
  ...CUSTOMER_COLUMNS,
  ["customer", "json"],
] as const;

export type ColumnType = (typeof WRITE_COLUMNS)[number][1];

/** The SQL type of a column type in a dialect. */
export function sqlType(dialect: SqlDialect, type: ColumnType): string {
  if (dialect === "sqlite") return type === "integer" ? "INTEGER" : "TEXT";
  return { text: "text", integer: "bigint", timestamp: "timestamptz", json: "jsonb" }[type];
}

function customersTable(dialect: SqlDialect): string {
  const data = CUSTOMER_COLUMNS.map(([name, type]) => `  ${name} ${sqlType(dialect, type)}`).join(",\n");
  return `CREATE TABLE square_customers (
  merchant_id ${sqlType(dialect, "text")} NOT NULL,
  id ${sqlType(dialect, "text")} NOT NULL,
  version ${sqlType(dialect, "integer")} NOT NULL,
  observed_at ${sqlType(dialect, "integer")} NOT NULL,
  deleted_at ${sqlType(dialect, "timestamp")},
${data},
  customer ${sqlType(dialect, "json")} NOT NULL,
  PRIMARY KEY (merchant_id, id)
)${dialect === "sqlite" ? " STRICT" : ""}`;
}

function firstSchema(dialect: SqlDialect): string[] {
  const strict = dialect === "sqlite" ? " STRICT" : "";
  const integer = sqlType(dialect, "integer");
  return [
    customersTable(dialect),
    "CREATE INDEX square_customers_email ON square_customers (merchant_id, email_address)",
    "CREATE INDEX square_customers_phone ON square_customers (merchant_id, phone_number)",
    "CREATE INDEX square_customers_reference ON square_customers (merchant_id, reference_id)",
    // The end of a full load looks for live rows observed before its start.
    "CREATE INDEX square_customers_observed ON square_customers (merchant_id, observed_at) WHERE deleted_at IS NULL",
    "CREATE VIEW square_live_customers AS SELECT * FROM square_customers WHERE deleted_at IS NULL",
    // No index on handled_at: forgetting old ids (once per reconcile pass) may scan; claiming one (once
    // per event) then updates a single tree. In SQLite the key is the table itself (WITHOUT ROWID).
    `CREATE TABLE square_mirror_events (
  merchant_id text NOT NULL,
  event_id text NOT NULL,
  handled_at ${integer} NOT NULL,
  PRIMARY KEY (merchant_id, event_id)
)${dialect === "sqlite" ? " STRICT, WITHOUT ROWID" : ""}`,
    `CREATE TABLE square_mirror_merchants (
  merchant_id text PRIMARY KEY,
  loaded_at ${integer} NOT NULL,
  reconciled_at ${integer} NOT NULL
)${strict}`,
  ];
}

/** Every migration, oldest first. */
export const MIRROR_MIGRATIONS: readonly MirrorMigration[] = [
  {
    version: 1,
    name: "customers, events and merchants",
    statements: { sqlite: firstSchema("sqlite"), postgres: firstSchema("postgres") },
  },
];

/** The table that records applied migrations (created before any migration runs). */
export function migrationsTable(dialect: SqlDialect): string {
  return `CREATE TABLE IF NOT EXISTS square_mirror_migrations (
  version ${sqlType(dialect, "integer")} PRIMARY KEY,
  name text NOT NULL,
  applied_at ${sqlType(dialect, "integer")} NOT NULL
)${dialect === "sqlite" ? " STRICT" : ""}`;
}

export const APPLIED_MIGRATIONS_SQL = "SELECT version FROM square_mirror_migrations ORDER BY version";

export function recordMigrationSql(dialect: SqlDialect): string {
  return dialect === "sqlite"
    ? "INSERT INTO square_mirror_migrations (version, name, applied_at) VALUES (?, ?, ?)"
    : "INSERT INTO square_mirror_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
}

/**
 * The migrations a database still needs, given the versions it has applied. A database with a version
 * this code does not know was written by a newer release: it is refused rather than misread.
 */
export function pendingMigrations(
  applied: readonly (number | string | bigint)[],
  migrations: readonly MirrorMigration[] = MIRROR_MIGRATIONS,
): MirrorMigration[] {
  const done = new Set(applied.map(Number));
  const latest = migrations.at(-1)?.version ?? 0;
  const newer = [...done].filter((v) => v > latest);
  if (newer.length > 0) {
    throw new Error(
      `the mirror's schema is at version ${Math.max(...newer)}, newer than this release knows (${latest}): upgrade the package`,
    );
  }
  return migrations.filter((m) => !done.has(m.version));
}

/**
 * Taken before migrating, in the migration's transaction, so that several processes starting at once
 * migrate one after another (SQLite's `BEGIN IMMEDIATE` does the same there).
 */
export const MIGRATION_LOCK_SQL: Readonly<Record<SqlDialect, string | undefined>> = {
  sqlite: undefined,
  postgres: "SELECT pg_advisory_xact_lock(5381004417)",
};
