// @square-customers/core/mirror-sql: the mirror's SQL, for the stores built on it (node:sqlite, `pg`,
// `effect/sql`): the schema as versioned migrations, and each store operation as one statement, for
// SQLite and PostgreSQL. Plain data and pure functions; no driver.
export {
  APPLIED_MIGRATIONS_SQL,
  type ColumnType,
  CUSTOMER_COLUMNS,
  MIGRATION_LOCK_SQL,
  MIRROR_MIGRATIONS,
  type MirrorMigration,
  migrationsTable,
  pendingMigrations,
  recordMigrationSql,
  type SqlDialect,
  sqlType,
  WRITE_COLUMNS,
} from "./mirror/sql/schema.js";
export {
  MIRROR_SQL,
  type MirrorRow,
  type MirrorStatement,
  type MirrorStatementName,
  resultOfChanges,
  resultOfRows,
  rowOfWrite,
  type StatementReading,
  SUPERSEDES_SQL,
  statementFor,
} from "./mirror/sql/statements.js";
