// Benchmark of the customer mirror (not a test: prints figures beside their baselines, asserts nothing).
//  1. Events applied per second into the SQLite mirror (the `customers sync` store, a file): 22,000
//     `customer.updated` events for 2,000 customers, shuffled (most arrive out of order) with 10 % sent
//     twice, applied one after another by each flavor's `apply`, against a hand-written loop that upserts
//     every event's customer into SQLite with no dedupe and no ordering (and so ends wrong). Then the same
//     events as signed deliveries over HTTP (8 at a time) to the node:http handler that verifies and
//     applies them, against a bare node:http handler that only reads the body and answers 200.
//  2. Time from the last change to a converged mirror: changes to an account with a live mirror (listener,
//     subscription, SQLite store, as `customers sync` runs), timed from the last change's answer until every
//     delivery is acknowledged (each only after it is applied), against a bare receiver that acknowledges at
//     once. 500 random changes in a row, without delivery faults and with the convergence test's (10 % each
//     of duplicated, reordered, delayed by 300 ms and failed-first deliveries, retries scaled by 0.001);
//     then 1,000 updates at once, which queue 1,000 deliveries together.
//  3. Full-load time for 50,000 customers (the emulator's bin in its own process, seeded), against a
//     hand-written loop of fetch + JSON.parse over every page into a Map. Interleaved rounds; the best.
// Run: `npm run bench -- mirror` (builds first).
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import {
  createMirror,
  createSquareClient,
  MemoryMirrorStore,
  type MirrorStore,
  type SquareClient,
} from "@square-customers/client";
import { createWebhookHandler } from "@square-customers/client/node";
import { SquareClient as EffectSquareClient, makeMirror } from "@square-customers/client-effect";
import type { Customer, WebhookEvent } from "@square-customers/core";
import { startEmulator } from "@square-customers/emulator";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as Layer from "effect/Layer";
import * as Stream from "effect/Stream";
import { compareMirror } from "../apps/example/dist/mirror-check.js";
import { startMirrorSession } from "../apps/example/dist/mirror-session.js";
import { SqliteMirrorStore } from "../apps/example/dist/mirror-store.js";
import { prepareWorkload, runWorkload, seededRandom } from "../apps/example/dist/mirror-workload.js";

const EVENT_CUSTOMERS = 2_000;
const VERSIONS = 10;
const DUPLICATE_SHARE = 0.1;
const HTTP_CONCURRENCY = 8;
const CHANGES = 500;
const LOAD_CUSTOMERS = 50_000;
const LOAD_ROUNDS = 3;
const EMULATOR_BIN = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "bench-mirror-"));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const int = (value: number) => Math.round(value).toLocaleString("en");
const row = (label: string, value: string, versus = "") =>
  console.log(`  ${label.padEnd(54)} ${value.padStart(12)}  ${versus}`);

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
        merchant_id: "BENCH",
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

/** Each event's customer written as is, in arrival order: the naive baseline. */
function handWrittenUpserts(events: readonly WebhookEvent[], file: string): number {
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  db.exec("CREATE TABLE customers (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT");
  const upsert = db.prepare(
    "INSERT INTO customers (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
  );
  const started = performance.now();
  for (const event of events) {
    if (event.type !== "customer.updated") continue;
    const customer = event.data.object.customer;
    upsert.run(customer.id, JSON.stringify(customer));
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}

/** Whether a mirror holds every customer at its last version (the baseline does not). */
function newestEverywhere(store: SqliteMirrorStore): boolean {
  let count = 0;
  for (const customer of store.customers()) {
    count++;
    if (customer.version !== VERSIONS - 1) return false;
  }
  return count === EVENT_CUSTOMERS;
}

const KEY = "bench-signature-key";

/** A node:http server on 127.0.0.1 around `handle`; its URL and a closer. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => unknown) {
  const server = createServer((req, res) => void handle(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A bare receiver: reads the body and answers 200, nothing else. */
async function acknowledge(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for await (const _ of req);
  res.writeHead(200).end();
}

/** Posts every body, signed for `url`, HTTP_CONCURRENCY at a time; seconds taken. */
async function post(url: string, bodies: readonly string[]): Promise<number> {
  const signed = bodies.map((body) => ({
    body,
    signature: createHmac("sha256", KEY)
      .update(url + body)
      .digest("base64"),
  }));
  let next = 0;
  return timed(() =>
    Promise.all(
      Array.from({ length: HTTP_CONCURRENCY }, async () => {
        while (next < signed.length) {
          const { body, signature } = signed[next++]!;
          const res = await fetch(url, {
            method: "POST",
            body,
            headers: { "content-type": "application/json", "x-square-hmacsha256-signature": signature },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
        }
      }),
    ),
  );
}

async function eventsPerSecond(): Promise<void> {
  const events = makeEvents();
  const rate = (seconds: number) => `${int(events.length / seconds)}/s`;
  console.log(
    `\n1. Events applied per second into the SQLite mirror (${int(events.length)} events, ${int(EVENT_CUSTOMERS)} customers, shuffled, 10 % twice)`,
  );
  const baseline = handWrittenUpserts(events, join(dir, "baseline.sqlite"));
  row("hand-written SQLite upsert per event (baseline)", rate(baseline), "ends with the wrong versions");

  const promiseStore = new SqliteMirrorStore(join(dir, "promise.sqlite"));
  const promiseMirror = createMirror(nowhere, { store: promiseStore });
  const promiseSeconds = await timed(async () => {
    for (const event of events) await promiseMirror.apply(event);
  });
  row(
    "promise client: mirror.apply",
    rate(promiseSeconds),
    `${ratio(promiseSeconds, baseline)} the baseline's time`,
  );
  const promiseRight = newestEverywhere(promiseStore);
  promiseStore.close();

  const effectStore = new SqliteMirrorStore(join(dir, "effect.sqlite"));
  const effectClient = EffectSquareClient.layer({
    accessToken: "bench-unused-token",
    environment: "http://127.0.0.1:9",
  }).pipe(Layer.provide(FetchHttpClient.layer));
  const effectMirror = await Effect.runPromise(
    makeMirror({ store: effectStore }).pipe(Effect.provide(effectClient)),
  );
  const effectSeconds = await timed(() =>
    Effect.runPromise(Effect.forEach(events, (event) => effectMirror.apply(event), { discard: true })),
  );
  row(
    "Effect client: mirror.apply",
    rate(effectSeconds),
    `${ratio(effectSeconds, baseline)} the baseline's time`,
  );
  const effectRight = newestEverywhere(effectStore);
  effectStore.close();
  row(
    "every customer at its newest version",
    `${promiseRight && effectRight ? "yes" : "NO"}`,
    "(both flavors)",
  );

  const bodies = events.map((event) => JSON.stringify(event));
  const bare = await serve(acknowledge);
  const bareSeconds = await post(bare.url, bodies);
  await bare.close();
  row(`bare node:http handler, ${HTTP_CONCURRENCY} deliveries at a time (baseline)`, rate(bareSeconds));
  const httpStore = new SqliteMirrorStore(join(dir, "http.sqlite"));
  const httpMirror = createMirror(nowhere, { store: httpStore });
  let handler: ReturnType<typeof createWebhookHandler> | undefined;
  const hooks = await serve((req, res) => handler!(req, res));
  handler = createWebhookHandler({ signatureKey: KEY, notificationUrl: hooks.url }, (e) =>
    httpMirror.apply(e),
  );
  const httpSeconds = await post(hooks.url, bodies);
  await hooks.close();
  row(
    "createWebhookHandler → mirror.apply (verify, apply, answer)",
    rate(httpSeconds),
    `${ratio(httpSeconds, bareSeconds)} the bare handler's time`,
  );
  httpStore.close();
}

// ── 2. from the last change to a converged mirror ─────────────────────────────────────────────────────────

const FAULTS = [
  { kind: "duplicate", rate: 0.1 },
  { kind: "reorder", rate: 0.1, ms: 300 },
  { kind: "delay", rate: 0.1, ms: 300 },
  { kind: "fail_first", rate: 0.1 },
] as const;

type Receive = (square: SquareClient) => Promise<{ close(): Promise<unknown> }>;
type Changes = (square: SquareClient, live: string[], run: number) => Promise<unknown>;

/** CHANGES random changes, one after another (the convergence test's kind of workload). */
const trickle: Changes = async (square, live, run) =>
  runWorkload(square, await prepareWorkload(square, run), live, { changes: CHANGES, seed: run });

/** Every customer updated at once: 10 bulk updates of 100 in parallel, 1,000 events queued together. */
const burst: Changes = (square, live, run) =>
  Promise.all(
    Array.from({ length: 10 }, (_, chunk) =>
      square.customers.bulkUpdate({
        customers: Object.fromEntries(
          live.slice(chunk * 100, chunk * 100 + 100).map((id) => [id, { note: `burst ${run}` }]),
        ),
      }),
    ),
  );

async function convergence(): Promise<void> {
  console.log("\n2. Time from the last change to a converged mirror (an account of 1,000 customers)");
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, webhookRetryScale: 0.001 });
  let run = 0;
  let converged = true;

  /** Makes the changes with a receiver running; ms from the last change until every delivery is done. */
  async function settle(receive: Receive, changes: Changes): Promise<number> {
    run++;
    const square = createSquareClient({ accessToken: `bench-converge-${run}`, environment: emulator.url });
    await square.customers.createMany(
      Array.from({ length: 1_000 }, (_, i) => ({
        given_name: `Converge${i}`,
        email_address: `c${i}@example.com`,
      })),
    );
    const receiver = await receive(square);
    const live = (await square.customers.list().toArray()).map((c) => c.id);
    await changes(square, live, run);
    const last = performance.now();
    await emulator.webhooks.whenIdle();
    const ms = performance.now() - last;
    await receiver.close();
    return ms;
  }

  const bare: Receive = async (square) => {
    const server = await serve(acknowledge);
    await square.webhooks.subscriptions.create({
      subscription: {
        event_types: ["customer.created", "customer.updated", "customer.deleted"],
        notification_url: server.url,
      },
    });
    return server;
  };
  const mirrored: Receive = async (square) => {
    const store = new SqliteMirrorStore(join(dir, `converge-${run}.sqlite`));
    const session = await startMirrorSession({ square, store, listen: { host: "127.0.0.1", port: 0 } });
    await session.mirror.fullLoad();
    return {
      async close() {
        const { differences } = compareMirror(await square.customers.list().toArray(), store.customers());
        converged &&= differences.length === 0;
        await session.close();
        store.close();
      },
    };
  };

  for (const [label, changes, faults] of [
    [`${CHANGES} random changes in a row, no delivery faults`, trickle, []],
    [`${CHANGES} random changes in a row, 10 % of each delivery fault`, trickle, FAULTS],
    ["1,000 updates at once (10 bulk calls), no delivery faults", burst, []],
  ] as const) {
    emulator.webhooks.faults.set(faults);
    const bareMs = await settle(bare, changes);
    const mirrorMs = await settle(mirrored, changes);
    console.log(`  ${label}`);
    row("  bare receiver that only acknowledges (baseline)", `${int(bareMs)} ms`);
    row(
      "  SQLite mirror (as customers sync runs it)",
      `${int(mirrorMs)} ms`,
      `${ratio(mirrorMs, bareMs)} the baseline's`,
    );
  }
  row("mirror equal to the account, field by field, each time", converged ? "yes" : "NO");
  await emulator.close();
}

// ── 3. full load ───────────────────────────────────────────────────────────────────────────────────────

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

async function fullLoad(): Promise<void> {
  console.log(
    `\n3. Full load of ${int(LOAD_CUSTOMERS)} customers (emulator in its own process; best of ${LOAD_ROUNDS} rounds)`,
  );
  const { url, child } = await startBin();
  const token = "bench-full-load-token";
  const square = createSquareClient({ accessToken: token, environment: url });
  const seeding = await timed(() => square.customers.list({ limit: 1 }));
  row("seeding the merchant (first request; not part of any load)", `${seeding.toFixed(1)} s`);

  const headers = {
    authorization: `Bearer ${token}`,
    "square-version": "2025-08-20",
    accept: "application/json",
  };
  const contenders: Record<string, () => Promise<number>> = {
    "hand-written list loop into a Map (baseline)": async () => {
      const all = new Map<string, Customer>();
      let cursor: string | undefined;
      do {
        const query = `limit=100&sort_field=CREATED_AT${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page = (await (await fetch(`${url}/v2/customers?${query}`, { headers })).json()) as {
          customers?: Customer[];
          cursor?: string;
        };
        for (const customer of page.customers ?? []) all.set(customer.id, customer);
        cursor = page.cursor;
      } while (cursor);
      return all.size;
    },
    "promise client: mirror.fullLoad, memory store": async () =>
      (await createMirror(square, { store: new MemoryMirrorStore() }).fullLoad()).listed,
    "promise client: mirror.fullLoad, SQLite store": async () => {
      const store = new SqliteMirrorStore(join(dir, `load-${Date.now()}.sqlite`));
      const { listed } = await createMirror(square, { store }).fullLoad();
      store.close();
      return listed;
    },
    "Effect client: mirror.fullLoad, memory store": () => effectFullLoad(url, token, new MemoryMirrorStore()),
  };
  const best: Record<string, number> = {};
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    for (const [name, load] of Object.entries(contenders)) {
      const started = performance.now();
      const count = await load();
      if (count !== LOAD_CUSTOMERS) throw new Error(`${name} loaded ${count} customers`);
      best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, (performance.now() - started) / 1000);
    }
  }
  const baseline = Object.values(best)[0]!;
  for (const [name, seconds] of Object.entries(best)) {
    row(
      name,
      `${seconds.toFixed(2)} s`,
      name.includes("baseline") ? "" : `${ratio(seconds, baseline)} the baseline's time`,
    );
  }
  child.kill("SIGTERM");
  await once(child, "exit");
}

async function effectFullLoad(url: string, token: string, store: MirrorStore): Promise<number> {
  const client = EffectSquareClient.layer({ accessToken: token, environment: url }).pipe(
    Layer.provide(FetchHttpClient.layer),
  );
  const progress = await Effect.runPromise(
    makeMirror({ store }).pipe(
      Effect.flatMap((mirror) => Stream.runLast(mirror.fullLoad)),
      Effect.provide(client),
    ),
  );
  const last = progress._tag === "Some" ? progress.value : undefined;
  return last?.kind === "load" ? last.listed : 0;
}

try {
  await eventsPerSecond();
  await convergence();
  await fullLoad();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
