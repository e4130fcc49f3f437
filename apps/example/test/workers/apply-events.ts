// One writer of the several-writers test: applies the events in a JSON file, one after another, to the
// mirror in `db` (a SQLite file or a postgres:// URL) through its own connection, then prints its counts
// of outcomes as JSON. Usage: node apply-events.ts <db> <events.json>
import { readFileSync } from "node:fs";
import { createSquareClient, type WebhookEvent } from "@square-customers/client";
import { createMirror, type MirrorStore } from "@square-customers/client/mirror";
import { PostgresMirrorStore } from "@square-customers/mirror-postgres";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import pg from "pg";

const [db = "", file = ""] = process.argv.slice(2);
const events = JSON.parse(readFileSync(file, "utf8")) as WebhookEvent[];
const pool = db.startsWith("postgres") ? new pg.Pool({ connectionString: db, max: 1 }) : undefined;
const store: MirrorStore = pool ? await PostgresMirrorStore.open({ pool }) : SqliteMirrorStore.open(db);
// Applying events sends nothing: the client is never called.
const mirror = createMirror({
  client: createSquareClient({ accessToken: "unused", environment: "http://127.0.0.1:9" }),
  store,
});
const counts: Record<string, number> = {};
for (const event of events) {
  const { outcome } = await mirror.apply(event);
  counts[outcome] = (counts[outcome] ?? 0) + 1;
}
await pool?.end();
if (store instanceof SqliteMirrorStore) store.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
