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
// With BASELINE_EMULATOR naming another build's bin (a clone of main, say), every figure is measured for
// both builds, each size's emulators side by side (the selective searches of all four in alternating
// rounds), and a table of ratios (this build / the baseline) follows:
//   BASELINE_EMULATOR=/tmp/main/packages/emulator/dist/bin.js node bench/emulator.ts
// Run: `npm run bench -- emulator` (builds first).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url));
/** The builds measured: this checkout's, and the baseline when BASELINE_EMULATOR names one. */
const BUILDS: ReadonlyArray<{ readonly name: string; readonly bin: string }> = [
  { name: "this", bin: BIN },
  ...(process.env.BASELINE_EMULATOR ? [{ name: "baseline", bin: process.env.BASELINE_EMULATOR }] : []),
];
const SIZES = [10_000, 100_000];
const MILLION = 1_000_000;
const SECONDS_PER_LOAD = 2;
/** Rounds of every other operation, which share SECONDS_PER_LOAD among them. */
const ROUNDS = 10;
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
  build: string;
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

/** Starts an emulator's bin; resolves once it prints its URL. */
function start(bin: string, args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [bin, "--port", "0", ...args], {
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

/** An operation measured against an emulator: one call (`i`: the call's number, `loop`: its client's). */
type Operation = readonly [name: string, call: (i: number, loop: number) => Promise<void>];

/** An emulator started and seeded, with the operations measured against it. */
async function scenario(
  build: (typeof BUILDS)[number],
  store: string,
  customers: number,
  db: string | undefined,
) {
  const running = await start(build.bin, ["--seed", String(customers), ...(db ? ["--db", db] : [])]);
  const before = memory(running.child.pid);
  const { seconds, first } = await seed(running.url);
  const after = memory(running.child.pid);
  process.stdout.write(
    `  ${build.name}: ${store} ${customers.toLocaleString("en")}: seeded in ${seconds.toFixed(1)} s\n`,
  );
  const { url } = running;

  const ids: string[] = first.customers.map((c: any) => c.id);
  const desc = await request(`${url}/v2/customers?limit=100&sort_field=CREATED_AT&sort_order=DESC`);
  ids.push(...desc.customers.map((c: any) => c.id));
  const cursors: Array<string | undefined> = Array(CONCURRENCY).fill(undefined);
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
  const selective = (await selectiveSearches(url)).map(([, body]) => body);
  const operations: Operation[] = [
    ["retrieve", (i) => request(`${url}/v2/customers/${ids[i % ids.length]}`)],
    [
      "list page (100)",
      async (_, loop) => {
        const c = cursors[loop];
        const page = await request(
          `${url}/v2/customers?limit=100${c ? `&cursor=${encodeURIComponent(c)}` : ""}`,
        );
        cursors[loop] = page.cursor;
      },
    ],
    ["search (mix)", (i) => search(url, mix[i % mix.length]!)],
    ["search (selective)", (i) => search(url, selective[i % selective.length]!)],
  ];
  return {
    build: build.name,
    store,
    customers,
    running,
    operations,
    bytesPerCustomer: ((after.rss - before.rss) * 1024 * 1024) / customers,
  };
}

type Scenario = Awaited<ReturnType<typeof scenario>>;

/**
 * Each operation against the emulators of one store (10,000 and 100,000 customers, of each build) in
 * alternating short rounds, so that all see the same machine: a load that comes and goes (other
 * processes) weighs on each alike, and their ratios stay meaningful. Selective searches get longer.
 */
async function measure(scenarios: Scenario[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [index, [operation]] of scenarios[0]!.operations.entries()) {
    const selective = operation === "search (selective)";
    const rounds = selective ? SELECTIVE_ROUNDS : ROUNDS;
    const seconds = selective ? SELECTIVE_ROUND_SECONDS : SECONDS_PER_LOAD / ROUNDS;
    const samples = scenarios.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, run] of scenarios.entries()) {
        samples[i]!.push(...(await latencies(run.operations[index]![1], seconds)));
      }
    }
    for (const [i, { build, store, customers }] of scenarios.entries()) {
      rows.push({ build, store, customers, operation, ...summarize(samples[i]!, rounds * seconds) });
    }
  }
  return rows;
}

type Memory = ReturnType<typeof memory>;

/** A build's emulator with 1,000,000 customers in a file, and what seeding it took. */
interface MillionRun {
  readonly build: string;
  readonly running: Running;
  readonly seconds: number;
  readonly seeded: Memory;
}

/** The figures of 1,000,000 customers, for one build. */
interface Million {
  readonly seconds: number;
  readonly seeded: Memory;
  readonly after: Memory;
  readonly all: Load;
  readonly perKind: Array<[string, Load]>;
}

/**
 * 1,000,000 customers into a file, for each build: seeding time and memory; then selective searches, of
 * every build in alternating rounds, and one kind at a time.
 */
async function million(dir: string): Promise<Map<string, Million>> {
  const runs: MillionRun[] = [];
  const results = new Map<string, Million>();
  try {
    for (const build of BUILDS) {
      process.stdout.write(`  ${build.name}: sqlite file ${MILLION.toLocaleString("en")}: seeding…\n`);
      const db = join(dir, `${build.name}-million.sqlite`);
      const running = await start(build.bin, ["--seed", String(MILLION), "--db", db]);
      try {
        const { seconds } = await seed(running.url);
        runs.push({ build: build.name, running, seconds, seeded: memory(running.child.pid) });
      } catch (error) {
        await stop(running);
        throw error;
      }
    }
    const searches = await Promise.all(runs.map(({ running }) => selectiveSearches(running.url)));
    const samples = runs.map((): number[] => []);
    for (let round = 0; round < SELECTIVE_ROUNDS; round++) {
      for (const [i, { running }] of runs.entries()) {
        const kinds = searches[i]!;
        const call = (n: number) => search(running.url, kinds[n % kinds.length]![1]);
        samples[i]!.push(...(await latencies(call, SELECTIVE_ROUND_SECONDS)));
      }
    }
    for (const [i, { build, running, seconds, seeded }] of runs.entries()) {
      const perKind: Array<[string, Load]> = [];
      for (const [name, body] of searches[i]!) {
        perKind.push([name, await load(() => search(running.url, body), 0.5)]);
      }
      const all = summarize(samples[i]!, SELECTIVE_ROUNDS * SELECTIVE_ROUND_SECONDS);
      results.set(build, { seconds, seeded, after: memory(running.child.pid), all, perKind });
    }
  } finally {
    for (const { running } of runs) await stop(running);
  }
  return results;
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
  /** In-memory bytes per customer, by build and size. */
  const bytes = new Map<string, number>();
  let big = new Map<string, Million>();
  try {
    process.stdout.write(
      `emulator benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS_PER_LOAD} s per operation\n`,
    );
    for (const store of ["memory", "sqlite file"]) {
      const runs: Scenario[] = [];
      for (const customers of SIZES) {
        for (const build of BUILDS) {
          const db = store === "memory" ? undefined : join(dir, `${build.name}-${customers}.sqlite`);
          const run = await scenario(build, store, customers, db);
          runs.push(run);
          if (store === "memory") bytes.set(`${build.name} ${customers}`, run.bytesPerCustomer);
        }
      }
      try {
        rows.push(...(await measure(runs)));
      } finally {
        for (const run of runs) await stop(run.running);
      }
    }
    big = await million(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ours = big.get("this");
  if (ours === undefined) return;

  // By store, then size, then build; operations in the order they ran (the sort is stable).
  rows.sort(
    (a, b) => a.store.localeCompare(b.store) || a.customers - b.customers || a.build.localeCompare(b.build),
  );
  process.stdout.write(
    `\n${table(
      ["build", "store", "customers", "operation", "requests", "req/s", "p50 ms", "p99 ms"],
      rows.map((r) => [
        r.build,
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
    rows.find(
      (r) =>
        r.build === "this" &&
        r.store === store &&
        r.customers === customers &&
        r.operation === "search (selective)",
    )!.p50;
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
      `${ours.seconds.toFixed(0)} s`,
      "(measured)",
      "",
    ],
    [
      `RSS with ${MILLION.toLocaleString("en")} customers (--db), after seeding / after searching`,
      `${ours.seeded.rss.toFixed(0)} / ${ours.after.rss.toFixed(0)} MB (peak ${ours.after.peak.toFixed(0)} MB)`,
      `< ${TARGETS.millionRssMb} MB`,
      verdict(Math.max(ours.seeded.rss, ours.after.rss) < TARGETS.millionRssMb),
    ],
    [
      `selective search p50, ${MILLION.toLocaleString("en")} (--db)`,
      `${ours.all.p50.toFixed(2)} ms (p99 ${ours.all.p99.toFixed(2)} ms)`,
      `< ${TARGETS.millionSelectiveP50Ms} ms`,
      verdict(ours.all.p50 < TARGETS.millionSelectiveP50Ms),
    ],
    ...SIZES.map((customers) => [customers, bytes.get(`this ${customers}`) ?? Number.NaN] as const).map(
      ([customers, b]) => [
        `in-memory store, bytes per customer (RSS growth / ${customers.toLocaleString("en")})`,
        `${b.toFixed(0)} B`,
        "(measured)",
        "",
      ],
    ),
  );
  process.stdout.write(`\n${table(["figure", "value", "target", ""], targets)}\n`);
  process.stdout.write(
    `\nselective searches at ${MILLION.toLocaleString("en")}, one kind at a time (p50 ms): ${ours.perKind
      .map(([name, r]) => `${name} ${r.p50.toFixed(1)}`)
      .join(", ")}\n`,
  );
  const baseline = big.get("baseline");
  if (baseline !== undefined) printRatios(rows, bytes, ours, baseline);
  process.stdout.write(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

/** This build's figures over the baseline's, each measured in the same run. */
function printRatios(rows: Row[], bytes: Map<string, number>, ours: Million, baseline: Million): void {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const theirs = (r: Row) =>
    rows.find(
      (x) =>
        x.build === "baseline" &&
        x.store === r.store &&
        x.customers === r.customers &&
        x.operation === r.operation,
    )!;
  const lines = rows
    .filter((r) => r.build === "this")
    .map((r) => [
      `${r.store}, ${r.customers.toLocaleString("en")}, ${r.operation}`,
      ratio(r.p50, theirs(r).p50),
      ratio(r.p99, theirs(r).p99),
      ratio(r.perSecond, theirs(r).perSecond),
    ]);
  lines.push(
    [
      `sqlite file, ${MILLION.toLocaleString("en")}, seeding time`,
      ratio(ours.seconds, baseline.seconds),
      "",
      "",
    ],
    [
      `sqlite file, ${MILLION.toLocaleString("en")}, search (selective)`,
      ratio(ours.all.p50, baseline.all.p50),
      ratio(ours.all.p99, baseline.all.p99),
      ratio(ours.all.perSecond, baseline.all.perSecond),
    ],
    [
      `sqlite file, ${MILLION.toLocaleString("en")}, RSS after searching`,
      ratio(ours.after.rss, baseline.after.rss),
      "",
      "",
    ],
    ...SIZES.map((customers) => [
      `memory, ${customers.toLocaleString("en")}, bytes per customer`,
      ratio(bytes.get(`this ${customers}`)!, bytes.get(`baseline ${customers}`)!),
      "",
      "",
    ]),
  );
  process.stdout.write(
    `\nthis build / the baseline (${process.env.BASELINE_EMULATOR}), same run:\n${table(["figure", "p50", "p99", "req/s"], lines)}\n`,
  );
}

await main();
