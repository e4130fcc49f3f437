// The store: every merchant's data, in SQLite (in memory or in a file; tables in schema.ts). Everything is
// keyed by merchant, so tenant isolation is a property of every query rather than something each handler
// must remember. Customers are written only through the methods below, which keep the search tables
// (customer_text, customer_memberships) in step with them.
import { randomBytes } from "node:crypto";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { type Clock, SystemClock } from "../clock.js";
import { attributeMatches, type PreparedAttributeFilter } from "./attribute-types.js";
import {
  type CustomerRow,
  derivedValues,
  INSERT_CUSTOMER,
  type MembershipKind,
  UPDATE_CUSTOMER,
} from "./customer-row.js";
import { dropCustomerIndexes, openDatabase, rebuildCustomerIndexes } from "./schema.js";

/** The indexed text of a stored customer (what customer_text must be told when it goes). */
interface IndexedText {
  seq: number;
  email: string | null;
  phone: string | null;
  reference_id: string | null;
}

export type ObjectKind = "group" | "segment" | "card" | "definition" | "attribute" | "subscription";

/**
 * The first of the numbers taken from a merchant's id sequence, and the sequence's salt (ids.ts derives
 * the ids from them).
 */
export interface IdNumbers {
  readonly salt: string;
  readonly first: number;
}

/** A new merchant's id salt. */
function newIdSalt(): string {
  return randomBytes(16).toString("hex");
}

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
    this.db = openDatabase(location);
    this.installFunctions();
    this.cursorKey = this.secret("cursor-key");
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
      dropCustomerIndexes(this.db);
      const insert = this.db.prepare(INSERT_CUSTOMER);
      for (const { merchant, row } of customers) insert.run(merchant, row.id, ...derivedValues(row));
      rebuildCustomerIndexes(this.db);
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
