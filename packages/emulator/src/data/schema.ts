// The database's tables, and what opening a database file written by an older version adds to it. One
// schema for both modes: SQLite in memory (`:memory:`) or in a file. Everything is keyed by merchant, so
// tenant isolation is a property of every query rather than something each handler must remember.
//
// Tables:
// - merchants: one row per bearer token (stored as a SHA-256 hash, never the token itself), with the
//   merchant's id sequence: a random salt and a counter, from which every id the merchant's requests
//   create is derived (ids.ts), so that a snapshot holding both continues with the very same ids.
// - customers: the customer JSON plus the columns that sorting and searching need (customer-row.ts), kept
//   in step on every write. `seq` is an ever-increasing insertion number used as the keyset tie-breaker.
//   The two sort indexes also carry every filterable column, so a search that must test many profiles
//   walks one index in order without touching the table until a row matches.
// - customer_text: a trigram index (FTS5) of the searchable text columns, and customer_memberships: one
//   row per group or segment a customer belongs to. Both exist so that a selective search can start
//   from the few customers that may match instead of testing every profile (search.ts). The store's
//   customer methods (insert, update, delete, reset) keep them in step: customers are written nowhere else.
// - objects: every other resource as JSON, by kind ("group", "segment", "card", "definition",
//   "attribute"), with `parent` holding the customer id for per-customer kinds.
// - idempotency: the first answer to each idempotency key, per merchant and operation.
// - meta: the secret that seals cursors (kept with the data so cursors outlive a restart).
import { DatabaseSync } from "node:sqlite";

const TABLES = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS merchants (
  token_hash TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  id_salt TEXT,
  id_next INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS customers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  merchant TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  listed INTEGER NOT NULL,
  sort_default TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  email TEXT,
  phone TEXT,
  reference_id TEXT,
  creation_source TEXT,
  UNIQUE (merchant, id)
);
CREATE INDEX IF NOT EXISTS customers_by_default ON customers
  (merchant, listed, sort_default, seq, email, phone, reference_id, creation_source, created_ms, updated_ms);
CREATE INDEX IF NOT EXISTS customers_by_created ON customers
  (merchant, listed, created_ms, seq, email, phone, reference_id, creation_source, updated_ms);
CREATE INDEX IF NOT EXISTS customers_by_email ON customers (merchant, email);
CREATE INDEX IF NOT EXISTS customers_by_phone ON customers (merchant, phone);
CREATE INDEX IF NOT EXISTS customers_by_reference ON customers (merchant, reference_id);
CREATE INDEX IF NOT EXISTS customers_by_source ON customers (merchant, creation_source);
CREATE TABLE IF NOT EXISTS objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  merchant TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (merchant, kind, parent, id)
);
CREATE INDEX IF NOT EXISTS objects_in_order ON objects (merchant, kind, parent, seq);
CREATE TABLE IF NOT EXISTS idempotency (
  merchant TEXT NOT NULL,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response TEXT NOT NULL,
  PRIMARY KEY (merchant, scope, key)
);
`;

/**
 * The search side tables, kept in step with `customers` by the store's customer methods (store.ts; not by
 * triggers: an FTS5 write inside a trigger runs several times slower, which a million-customer seed
 * feels).
 *
 * customer_text holds trigrams of the lower-cased email, the E.164 phone and the lower-cased reference
 * id: any substring of three or more characters is found through the index. It is an external-content
 * table (the text itself stays in `customers` only; removing a row must name its indexed values) with
 * `detail=column` (no positions: search-filter.ts asks for each trigram of a token separately, which finds a
 * superset of the real matches, and then tests the real rule on those few rows). `case_sensitive 1`:
 * the columns are lower-cased already, and comparing code points as they are keeps "a substring has all
 * of its trigrams" exactly true.
 *
 * customer_memberships has one row per group or segment a customer belongs to (`group_ids` and
 * `segment_ids` of its JSON).
 */
const SEARCH_TABLES = `
CREATE VIRTUAL TABLE IF NOT EXISTS customer_text USING fts5 (
  email, phone, reference_id,
  content = 'customers', content_rowid = 'seq', detail = column, tokenize = 'trigram case_sensitive 1'
);
CREATE TABLE IF NOT EXISTS customer_memberships (
  merchant TEXT NOT NULL,
  kind TEXT NOT NULL,
  member_of TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (merchant, kind, member_of, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS customer_memberships_by_customer ON customer_memberships (seq);
`;

/** Fills the search tables from the customers of a database file written before they existed. */
const BACKFILL_SEARCH_TABLES = `
INSERT INTO customer_text (customer_text) VALUES ('rebuild');
INSERT OR IGNORE INTO customer_memberships (merchant, kind, member_of, seq)
  SELECT c.merchant, 'group', m.value, c.seq FROM customers c, json_each(c.data, '$.group_ids') m
  UNION ALL
  SELECT c.merchant, 'segment', m.value, c.seq FROM customers c, json_each(c.data, '$.segment_ids') m;
`;

/** Page cache of a database file, in KiB (SQLite's default is 2,000). */
const FILE_CACHE_KIB = 64 * 1024;

/**
 * Opens the database at `location` (a file path, or `:memory:`) with every table, bringing a file written
 * by an older version up to date: the id sequence columns, and the search tables filled from its customers.
 */
export function openDatabase(location: string): DatabaseSync {
  const db = new DatabaseSync(location);
  if (location !== ":memory:") {
    // WAL with FULL sync: a write is on disk before its transaction returns, so before the 200 is sent.
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
    // A page cache of FILE_CACHE_KIB: big enough that seeding a million customers does not re-read
    // index pages for every insert, small enough that memory stays bounded whatever the file's size.
    db.exec(`PRAGMA cache_size = -${FILE_CACHE_KIB};`);
  }
  db.exec(TABLES);
  addIdSequenceColumns(db);
  const hadSearchTables = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'customer_text'").get();
  db.exec(SEARCH_TABLES);
  if (hadSearchTables === undefined) {
    // All or nothing: a file is never left with search tables that hold some of its customers.
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(BACKFILL_SEARCH_TABLES);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  return db;
}

/** A database file written before merchants had id sequences gets the columns (salts come on use). */
function addIdSequenceColumns(db: DatabaseSync): void {
  const columns = db.prepare("PRAGMA table_info(merchants)").all() as Array<{ name: string }>;
  if (columns.some((c) => c.name === "id_salt")) return;
  db.exec(
    "ALTER TABLE merchants ADD COLUMN id_salt TEXT; ALTER TABLE merchants ADD COLUMN id_next INTEGER NOT NULL DEFAULT 0;",
  );
}

/** Drops the customers table's indexes, so that a bulk load does not keep them up to date row by row. */
export function dropCustomerIndexes(db: DatabaseSync): void {
  const indexes = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' AND sql IS NOT NULL",
    )
    .all() as Array<{ name: string }>;
  for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
}

/**
 * Builds the customers table's indexes again (the tables' CREATE INDEX IF NOT EXISTS puts them back) and
 * the search tables from every customer, once a bulk load is done.
 */
export function rebuildCustomerIndexes(db: DatabaseSync): void {
  db.exec(TABLES);
  db.exec(BACKFILL_SEARCH_TABLES);
}
