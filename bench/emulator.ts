// Benchmark of @square-customers/emulator (not a test: prints figures, asserts nothing).
// Throughput and p50/p99 latency of retrieve, list (one page of 100, following cursors) and search, with
// 10,000 and 100,000 seeded customers, in memory and with a SQLite file. The emulator runs in a worker
// thread so that it has its own core and the load generator does not steal its event loop.
// Run: `node bench/emulator.ts` (after building), or `npm run bench -- emulator`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const SIZES = [10_000, 100_000];
const SECONDS_PER_SCENARIO = 3;
const CONCURRENCY = 4;
const TOKEN = "bench";

if (!isMainThread) {
  // Worker: run one emulator until told to stop.
  const { startEmulator } = await import("@square-customers/emulator");
  const { seed, db } = workerData as { seed: number; db?: string };
  const emulator = await startEmulator({ seed, ...(db ? { db } : {}) });
  parentPort!.postMessage({ url: emulator.url });
  parentPort!.once("message", async () => {
    await emulator.close();
    parentPort!.postMessage("closed");
  });
} else {
  await main();
}

interface Row {
  store: string;
  customers: number;
  operation: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Runs `call` from CONCURRENCY loops for a fixed time; returns per-request latencies and throughput.
 * `call` gets a request number (counted across loops) and the number of the loop making it.
 */
async function load(call: (i: number, loop: number) => Promise<void>) {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS_PER_SCENARIO * 1000;
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, loop) => {
      while (performance.now() < end) {
        const t = performance.now();
        await call(n++, loop);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function request(url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function scenario(store: string, customers: number, db: string | undefined): Promise<Row[]> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { seed: customers, db } });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  // The first request creates the merchant and seeds it; time it separately.
  const seedStart = performance.now();
  const first = await request(`${url}/v2/customers?limit=100`);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  process.stdout.write(
    `  ${store} ${customers.toLocaleString("en")}: seeded in ${seedSeconds.toFixed(1)} s\n`,
  );

  // Ids to retrieve: a few pages' worth, spread by sorting on creation time from both ends.
  const ids: string[] = first.customers.map((c: any) => c.id);
  const desc = await request(`${url}/v2/customers?limit=100&sort_field=CREATED_AT&sort_order=DESC`);
  ids.push(...desc.customers.map((c: any) => c.id));

  const rows: Row[] = [];
  const add = (operation: string, r: Awaited<ReturnType<typeof load>>) =>
    rows.push({ store, customers, operation, ...r });

  add("retrieve", await load((i) => request(`${url}/v2/customers/${ids[i % ids.length]}`)));

  // Each loop follows its own cursors from page to page and starts over at the end.
  const cursors: Array<string | undefined> = Array(CONCURRENCY).fill(undefined);
  add(
    "list page (100)",
    await load(async (_, loop) => {
      const c = cursors[loop];
      const page = await request(
        `${url}/v2/customers?limit=100${c ? `&cursor=${encodeURIComponent(c)}` : ""}`,
      );
      cursors[loop] = page.cursor;
    }),
  );

  const searches = [
    { limit: 100, query: { filter: { email_address: { fuzzy: "example" } } } },
    { limit: 100, query: { filter: { email_address: { exact: "ben.earhart.1@example.com" } } } },
    { limit: 100, query: { filter: { phone_number: { exact: "+15550000042" } } } },
    {
      limit: 100,
      query: {
        filter: { created_at: { start_at: "2024-01-02T00:00:00Z", end_at: "2024-01-05T00:00:00Z" } },
        sort: { field: "CREATED_AT", order: "DESC" },
      },
    },
    { limit: 100, query: { filter: { reference_id: { fuzzy: "seed 4242" } } } },
  ].map((body) => JSON.stringify(body));
  add(
    "search (mix)",
    await load((i) =>
      request(`${url}/v2/customers/search`, { method: "POST", body: searches[i % searches.length]! }),
    ),
  );

  // The slowest kind of search on its own: a selective fuzzy filter scans every profile to find the
  // one seeded customer (number 4307, "lena.novak.4307@example.com") that matches.
  const selective = JSON.stringify({
    limit: 100,
    query: { filter: { email_address: { fuzzy: "lena novak 4307" } } },
  });
  add(
    "search (selective fuzzy)",
    await load(() => request(`${url}/v2/customers/search`, { method: "POST", body: selective })),
  );

  worker.postMessage("stop");
  await new Promise((resolve) => worker.once("message", resolve));
  await worker.terminate();
  return rows;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "emulator-bench-"));
  const rows: Row[] = [];
  const started = performance.now();
  try {
    process.stdout.write(
      `emulator benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS_PER_SCENARIO} s per operation\n`,
    );
    for (const customers of SIZES) {
      rows.push(...(await scenario("memory", customers, undefined)));
      rows.push(...(await scenario("sqlite file", customers, join(dir, `bench-${customers}.sqlite`))));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ["store", "customers", "operation", "requests", "req/s", "p50 ms", "p99 ms"];
  const table = rows.map((r) => [
    r.store,
    r.customers.toLocaleString("en"),
    r.operation,
    String(r.requests),
    r.perSecond.toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n`);
  for (const row of table) process.stdout.write(`${line(row)}\n`);
  process.stdout.write(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}
