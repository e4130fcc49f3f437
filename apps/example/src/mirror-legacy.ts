// A SQLite file written by the `customers sync` of earlier releases: one merchant, not named, in tables
// `customers` (id, version, seen_at, deleted, body), `events` (event_id, handled_at) and `settings`
// (checkpoint, subscription with its signature key, target). Once the merchant id is known, `upgrade`
// moves everything into the store's tables in one transaction, through the store's own write (so each
// row gets the columns core's SQL gives it), and drops the old tables: the mirror then resumes from its
// old checkpoint without a full load. The signature key leaves the database with them.
import type { DatabaseSync } from "node:sqlite";
import type { MirroredCustomer, MirrorStore, MirrorWrite } from "@square-customers/core";
import type { MirrorTarget, StoredSubscription } from "./sync-settings.js";

/** What an earlier `customers sync` left in a SQLite file it wrote. */
export interface LegacyMirror {
  readonly subscription: (StoredSubscription & { readonly signatureKey: string }) | undefined;
  readonly target: MirrorTarget | undefined;
  /** Moves the customers, event ids and checkpoint to `merchantId`'s rows and drops the old tables. */
  upgrade(merchantId: string): Promise<{ readonly customers: number }>;
}

interface LegacyRow {
  readonly id: string;
  readonly version: number;
  readonly seen_at: number;
  readonly deleted: number;
  readonly body: string | null;
}

/** Rows moved per store write. */
const PAGE = 500;

/** The earlier layout, when `db` has it. */
export function legacyMirror(db: DatabaseSync, store: () => MirrorStore): LegacyMirror | undefined {
  const columns = db.prepare("SELECT name FROM pragma_table_info('customers')").all() as Array<{
    name: string;
  }>;
  const names = new Set(columns.map((c) => c.name));
  if (!names.has("seen_at") || !names.has("body")) return undefined;
  const setting = <T>(name: string): T | undefined => {
    const row = db.prepare("SELECT value FROM settings WHERE name = ?").get(name) as
      | { value: string }
      | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  };
  return {
    subscription: setting<StoredSubscription & { signatureKey: string }>("subscription"),
    target: setting<MirrorTarget>("target"),
    async upgrade(merchantId) {
      const checkpoint = setting<{ loadedAt: string; reconciledAt: string }>("checkpoint");
      const rows = db
        .prepare("SELECT id, version, seen_at, deleted, body FROM customers ORDER BY id")
        .all() as unknown as LegacyRow[];
      // The old settings held the signature key: its pages are zeroed as the tables are dropped, and the
      // file is checkpointed, so no copy of it stays in the file.
      db.exec("PRAGMA secure_delete = ON");
      await store().transaction((tx) => {
        for (let i = 0; i < rows.length; i += PAGE) {
          tx.write({ kind: "write", merchantId, writes: rows.slice(i, i + PAGE).map(writeOfRow) });
        }
        db.prepare(
          `INSERT INTO square_mirror_events (merchant_id, event_id, handled_at)
           SELECT ?, event_id, handled_at FROM events WHERE true ON CONFLICT DO NOTHING`,
        ).run(merchantId);
        if (checkpoint !== undefined) {
          tx.advanceCheckpoint({
            kind: "advanceCheckpoint",
            merchantId,
            loadedAt: Date.parse(checkpoint.loadedAt),
            reconciledAt: Date.parse(checkpoint.reconciledAt),
          });
        }
        db.exec("DROP TABLE customers; DROP TABLE events; DROP TABLE settings;");
      });
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      return { customers: rows.filter((r) => r.deleted === 0).length };
    },
  };
}

/** An old row as a write of the same state: a tombstone kept no body, so it gets a minimal one. */
function writeOfRow(row: LegacyRow): MirrorWrite {
  const mark = { version: row.version, at: row.seen_at, deleted: row.deleted === 1 };
  const customer =
    row.body === null
      ? ({ id: row.id, version: row.version } as MirroredCustomer)
      : (JSON.parse(row.body) as MirroredCustomer);
  return { kind: mark.deleted ? "delete" : "upsert", id: row.id, customer, mark };
}
