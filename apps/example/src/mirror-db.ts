// Where `customers sync` keeps its mirror: `--db file.sqlite` (@square-customers/mirror-sqlite) or
// `--db postgres://…` (@square-customers/mirror-postgres on a `pg` pool). Beside the store's own tables it
// keeps a few settings of its own (customers_sync_settings): the subscription it receives events
// through (its id and URL; the signature key is never kept here, see signature-key.ts), the merchant it
// mirrors, and who that merchant is reached as (a fingerprint of the token, never the token).
//
// A SQLite file written by an earlier `customers sync` (tables customers, events, settings; one
// unnamed merchant) is upgraded in place once the merchant id is known: its customers, event ids and
// checkpoint move into the store's tables, so the mirror resumes from its checkpoint without a full load.
import type { MirrorCheckpoint, MirroredCustomer, MirrorStore } from "@square-customers/core";
import { CliError, EXIT_USAGE } from "./errors.js";
import type { LegacyMirror } from "./mirror-legacy.js";

export interface SyncDatabase {
  readonly store: MirrorStore;
  /** For messages: the file, or the URL without its password. */
  readonly label: string;
  readonly kind: "sqlite" | "postgres";
  setting<T>(name: string): Promise<T | undefined>;
  saveSetting(name: string, value: unknown): Promise<void>;
  deleteSetting(name: string): Promise<void>;
  /** Set when the file was written by an earlier `customers sync` and not upgraded yet. */
  readonly legacy: LegacyMirror | undefined;
  customers(merchantId: string): Promise<MirroredCustomer[]>;
  counts(merchantId: string): Promise<{ readonly live: number; readonly deleted: number }>;
  checkpoint(merchantId: string): Promise<MirrorCheckpoint | undefined>;
  close(): Promise<void>;
}

const SETTINGS_TABLE = `CREATE TABLE IF NOT EXISTS customers_sync_settings (
  name text PRIMARY KEY,
  value text NOT NULL
)`;

/** Whether `--db` names a PostgreSQL database. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** The URL without its password, for messages. */
export function shownUrl(db: string): string {
  const url = URL.parse(db);
  if (url === null) return db;
  if (url.password) url.password = "***";
  return url.href;
}

export async function openSyncDatabase(db: string): Promise<SyncDatabase> {
  try {
    return isPostgresUrl(db) ? await openPostgres(db) : await openSqlite(db);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const shown = isPostgresUrl(db) ? shownUrl(db) : db;
    throw new CliError(`cannot open ${shown} as a mirror: ${(error as Error).message}`, EXIT_USAGE);
  }
}

async function openSqlite(file: string): Promise<SyncDatabase> {
  const { SqliteMirrorStore } = await import("@square-customers/mirror-sqlite");
  const store = SqliteMirrorStore.open(file);
  const { db } = store;
  db.exec(SETTINGS_TABLE);
  const read = db.prepare("SELECT value FROM customers_sync_settings WHERE name = ?");
  const write = db.prepare(
    "INSERT INTO customers_sync_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
  );
  const remove = db.prepare("DELETE FROM customers_sync_settings WHERE name = ?");
  const { legacyMirror } = await import("./mirror-legacy.js");
  return {
    store,
    label: file,
    kind: "sqlite",
    async setting<T>(name: string) {
      const row = read.get(name) as { value: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.value) as T);
    },
    async saveSetting(name, value) {
      write.run(name, JSON.stringify(value));
    },
    async deleteSetting(name) {
      remove.run(name);
    },
    legacy: legacyMirror(db, () => store),
    customers: async (merchantId) => [...store.customers(merchantId)],
    counts: async (merchantId) => store.counts(merchantId),
    checkpoint: async (merchantId) => store.checkpoint(merchantId),
    close: async () => store.close(),
  };
}

async function openPostgres(url: string): Promise<SyncDatabase> {
  const [{ PostgresMirrorStore }, { default: pg }] = await Promise.all([
    import("@square-customers/mirror-postgres"),
    import("pg"),
  ]);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // A connection the server drops while idle is replaced on next use; it must not crash the command.
  pool.on("error", () => {});
  try {
    const store = await PostgresMirrorStore.open({ pool });
    await pool.query(SETTINGS_TABLE);
    return {
      store,
      label: shownUrl(url),
      kind: "postgres",
      async setting<T>(name: string) {
        const { rows } = await pool.query("SELECT value FROM customers_sync_settings WHERE name = $1", [
          name,
        ]);
        return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value as string) as T);
      },
      async saveSetting(name, value) {
        await pool.query(
          "INSERT INTO customers_sync_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          [name, JSON.stringify(value)],
        );
      },
      async deleteSetting(name) {
        await pool.query("DELETE FROM customers_sync_settings WHERE name = $1", [name]);
      },
      legacy: undefined,
      customers: (merchantId) => store.customers(merchantId),
      counts: (merchantId) => store.counts(merchantId),
      checkpoint: (merchantId) => store.checkpoint(merchantId),
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}
