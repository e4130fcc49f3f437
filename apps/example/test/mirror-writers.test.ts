// The mirror with several writers and across crashes, on SQLite and on a real PostgreSQL server:
// - 4 worker processes, each with its own connection, apply the deliveries of 2,000 random changes,
//   shuffled and 30 % of them duplicated across the workers, to one database at the same time;
// - `customers sync` is killed with SIGKILL at random moments (starting up, loading, applying deliveries)
//   while changes keep coming, and restarted on the same address, again and again; Square's retries and
//   the reconcile pass of each restart bring the mirror back.
// Each time the mirror must equal the account field by field, with 0 stale overwrites (a trigger in the
// database records any update that moved a customer to an older version or revived a deleted one).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { createSquareClient, type SquareClient, type WebhookEvent } from "@square-customers/client";
import { createMirror } from "@square-customers/client/mirror";
import type { MirroredCustomer, MirrorStore } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { PostgresMirrorStore } from "@square-customers/mirror-postgres";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import {
  STALE_WATCH_SQL,
  STALE_WRITES_SQL,
  startPostgres,
  type TestPostgres,
} from "@square-customers/mirror-testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareMirror } from "../src/mirror-check.js";
import { prepareWorkload, runWorkload, seededRandom } from "../src/mirror-workload.js";
import { collect, start } from "./support.js";

const WORKER = fileURLToPath(new URL("./workers/apply-events.ts", import.meta.url));
const WORKERS = 4;
const CHANGES = 2_000;
const DUPLICATED = 0.3;
const KILLS = 6;

let emulator: Emulator;
let postgres: TestPostgres;
let dir: string;
const servers: Server[] = [];

beforeAll(async () => {
  [emulator, postgres] = await Promise.all([
    startEmulator({ port: 0, host: "127.0.0.1", webhookRetryScale: 0.001 }),
    startPostgres(),
  ]);
  dir = mkdtempSync(join(tmpdir(), "mirror-writers-"));
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await emulator?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A database of each kind: where it is, a store on it, and plain SQL on it. */
interface Database {
  readonly name: string;
  /** A SQLite file or a postgres:// URL. */
  readonly location: string;
  open(): Promise<{
    store: MirrorStore;
    customers(merchantId: string): Promise<MirroredCustomer[]>;
    close(): Promise<void>;
  }>;
  staleWrites(): Promise<number>;
}

async function sqliteDatabase(name: string): Promise<Database> {
  const file = join(dir, `${name}.sqlite`);
  const store = SqliteMirrorStore.open(file);
  for (const sql of STALE_WATCH_SQL.sqlite) store.db.exec(sql);
  store.close();
  return {
    name: "SQLite",
    location: file,
    async open() {
      const opened = SqliteMirrorStore.open(file);
      return {
        store: opened,
        customers: async (merchantId) => [...opened.customers(merchantId)],
        close: async () => opened.close(),
      };
    },
    async staleWrites() {
      const db = new DatabaseSync(file);
      const { n } = db.prepare(STALE_WRITES_SQL).get() as { n: number };
      db.close();
      return Number(n);
    },
  };
}

async function postgresDatabase(name: string): Promise<Database> {
  const url = await postgres.database(name);
  const pool = postgres.pool(url);
  await PostgresMirrorStore.open({ pool });
  for (const sql of STALE_WATCH_SQL.postgres) await pool.query(sql);
  return {
    name: "PostgreSQL",
    location: url,
    async open() {
      const own = new pg.Pool({ connectionString: url, max: 2 });
      own.on("error", () => {});
      const store = await PostgresMirrorStore.open({ pool: own });
      return { store, customers: (merchantId) => store.customers(merchantId), close: () => own.end() };
    },
    async staleWrites() {
      const { rows } = await pool.query(STALE_WRITES_SQL);
      return Number(rows[0]?.n);
    },
  };
}

/** A merchant with `customers` customers; its client and its id (from a subscription's test event). */
async function merchant(
  customers: number,
): Promise<{ token: string; square: SquareClient; merchantId: string }> {
  const token = `writers-${randomUUID()}`;
  const square = createSquareClient({ accessToken: token, environment: emulator.url });
  await square.customers.createMany(
    Array.from({ length: customers }, (_, i) => ({
      given_name: `Writer${i}`,
      email_address: `w${i}@example.com`,
    })),
  );
  const { subscription } = await square.webhooks.subscriptions.create({
    subscription: { event_types: ["customer.created"], notification_url: "http://127.0.0.1:9/nobody" },
  });
  const { subscription_test_result } = await square.webhooks.subscriptions.test(subscription.id, {});
  await square.webhooks.subscriptions.delete(subscription.id);
  const merchantId = (JSON.parse(subscription_test_result.payload ?? "{}") as { merchant_id: string })
    .merchant_id;
  return { token, square, merchantId };
}

/** A receiver that keeps every delivery's event and answers 200; its subscription for every event type. */
async function collector(square: SquareClient): Promise<WebhookEvent[]> {
  const events: WebhookEvent[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    events.push(JSON.parse(body) as WebhookEvent);
    res.writeHead(200).end();
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { event_types } = await square.webhooks.eventTypes.list();
  await square.webhooks.subscriptions.create({
    subscription: {
      event_types: event_types ?? [],
      notification_url: `http://127.0.0.1:${(server.address() as { port: number }).port}/collect`,
    },
  });
  return events;
}

/** Every event, plus copies of DUPLICATED of them, shuffled, dealt out to WORKERS files. */
function dealt(events: readonly WebhookEvent[], seed: number): string[] {
  const next = seededRandom(seed);
  const all = [...events, ...events.filter(() => next() < DUPLICATED)];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return Array.from({ length: WORKERS }, (_, w) => {
    const file = join(dir, `events-${seed}-${w}.json`);
    writeFileSync(file, JSON.stringify(all.filter((_, i) => i % WORKERS === w)));
    return file;
  });
}

/** Runs the workers at once; resolves with their outcome counts, added up. */
async function applyConcurrently(
  location: string,
  files: readonly string[],
): Promise<Record<string, number>> {
  const runs = files.map((file) => {
    const child = spawn(process.execPath, [WORKER, location, file], { stdio: ["ignore", "pipe", "pipe"] });
    return collect(child).exited;
  });
  const total: Record<string, number> = {};
  for (const result of await Promise.all(runs)) {
    expect(result.code, result.stderr).toBe(0);
    for (const [outcome, n] of Object.entries(JSON.parse(result.stdout) as Record<string, number>)) {
      total[outcome] = (total[outcome] ?? 0) + n;
    }
  }
  return total;
}

describe(`${WORKERS} writers at once`, () => {
  let account: Awaited<ReturnType<typeof merchant>>;
  let events: WebhookEvent[];
  const databases = new Map<string, Database>();

  beforeAll(async () => {
    account = await merchant(200);
    events = await collector(account.square);
    // Each database holds the account as it was before the changes (a full load), as a live mirror would.
    for (const make of [sqliteDatabase, postgresDatabase]) {
      const database = await make(`writers_${randomUUID().slice(0, 8)}`);
      const opened = await database.open();
      await createMirror({ client: account.square, store: opened.store }).fullLoad(account.merchantId);
      await opened.close();
      databases.set(database.name, database);
    }
    const setup = await prepareWorkload(account.square, 18);
    const live = (await account.square.customers.list().toArray()).map((c) => c.id);
    await runWorkload(account.square, setup, live, { changes: CHANGES, seed: 18 });
    await emulator.webhooks.whenIdle();
  }, 240_000);

  it.each(["SQLite", "PostgreSQL"])(
    `%s: the deliveries of ${CHANGES} changes, shuffled and duplicated across the writers; the mirror equals the account`,
    async (name) => {
      const database = databases.get(name)!;
      const { square, merchantId } = account;
      const counts = await applyConcurrently(database.location, dealt(events, 7));
      const copies = Object.values(counts).reduce((a, b) => a + b, 0) - events.length;
      expect(copies).toBeGreaterThan(events.length * 0.2);
      expect(counts.duplicate).toBe(copies);
      expect(counts.stale).toBeGreaterThan(0);
      const opened = await database.open();
      try {
        const comparison = compareMirror(
          await square.customers.list().toArray(),
          await opened.customers(merchantId),
        );
        expect(comparison.differences).toEqual([]);
        expect(comparison.customers).toBeGreaterThan(100);
      } finally {
        await opened.close();
      }
      expect(await database.staleWrites()).toBe(0);
    },
    120_000,
  );
});

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("SIGKILL at any moment loses nothing", () => {
  it.each([
    { name: "SQLite", make: sqliteDatabase },
    { name: "PostgreSQL", make: postgresDatabase },
  ])(
    `$name: customers sync killed ${KILLS} times while changes keep coming, then restarted; the mirror equals the account`,
    async ({ make }) => {
      const database = await make(`crash_${randomUUID().slice(0, 8)}`);
      const { token, square, merchantId } = await merchant(300);
      const args = [
        "sync",
        "--db",
        database.location,
        "--listen",
        `127.0.0.1:${await freePort()}`,
        "--key-file",
        join(dir, `${token}.key`),
        "--url",
        emulator.url,
        "--json",
        "--reconcile-every",
        "0",
      ];
      const readyLine = (line: string) => line.includes('"kind":"ready"');
      // The changes start at once: the first run may be killed before its subscription exists (its full
      // load then brings in what came before).
      let sync = start(args, { token });
      const setup = await prepareWorkload(square, 66);
      const live = (await square.customers.list().toArray()).map((c) => c.id);
      const workload = runWorkload(square, setup, live, { changes: 400, seed: 66 });
      const next = seededRandom(66);
      let kills = 0;
      let working = true;
      void workload.finally(() => {
        working = false;
      });
      // Killed at any moment: while it starts (creating its subscription, migrating, learning its
      // merchant), during a load or a reconcile pass, or while it applies deliveries.
      while (kills < KILLS || working) {
        await new Promise((resolve) => setTimeout(resolve, 100 + next() * 1400));
        sync.child.kill("SIGKILL");
        expect((await sync.exited).code, sync.stderr()).toBe(null);
        kills++;
        sync = start(args, { token });
      }
      await sync.line(readyLine, { timeoutMs: 60_000 });
      await workload;
      await emulator.webhooks.whenIdle();
      const stopped = await sync.stop("SIGINT");
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(kills).toBeGreaterThanOrEqual(KILLS);
      const opened = await database.open();
      try {
        const comparison = compareMirror(
          await square.customers.list().toArray(),
          await opened.customers(merchantId),
        );
        expect(comparison.differences).toEqual([]);
      } finally {
        await opened.close();
      }
      expect(await database.staleWrites()).toBe(0);
    },
    180_000,
  );
});
