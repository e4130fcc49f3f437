// Benchmark of @square-customers/emulator (not a test: prints figures beside their targets, asserts
// nothing). Each emulator runs as its own process (the package's bin), so it has its own event loop
// and its memory can be read from /proc.
//  1. 10,000 and 100,000 seeded customers, in memory and in a SQLite file: throughput and p50/p99 of
//     retrieve, a list page, a mix of searches, and selective searches (each matching a handful of
//     customers among all of them: exact and fuzzy email, phone and reference id, group and segment
//     membership, creation source). Target: selective p50 at 100,000 at most 2× the p50 at 10,000,
//     and under 20 ms, in both stores. The two sizes' selective searches run in alternating rounds
//     (both emulators up at once), so that their ratio compares like with like on a shared machine.
//  2. The in-memory store's bytes per customer (RSS after seeding minus before, per customer).
//  3. 1,000,000 customers seeded into a file (--db): the time it takes, RSS (target < 300 MB), and the
//     selective searches' p50 (target < 50 ms).
// All loads run CONCURRENCY requests at a time, so a p50 includes waiting behind the others.
// Run: `npm run bench -- emulator` (builds first).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url));
const SIZES = [10_000, 100_000];
const MILLION = 1_000_000;
const SECONDS_PER_LOAD = 2;
/** The selective-search comparison: rounds, and seconds per size in each round. */
const SELECTIVE_ROUNDS = 10;
const SELECTIVE_ROUND_SECONDS = 0.4;
const CONCURRENCY = 4;
const TOKEN = "bench";

const TARGETS = {
  selectiveP50Ms: 20,
  selectiveGrowth: 2,
  millionRssMb: 300,
  millionSelectiveP50Ms: 50,
};

interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

interface Row extends Load {
  store: string;
  customers: number;
  operation: string;
}

interface Running {
  url: string;
  child: ChildProcess;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs `call` from CONCURRENCY loops for `seconds`; the latency of each call, in ms. */
async function latencies(
  call: (i: number, loop: number) => Promise<void>,
  seconds: number,
): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, loop) => {
      while (performance.now() < end) {
        const t = performance.now();
        await call(n++, loop);
        out.push(performance.now() - t);
      }
    }),
  );
  return out;
}

function summarize(values: number[], seconds: number): Load {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    perSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

async function load(
  call: (i: number, loop: number) => Promise<void>,
  seconds = SECONDS_PER_LOAD,
): Promise<Load> {
  return summarize(await latencies(call, seconds), seconds);
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

/** Starts the emulator's bin; resolves once it prints its URL. */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
}

async function stop({ child }: Running): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Resident and peak resident memory of a process in MB, from /proc (Linux); NaN elsewhere. */
function memory(pid: number | undefined): { rss: number; peak: number } {
  const file = `/proc/${pid}/status`;
  if (pid === undefined || !existsSync(file)) return { rss: Number.NaN, peak: Number.NaN };
  const status = readFileSync(file, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/**
 * The first request creates the merchant and seeds it: its time is the seeding time. Sent with
 * node:http, which (unlike fetch) sets no time limit on the answer: a million customers take a while.
 */
function seed(url: string): Promise<{ seconds: number; first: any }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = get(
      `${url}/v2/customers?limit=100`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`${res.statusCode} ${text}`));
          else resolve({ seconds: (performance.now() - started) / 1000, first: JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
  });
}

/**
 * Selective searches: each matches a handful of customers however many there are. Five customers with
 * distinctive email, phone and reference id are added (and put in a group); the exact searches look
 * for seeded customer 4307 ("lena.novak.4307@example.com", +15550004307, SEED-4307).
 */
async function selectiveSearches(url: string): Promise<Array<[string, string]>> {
  const group = (
    await request(`${url}/v2/customers/groups`, { method: "POST", body: '{"group":{"name":"bench"}}' })
  ).group;
  for (let i = 1; i <= 5; i++) {
    const { customer } = await request(`${url}/v2/customers`, {
      method: "POST",
      body: JSON.stringify({
        given_name: "Bench",
        email_address: `qx7k.bench${i}@unique.example`,
        phone_number: `+1 212 987 650${i}`,
        reference_id: `QX7K-BENCH-${i}`,
      }),
    });
    await request(`${url}/v2/customers/${customer.id}/groups/${group.id}`, { method: "PUT" });
  }
  const segments = (await request(`${url}/v2/customers/segments`)).segments;
  const filters: Array<[string, object]> = [
    ["fuzzy email", { email_address: { fuzzy: "qx7k unique" } }],
    ["exact email", { email_address: { exact: "lena.novak.4307@example.com" } }],
    ["fuzzy phone", { phone_number: { fuzzy: "212 98765" } }],
    ["exact phone", { phone_number: { exact: "+15550004307" } }],
    ["fuzzy reference id", { reference_id: { fuzzy: "qx7k bench" } }],
    ["exact reference id", { reference_id: { exact: "SEED-4307" } }],
    ["group + segment", { group_ids: { all: [group.id] }, segment_ids: { none: [segments[0].id] } }],
    // No seeded customer has this source (a client cannot choose one): the index says so at once.
    ["creation source", { creation_source: { values: ["MERGE"] } }],
  ];
  return filters.map(([name, filter]) => [name, JSON.stringify({ limit: 100, query: { filter } })]);
}

function search(url: string, body: string): Promise<void> {
  return request(`${url}/v2/customers/search`, { method: "POST", body });
}

async function scenario(store: string, customers: number, db: string | undefined) {
  const running = await start(["--seed", String(customers), ...(db ? ["--db", db] : [])]);
  const before = memory(running.child.pid);
  const { seconds, first } = await seed(running.url);
  const after = memory(running.child.pid);
  process.stdout.write(`  ${store} ${customers.toLocaleString("en")}: seeded in ${seconds.toFixed(1)} s\n`);
  const { url } = running;

  const ids: string[] = first.customers.map((c: any) => c.id);
  const desc = await request(`${url}/v2/customers?limit=100&sort_field=CREATED_AT&sort_order=DESC`);
  ids.push(...desc.customers.map((c: any) => c.id));

  const rows: Row[] = [];
  const add = (operation: string, r: Load) => rows.push({ store, customers, operation, ...r });
  add("retrieve", await load((i) => request(`${url}/v2/customers/${ids[i % ids.length]}`)));
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
  const mix = [
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
  add("search (mix)", await load((i) => search(url, mix[i % mix.length]!)));
  const selective = (await selectiveSearches(url)).map(([, body]) => body);
  return { running, rows, selective, bytesPerCustomer: ((after.rss - before.rss) * 1024 * 1024) / customers };
}

type Scenario = Awaited<ReturnType<typeof scenario>>;

/**
 * Selective searches against two emulators (10,000 and 100,000 customers) in alternating short rounds,
 * so that both see the same machine: a load that comes and goes (other processes) weighs on both
 * alike, and their ratio stays meaningful.
 */
async function compareSelective(scenarios: Scenario[]): Promise<Load[]> {
  const samples = scenarios.map((): number[] => []);
  for (let round = 0; round < SELECTIVE_ROUNDS; round++) {
    for (const [i, { running, selective }] of scenarios.entries()) {
      const call = (n: number) => search(running.url, selective[n % selective.length]!);
      samples[i]!.push(...(await latencies(call, SELECTIVE_ROUND_SECONDS)));
    }
  }
  return samples.map((values) => summarize(values, SELECTIVE_ROUNDS * SELECTIVE_ROUND_SECONDS));
}

/** 1,000,000 customers into a file: seeding time, memory, selective searches. */
async function million(db: string) {
  const running = await start(["--seed", String(MILLION), "--db", db]);
  const { seconds } = await seed(running.url);
  const seeded = memory(running.child.pid);
  const selective = await selectiveSearches(running.url);
  const perKind: Array<[string, Load]> = [];
  for (const [name, body] of selective)
    perKind.push([name, await load(() => search(running.url, body), 0.5)]);
  const all = await load((i) => search(running.url, selective[i % selective.length]![1]));
  const after = memory(running.child.pid);
  await stop(running);
  return { seconds, seeded, after, all, perKind };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "emulator-bench-"));
  const started = performance.now();
  const rows: Row[] = [];
  const bytes = new Map<number, number>();
  let big: Awaited<ReturnType<typeof million>> | undefined;
  try {
    process.stdout.write(
      `emulator benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS_PER_LOAD} s per operation\n`,
    );
    for (const store of ["memory", "sqlite file"]) {
      const runs: Scenario[] = [];
      for (const customers of SIZES) {
        const run = await scenario(
          store,
          customers,
          store === "memory" ? undefined : join(dir, `${customers}.sqlite`),
        );
        runs.push(run);
        rows.push(...run.rows);
        if (store === "memory") bytes.set(customers, run.bytesPerCustomer);
      }
      const selective = await compareSelective(runs);
      for (const [i, customers] of SIZES.entries()) {
        rows.push({ store, customers, operation: "search (selective)", ...selective[i]! });
      }
      for (const run of runs) await stop(run.running);
    }
    process.stdout.write(`  sqlite file ${MILLION.toLocaleString("en")}: seeding…\n`);
    big = await million(join(dir, "bench-million.sqlite"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (big === undefined) return;

  // By store, then size; operations in the order they ran (the sort is stable).
  rows.sort((a, b) => a.store.localeCompare(b.store) || a.customers - b.customers);
  process.stdout.write(
    `\n${table(
      ["store", "customers", "operation", "requests", "req/s", "p50 ms", "p99 ms"],
      rows.map((r) => [
        r.store,
        r.customers.toLocaleString("en"),
        r.operation,
        String(r.requests),
        r.perSecond.toFixed(0),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
      ]),
    )}\n`,
  );

  const selective = (store: string, customers: number) =>
    rows.find((r) => r.store === store && r.customers === customers && r.operation === "search (selective)")!
      .p50;
  const targets: string[][] = [];
  for (const store of ["memory", "sqlite file"]) {
    const small = selective(store, SIZES[0]!);
    const large = selective(store, SIZES[1]!);
    targets.push(
      [
        `selective search p50, ${store}, 100,000 / 10,000`,
        `${large.toFixed(2)} / ${small.toFixed(2)} ms = ${(large / small).toFixed(2)}×`,
        `≤ ${TARGETS.selectiveGrowth}×`,
        verdict(large / small <= TARGETS.selectiveGrowth),
      ],
      [
        `selective search p50, ${store}, 100,000`,
        `${large.toFixed(2)} ms`,
        `< ${TARGETS.selectiveP50Ms} ms`,
        verdict(large < TARGETS.selectiveP50Ms),
      ],
    );
  }
  targets.push(
    [
      `seeding ${MILLION.toLocaleString("en")} customers into --db`,
      `${big.seconds.toFixed(0)} s`,
      "(measured)",
      "",
    ],
    [
      `RSS with ${MILLION.toLocaleString("en")} customers (--db), after seeding / after searching`,
      `${big.seeded.rss.toFixed(0)} / ${big.after.rss.toFixed(0)} MB (peak ${big.after.peak.toFixed(0)} MB)`,
      `< ${TARGETS.millionRssMb} MB`,
      verdict(Math.max(big.seeded.rss, big.after.rss) < TARGETS.millionRssMb),
    ],
    [
      `selective search p50, ${MILLION.toLocaleString("en")} (--db)`,
      `${big.all.p50.toFixed(2)} ms (p99 ${big.all.p99.toFixed(2)} ms)`,
      `< ${TARGETS.millionSelectiveP50Ms} ms`,
      verdict(big.all.p50 < TARGETS.millionSelectiveP50Ms),
    ],
    ...[...bytes].map(([customers, b]) => [
      `in-memory store, bytes per customer (RSS growth / ${customers.toLocaleString("en")})`,
      `${b.toFixed(0)} B`,
      "(measured)",
      "",
    ]),
  );
  process.stdout.write(`\n${table(["figure", "value", "target", ""], targets)}\n`);
  process.stdout.write(
    `\nselective searches at ${MILLION.toLocaleString("en")}, one kind at a time (p50 ms): ${big.perKind
      .map(([name, r]) => `${name} ${r.p50.toFixed(1)}`)
      .join(", ")}\n`,
  );
  process.stdout.write(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

await main();
