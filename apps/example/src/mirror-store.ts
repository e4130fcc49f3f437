// The mirror's SQLite store for `customers sync` (node:sqlite, synchronous): core's `MirrorStore`, plus
// what the command keeps beside the mirror (the webhook subscription, the target it mirrors) and reads for
// its output. Customers are kept as their JSON with the mark core orders them by; a deleted customer keeps
// its row as a tombstone (no body).
//
// Durability: WAL with `synchronous = NORMAL`, so every write survives the process dying, and a power cut
// can lose at most the last moments. An event lost that way was already acknowledged; the reconcile pass
// finds the creations and updates among them, a full load (`--full`) the deletions.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { MirrorCheckpoint, MirroredCustomer, MirrorMark, MirrorStore } from "@square-customers/core";

/** The webhook subscription a mirror receives its events through. */
export interface StoredSubscription {
  readonly id: string;
  readonly signatureKey: string;
  readonly notificationUrl: string;
}

/** Who a mirror mirrors: where requests go, and a fingerprint of the token (never the token). */
export interface MirrorTarget {
  readonly environment: string;
  readonly tokenFingerprint: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    body TEXT
  ) STRICT;
  CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    handled_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS events_by_time ON events (handled_at);
  CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
`;

interface MarkRow {
  readonly version: number;
  readonly seen_at: number;
  readonly deleted: number;
}

export class SqliteMirrorStore implements MirrorStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<
    | "get"
    | "upsert"
    | "live"
    | "hasEvent"
    | "rememberEvent"
    | "forgetEvents"
    | "readSetting"
    | "writeSetting"
    | "customers"
    | "counts",
    StatementSync
  >;

  /** Opens (or creates) the mirror in `file`. */
  constructor(file: string) {
    this.db = new DatabaseSync(file);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
    const prepare = (sql: string) => this.db.prepare(sql);
    this.statements = {
      get: prepare("SELECT version, seen_at, deleted FROM customers WHERE id = ?"),
      upsert: prepare(
        `INSERT INTO customers (id, version, seen_at, deleted, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, seen_at = excluded.seen_at,
           deleted = excluded.deleted, body = excluded.body`,
      ),
      live: prepare("SELECT id, version, seen_at FROM customers WHERE deleted = 0"),
      hasEvent: prepare("SELECT 1 AS found FROM events WHERE event_id = ?"),
      rememberEvent: prepare(
        "INSERT INTO events (event_id, handled_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
      ),
      forgetEvents: prepare("DELETE FROM events WHERE handled_at < ?"),
      readSetting: prepare("SELECT value FROM settings WHERE name = ?"),
      writeSetting: prepare(
        "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      ),
      customers: prepare("SELECT body FROM customers WHERE deleted = 0 ORDER BY id"),
      counts: prepare(
        "SELECT COALESCE(SUM(deleted = 0), 0) AS live, COALESCE(SUM(deleted = 1), 0) AS deleted FROM customers",
      ),
    };
  }

  get(id: string): MirrorMark | undefined {
    const row = this.statements.get.get(id) as MarkRow | undefined;
    return row === undefined
      ? undefined
      : { version: row.version, at: row.seen_at, deleted: row.deleted === 1 };
  }

  upsert(customer: MirroredCustomer, mark: MirrorMark): void {
    this.statements.upsert.run(customer.id, mark.version, mark.at, 0, JSON.stringify(customer));
  }

  delete(id: string, mark: MirrorMark): void {
    this.statements.upsert.run(id, mark.version, mark.at, 1, null);
  }

  *live(): Iterable<readonly [string, MirrorMark]> {
    for (const row of this.statements.live.iterate() as Iterable<MarkRow & { id: string }>) {
      yield [row.id, { version: row.version, at: row.seen_at, deleted: false }];
    }
  }

  hasEvent(eventId: string): boolean {
    return this.statements.hasEvent.get(eventId) !== undefined;
  }

  rememberEvent(eventId: string, at: number): void {
    this.statements.rememberEvent.run(eventId, at);
  }

  forgetEventsBefore(at: number): void {
    this.statements.forgetEvents.run(at);
  }

  readCheckpoint(): MirrorCheckpoint | undefined {
    return this.setting<MirrorCheckpoint>("checkpoint");
  }

  writeCheckpoint(checkpoint: MirrorCheckpoint): void {
    this.writeSetting("checkpoint", checkpoint);
  }

  /** Each step of the mirror is one transaction: one commit per page of a load, not one per customer. */
  readonly transactions = {
    begin: () => this.db.exec("BEGIN"),
    commit: () => this.db.exec("COMMIT"),
    rollback: () => this.db.exec("ROLLBACK"),
  };

  // ---- beyond core's interface: what `customers sync` keeps and shows ---------------------------------

  subscription(): StoredSubscription | undefined {
    return this.setting<StoredSubscription>("subscription");
  }

  saveSubscription(subscription: StoredSubscription): void {
    this.writeSetting("subscription", subscription);
  }

  target(): MirrorTarget | undefined {
    return this.setting<MirrorTarget>("target");
  }

  saveTarget(target: MirrorTarget): void {
    this.writeSetting("target", target);
  }

  /** Every live customer, by id. */
  *customers(): Iterable<MirroredCustomer> {
    for (const row of this.statements.customers.iterate() as Iterable<{ body: string }>) {
      yield JSON.parse(row.body) as MirroredCustomer;
    }
  }

  /** Live customers and tombstones. */
  counts(): { readonly live: number; readonly deleted: number } {
    const row = this.statements.counts.get() as { live: number; deleted: number };
    return { live: Number(row.live), deleted: Number(row.deleted) };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private setting<T>(name: string): T | undefined {
    const row = this.statements.readSetting.get(name) as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  private writeSetting(name: string, value: unknown): void {
    this.statements.writeSetting.run(name, JSON.stringify(value));
  }
}
