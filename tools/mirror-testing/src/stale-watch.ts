// A watch for stale overwrites that works across processes: a trigger on square_customers records every
// update that left a customer at an older version than it had, or brought back a customer at or below the
// version it was deleted at. It judges by versions alone, not by the mirror's rules, so it can catch them
// breaking. Install it once the store has migrated; read `staleWrites` at the end.

export const STALE_WATCH_SQL = {
  sqlite: [
    "CREATE TABLE IF NOT EXISTS stale_writes (merchant_id TEXT, id TEXT, old_version INTEGER, new_version INTEGER)",
    `CREATE TRIGGER IF NOT EXISTS stale_write_watch AFTER UPDATE ON square_customers
     WHEN NEW.version < OLD.version
       OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.version <= OLD.version)
     BEGIN INSERT INTO stale_writes VALUES (NEW.merchant_id, NEW.id, OLD.version, NEW.version); END`,
  ],
  postgres: [
    "CREATE TABLE IF NOT EXISTS stale_writes (merchant_id text, id text, old_version bigint, new_version bigint)",
    `CREATE OR REPLACE FUNCTION stale_write_watch() RETURNS trigger AS $$
     BEGIN
       IF NEW.version < OLD.version
          OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.version <= OLD.version) THEN
         INSERT INTO stale_writes VALUES (NEW.merchant_id, NEW.id, OLD.version, NEW.version);
       END IF;
       RETURN NEW;
     END $$ LANGUAGE plpgsql`,
    `CREATE OR REPLACE TRIGGER stale_write_watch AFTER UPDATE ON square_customers
     FOR EACH ROW EXECUTE FUNCTION stale_write_watch()`,
  ],
} as const;

export const STALE_WRITES_SQL = "SELECT count(*) AS n FROM stale_writes";
