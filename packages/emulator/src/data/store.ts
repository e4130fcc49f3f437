import { randomBytes } from "node:crypto";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { type Clock, SystemClock } from "../clock.js";
import { attributeMatches, type PreparedAttributeFilter } from "./attribute-types.js";
import { type IdNumbers, newIdSalt } from "./ids.js";

// One store for both modes: SQLite in memory (`:memory:`) or in a file. Everything is keyed by merchant,
// so tenant isolation is a property of every query rather than something each handler must remember.
//
// Tables:
// - merchants: one row per bearer token (stored as a SHA-256 hash, never the token itself), with the
//   merchant's id sequence: a random salt and a counter, from which every id the merchant's requests
//   create is derived (ids.ts), so that a snapshot holding both continues with the very same ids.
// - customers: the customer JSON plus the columns that sorting and searching need, kept in step on
//   every write. `seq` is an ever-increasing insertion number used as the keyset tie-breaker. The two
//   sort indexes also carry every filterable column, so a search that must test many profiles walks one
//   index in order without touching the table until a row matches.
// - customer_text: a trigram index (FTS5) of the searchable text columns, and customer_memberships: one
//   row per group or segment a customer belongs to. Both exist so that a selective search can start
//   from the few customers that may match instead of testing every profile (search.ts). The customer
//   methods below (insert, update, delete, reset) keep them in step: customers are written nowhere else.
// - objects: every other resource as JSON, by kind ("group", "segment", "card", "definition",
//   "attribute"), with `parent` holding the customer id for per-customer kinds.
// - idempotency: the first answer to each idempotency key, per merchant and operation.
// - meta: the secret that seals cursors (kept with the data so cursors outlive a restart).
const SCHEMA = `
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
 * The search side tables, kept in step with `customers` by the store's customer methods below (not by
 * triggers: an FTS5 write inside a trigger runs several times slower, which a million-customer seed
 * feels).
 *
 * customer_text holds trigrams of the lower-cased email, the E.164 phone and the lower-cased reference
 * id: any substring of three or more characters is found through the index. It is an external-content
 * table (the text itself stays in `customers` only; removing a row must name its indexed values) with
 * `detail=column` (no positions: search.ts asks for each trigram of a token separately, which finds a
 * superset of the real matches, and then tests the real rule on those few rows). `case_sensitive 1`:
 * the columns are lower-cased already, and comparing code points as they are keeps "a substring has all
 * of its trigrams" exactly true.
 *
 * customer_memberships has one row per group or segment a customer belongs to (`group_ids` and
 * `segment_ids` of its JSON).
 */
const SEARCH_INDEX_SCHEMA = `
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
const BACKFILL_SEARCH_INDEX = `
INSERT INTO customer_text (customer_text) VALUES ('rebuild');
INSERT OR IGNORE INTO customer_memberships (merchant, kind, member_of, seq)
  SELECT c.merchant, 'group', m.value, c.seq FROM customers c, json_each(c.data, '$.group_ids') m
  UNION ALL
  SELECT c.merchant, 'segment', m.value, c.seq FROM customers c, json_each(c.data, '$.segment_ids') m;
`;

/** The columns derived from a customer for sorting and filtering. */
export interface CustomerRow {
  id: string;
  data: string;
  listed: number;
  sort_default: string;
  created_ms: number;
  updated_ms: number;
  email: string | null;
  phone: string | null;
  reference_id: string | null;
  creation_source: string | null;
  /** Not columns: the customer's rows in customer_memberships. */
  group_ids: readonly string[];
  segment_ids: readonly string[];
}

/** The indexed text of a stored customer (what customer_text must be told when it goes). */
interface IndexedText {
  seq: number;
  email: string | null;
  phone: string | null;
  reference_id: string | null;
}

/** Every column of a customer row besides its keys, in one order for both INSERT and UPDATE. */
const DERIVED_COLUMNS = [
  "data",
  "listed",
  "sort_default",
  "created_ms",
  "updated_ms",
  "email",
  "phone",
  "reference_id",
  "creation_source",
] as const satisfies ReadonlyArray<keyof CustomerRow>;

const INSERT_CUSTOMER = `INSERT INTO customers (merchant, id, ${DERIVED_COLUMNS.join(", ")})
  VALUES (?, ?, ${DERIVED_COLUMNS.map(() => "?").join(", ")})`;
const UPDATE_CUSTOMER = `UPDATE customers SET ${DERIVED_COLUMNS.map((c) => `${c} = ?`).join(", ")}
  WHERE merchant = ? AND id = ?`;

function derivedValues(row: CustomerRow): SQLInputValue[] {
  return DERIVED_COLUMNS.map((column) => row[column]);
}

/** What a customer_memberships row records membership of. */
export type MembershipKind = "group" | "segment";

export type ObjectKind = "group" | "segment" | "card" | "definition" | "attribute" | "subscription";

/** Page cache of a database file, in KiB (SQLite's default is 2,000). */
const FILE_CACHE_KIB = 64 * 1024;

export class Store {
  private readonly db: DatabaseSync;
  /** Key for sealing cursors (see cursor.ts). */
  readonly cursorKey: Buffer;
  private readonly statements = new Map<string, StatementSync>();

  /**
   * `location` is a file path, or `:memory:` for a store that lives as long as the process. `clock`
   * dates every write.
   */
  constructor(
    location: string,
    readonly clock: Clock = new SystemClock(),
  ) {
    this.db = new DatabaseSync(location);
    if (location !== ":memory:") {
      // WAL with FULL sync: a write is on disk before its transaction returns, so before the 200 is sent.
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
      // A page cache of FILE_CACHE_KIB: big enough that seeding a million customers does not re-read
      // index pages for every insert, small enough that memory stays bounded whatever the file's size.
      this.db.exec(`PRAGMA cache_size = -${FILE_CACHE_KIB};`);
    }
    this.db.exec(SCHEMA);
    this.addIdSequenceColumns();
    const hadSearchIndex = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'customer_text'").get();
    this.db.exec(SEARCH_INDEX_SCHEMA);
    if (hadSearchIndex === undefined) this.transaction(() => this.db.exec(BACKFILL_SEARCH_INDEX));
    this.installFunctions();
    this.cursorKey = this.secret("cursor-key");
  }

  /** A database file written before merchants had id sequences gets the columns (salts come on use). */
  private addIdSequenceColumns(): void {
    const columns = this.db.prepare("PRAGMA table_info(merchants)").all() as Array<{ name: string }>;
    if (columns.some((c) => c.name === "id_salt")) return;
    this.db.exec(
      "ALTER TABLE merchants ADD COLUMN id_salt TEXT; ALTER TABLE merchants ADD COLUMN id_next INTEGER NOT NULL DEFAULT 0;",
    );
  }

  /** A random 32-byte secret, created on first use and then read back from the store. */
  private secret(name: string): Buffer {
    this.stmt("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(name, randomBytes(32));
    const row = this.stmt("SELECT value FROM meta WHERE key = ?").get(name) as { value: Uint8Array };
    return Buffer.from(row.value);
  }

  /** The SQL function for custom-attribute search filters, whose rules SQL cannot express. */
  private installFunctions(): void {
    // The filter spec arrives as JSON text, identical for every row of one query: parse it once.
    let lastSpecText = "";
    let lastSpec: PreparedAttributeFilter | undefined;
    this.db.function("sq_attribute_matches", { deterministic: true }, (data, specText) => {
      if (specText !== lastSpecText || lastSpec === undefined) {
        lastSpecText = String(specText);
        lastSpec = JSON.parse(lastSpecText) as PreparedAttributeFilter;
      }
      return attributeMatches(JSON.parse(String(data)), lastSpec) ? 1 : 0;
    });
  }

  /** A cached prepared statement (SQLite compiles each distinct SQL text once). */
  stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction; anything it throws rolls the whole thing back. */
  transaction<T>(fn: () => T): T {
    if (this.db.isTransaction) return fn();
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * The time of a write, in milliseconds since the epoch: the clock's stamp (with the system clock,
   * strictly increasing across calls, so `updated_at` always moves forward even within a millisecond).
   */
  nowMs(): number {
    return this.clock.stamp();
  }

  /** Removes all data (schema stays). */
  reset(): void {
    this.transaction(() => {
      // `meta` stays: cursors handed out before a reset simply find nothing after their position.
      for (const table of ["merchants", "customers", "customer_memberships", "objects", "idempotency"]) {
        this.db.exec(`DELETE FROM ${table}`);
      }
      this.db.exec("INSERT INTO customer_text (customer_text) VALUES ('delete-all')");
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  // ---- merchants -------------------------------------------------------------------------------------

  findMerchant(tokenHash: string): string | undefined {
    const row = this.stmt("SELECT merchant_id FROM merchants WHERE token_hash = ?").get(tokenHash) as
      | { merchant_id: string }
      | undefined;
    return row?.merchant_id;
  }

  addMerchant(tokenHash: string, merchantId: string): void {
    this.stmt(
      "INSERT INTO merchants (token_hash, merchant_id, created_at, id_salt, id_next) VALUES (?, ?, ?, ?, 0)",
    ).run(tokenHash, merchantId, new Date(this.nowMs()).toISOString(), newIdSalt());
  }

  /**
   * Takes the next `count` numbers of a merchant's id sequence: its salt and the first number. Inside a
   * request's transaction, a rolled-back request gives its numbers back.
   */
  takeIdNumbers(merchant: string, count = 1): IdNumbers {
    const row = this.stmt(
      `UPDATE merchants SET id_next = id_next + ?, id_salt = COALESCE(id_salt, ?) WHERE merchant_id = ?
       RETURNING id_salt AS salt, id_next - ? AS first`,
    ).get(count, newIdSalt(), merchant, count) as { salt: string; first: number } | undefined;
    // Only a merchant's own requests take ids, and they run after the merchant exists.
    if (row === undefined) throw new Error(`no merchant ${merchant}`);
    return { salt: row.salt, first: Number(row.first) };
  }

  // ---- customers -------------------------------------------------------------------------------------

  getCustomerJson(merchant: string, id: string): string | undefined {
    const row = this.stmt("SELECT data FROM customers WHERE merchant = ? AND id = ?").get(merchant, id) as
      | { data: string }
      | undefined;
    return row?.data;
  }

  insertCustomer(merchant: string, row: CustomerRow): void {
    const { lastInsertRowid } = this.stmt(INSERT_CUSTOMER).run(merchant, row.id, ...derivedValues(row));
    const seq = Number(lastInsertRowid);
    this.indexText({ seq, ...row });
    this.addMemberships(merchant, seq, row);
  }

  /**
   * Inserts many customers, several times faster than one by one: the customers table's indexes and the
   * search tables are built once at the end, in bulk, instead of kept up to date row by row. For filling
   * a store that was just emptied (loading a snapshot); runs in the caller's transaction.
   */
  insertCustomersInBulk(customers: Iterable<{ readonly merchant: string; readonly row: CustomerRow }>): void {
    this.transaction(() => {
      const indexes = this.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' AND sql IS NOT NULL",
        )
        .all() as Array<{ name: string }>;
      for (const { name } of indexes) this.db.exec(`DROP INDEX "${name}"`);
      const insert = this.db.prepare(INSERT_CUSTOMER);
      for (const { merchant, row } of customers) insert.run(merchant, row.id, ...derivedValues(row));
      // The schema's CREATE INDEX IF NOT EXISTS puts the indexes back; the backfill builds the search
      // tables from every customer (what a database file older than them gets).
      this.db.exec(SCHEMA);
      this.db.exec(BACKFILL_SEARCH_INDEX);
    });
  }

  /** Rewrites a customer in place, keeping its `seq` (its place in creation order). */
  updateCustomer(merchant: string, row: CustomerRow): void {
    const old = this.indexedText(merchant, row.id);
    if (old === undefined) return;
    this.stmt(UPDATE_CUSTOMER).run(...derivedValues(row), merchant, row.id);
    if (old.email !== row.email || old.phone !== row.phone || old.reference_id !== row.reference_id) {
      this.unindexText(old);
      this.indexText({ seq: old.seq, ...row });
    }
    this.stmt("DELETE FROM customer_memberships WHERE seq = ?").run(old.seq);
    this.addMemberships(merchant, old.seq, row);
  }

  deleteCustomer(merchant: string, id: string): boolean {
    const old = this.indexedText(merchant, id);
    if (old !== undefined) {
      this.stmt("DELETE FROM customers WHERE seq = ?").run(old.seq);
      this.unindexText(old);
      this.stmt("DELETE FROM customer_memberships WHERE seq = ?").run(old.seq);
    }
    // The customer's cards and custom attribute values go with it.
    this.stmt("DELETE FROM objects WHERE merchant = ? AND parent = ? AND kind IN ('card', 'attribute')").run(
      merchant,
      id,
    );
    return old !== undefined;
  }

  private indexedText(merchant: string, id: string): IndexedText | undefined {
    return this.stmt(
      "SELECT seq, email, phone, reference_id FROM customers WHERE merchant = ? AND id = ?",
    ).get(merchant, id) as IndexedText | undefined;
  }

  private indexText(text: IndexedText): void {
    this.stmt("INSERT INTO customer_text (rowid, email, phone, reference_id) VALUES (?, ?, ?, ?)").run(
      text.seq,
      text.email,
      text.phone,
      text.reference_id,
    );
  }

  /** Removes a customer's trigrams; an external-content index must be given exactly what it indexed. */
  private unindexText(text: IndexedText): void {
    this.stmt(
      `INSERT INTO customer_text (customer_text, rowid, email, phone, reference_id)
       VALUES ('delete', ?, ?, ?, ?)`,
    ).run(text.seq, text.email, text.phone, text.reference_id);
  }

  private addMemberships(merchant: string, seq: number, row: CustomerRow): void {
    const insert = this.stmt(
      "INSERT OR IGNORE INTO customer_memberships (merchant, kind, member_of, seq) VALUES (?, ?, ?, ?)",
    );
    for (const id of row.group_ids) insert.run(merchant, "group", id, seq);
    for (const id of row.segment_ids) insert.run(merchant, "segment", id, seq);
  }

  /** Ids of the customers in a group or segment (in creation order). */
  customersIn(merchant: string, kind: MembershipKind, memberOf: string): string[] {
    const rows = this.stmt(
      `SELECT c.id FROM customer_memberships m JOIN customers c ON c.seq = m.seq
       WHERE m.merchant = ? AND m.kind = ? AND m.member_of = ? ORDER BY m.seq`,
    ).all(merchant, kind, memberOf) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  // ---- other objects ---------------------------------------------------------------------------------

  getObject(merchant: string, kind: ObjectKind, parent: string, id: string): string | undefined {
    const row = this.stmt(
      "SELECT data FROM objects WHERE merchant = ? AND kind = ? AND parent = ? AND id = ?",
    ).get(merchant, kind, parent, id) as { data: string } | undefined;
    return row?.data;
  }

  /** An object of a kind by id, whatever its parent (card ids are unique per merchant). */
  findObject(merchant: string, kind: ObjectKind, id: string): { parent: string; data: string } | undefined {
    return this.stmt(
      "SELECT parent, data FROM objects WHERE merchant = ? AND kind = ? AND id = ? LIMIT 1",
    ).get(merchant, kind, id) as { parent: string; data: string } | undefined;
  }

  /** Inserts or replaces an object; a replaced object keeps its place in listing order. */
  putObject(merchant: string, kind: ObjectKind, parent: string, id: string, data: string): void {
    this.stmt(
      `INSERT INTO objects (merchant, kind, parent, id, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (merchant, kind, parent, id) DO UPDATE SET data = excluded.data`,
    ).run(merchant, kind, parent, id, data);
  }

  deleteObject(merchant: string, kind: ObjectKind, parent: string, id: string): boolean {
    const result = this.stmt(
      "DELETE FROM objects WHERE merchant = ? AND kind = ? AND parent = ? AND id = ?",
    ).run(merchant, kind, parent, id);
    return Number(result.changes) > 0;
  }

  /** The id of an object of a kind, other than `exceptId`, whose JSON has `name` as its name. */
  objectNamed(merchant: string, kind: ObjectKind, name: string, exceptId: string): string | undefined {
    const row = this.stmt(
      `SELECT id FROM objects WHERE merchant = ? AND kind = ? AND json_extract(data, '$.name') = ? AND id != ?
       LIMIT 1`,
    ).get(merchant, kind, name, exceptId) as { id: string } | undefined;
    return row?.id;
  }

  /** Deletes every object of a kind with the given id under any parent (e.g. all values of one key). */
  deleteObjectsById(merchant: string, kind: ObjectKind, id: string): void {
    this.stmt("DELETE FROM objects WHERE merchant = ? AND kind = ? AND id = ?").run(merchant, kind, id);
  }

  /** One keyset page of objects in creation order: rows with `seq` greater than `after`. */
  listObjects(
    merchant: string,
    kind: ObjectKind,
    parent: string,
    after: number,
    limit: number,
  ): Array<{ seq: number; data: string }> {
    return this.stmt(
      `SELECT seq, data FROM objects WHERE merchant = ? AND kind = ? AND parent = ? AND seq > ?
       ORDER BY seq LIMIT ?`,
    ).all(merchant, kind, parent, after, limit) as Array<{ seq: number; data: string }>;
  }

  // ---- idempotency -----------------------------------------------------------------------------------

  getIdempotent(
    merchant: string,
    scope: string,
    key: string,
  ): { fingerprint: string; response: string } | undefined {
    return this.stmt(
      "SELECT fingerprint, response FROM idempotency WHERE merchant = ? AND scope = ? AND key = ?",
    ).get(merchant, scope, key) as { fingerprint: string; response: string } | undefined;
  }

  putIdempotent(merchant: string, scope: string, key: string, fingerprint: string, response: string): void {
    this.stmt(
      "INSERT OR REPLACE INTO idempotency (merchant, scope, key, fingerprint, response) VALUES (?, ?, ?, ?, ?)",
    ).run(merchant, scope, key, fingerprint, response);
  }

  /** Runs an arbitrary read (used by search, whose WHERE clause is built per request). */
  all(sql: string, params: readonly SQLInputValue[]): Array<Record<string, unknown>> {
    return this.db.prepare(sql).all(...params) as Array<Record<string, unknown>>;
  }

  /**
   * The span of customer numbers (`seq`) in the store: at least how many customers it holds (deleted
   * ones leave gaps), found at once from the ends of the table.
   */
  customerSpan(): number {
    // Two subqueries: SQLite reads a lone MIN or MAX of the key from the end of the table, not a scan.
    const row = this.stmt(
      "SELECT COALESCE((SELECT MAX(seq) FROM customers) - (SELECT MIN(seq) FROM customers) + 1, 0) AS n",
    ).get() as { n: number };
    return Number(row.n);
  }

  /** How many rows `sql` yields, counting no further than `limit`. */
  countUpTo(sql: string, params: readonly SQLInputValue[], limit: number): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM (${sql}) LIMIT ?)`)
      .get(...params, limit);
    return Number((row as { n: number }).n);
  }
}
