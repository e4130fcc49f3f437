// Benchmark of @square-customers/client (not a test: prints figures, asserts nothing).
//  1. Per-call time of `customers.retrieve` against the emulator on 127.0.0.1: raw fetch + JSON.parse,
//     this client, and Square's official `square` SDK (v46), interleaved in rounds.
//  2. Size (esbuild bundle + minify, gzip level 9) of the smallest program that creates a client and
//     lists every customer: this client, `square`, and a bare ky loop. Each bundle is then run against
//     the emulator to show it really does list them all.
//  3. Cold import time: fresh `node -e "import(…)"` processes, median of several, against ky alone.
// Usage (after `turbo run build`): node scripts/toolchain.mjs node bench/client.ts
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { createSquareClient } from "@square-customers/client";
import { startEmulator } from "@square-customers/emulator";
import { build } from "esbuild";
import { SquareClient } from "square";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = 15;
const CALLS_PER_ROUND = 200;
const WARMUP = 300;
const IMPORT_RUNS = 15;
const CUSTOMERS = 250; // three pages for the size programs' run

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
// Async, because the emulator runs in this process and must keep answering while a child runs.
const run = promisify(execFile);

const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
const token = "bench-token";
const ours = createSquareClient({ accessToken: token, environment: emulator.url });
const official = new SquareClient({ token, baseUrl: emulator.url });
const headers = {
  authorization: `Bearer ${token}`,
  "square-version": "2025-08-20",
  accept: "application/json",
};

const made = await ours.customers.createMany(
  Array.from({ length: CUSTOMERS }, (_, i) => ({
    given_name: `Bench${i}`,
    email_address: `b${i}@example.com`,
  })),
);
const id = made[0]!.outcome === "created" ? made[0]!.customer.id! : "";

// ── 1. per-call time ───────────────────────────────────────────────────────────────────────────────
const contenders: Record<string, () => Promise<unknown>> = {
  "raw fetch": async () => (await fetch(`${emulator.url}/v2/customers/${id}`, { headers })).json(),
  "@square-customers/client": async () => ours.customers.retrieve(id),
  "square (official)": async () => official.customers.get({ customerId: id }),
};
// Every contender must really get the customer before it is timed.
for (const [name, call] of Object.entries(contenders)) {
  const result = (await call()) as { customer?: { id?: string } };
  if (result.customer?.id !== id) throw new Error(`${name} did not retrieve the customer`);
  for (let i = 0; i < WARMUP; i++) await call();
}
// Rounds interleave the contenders, so a busy machine slows all of them alike; the fastest round is
// the least disturbed estimate, the median the typical one.
const perRound: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of Object.entries(contenders)) {
    const started = performance.now();
    for (let i = 0; i < CALLS_PER_ROUND; i++) await call();
    perRound[name]!.push(((performance.now() - started) * 1000) / CALLS_PER_ROUND);
  }
}
const best = Object.fromEntries(Object.entries(perRound).map(([n, v]) => [n, Math.min(...v)]));
const typical = Object.fromEntries(Object.entries(perRound).map(([n, v]) => [n, median(v)]));
console.log(
  `\ncustomers.retrieve, µs per call (${ROUNDS} interleaved rounds × ${CALLS_PER_ROUND} sequential calls)`,
);
console.log(`  ${"".padEnd(26)}   best  median   best vs raw fetch`);
for (const name of Object.keys(contenders)) {
  console.log(
    `  ${name.padEnd(26)} ${best[name]!.toFixed(0).padStart(6)} ${typical[name]!.toFixed(0).padStart(7)}   ${ratio(best[name]!, best["raw fetch"]!)}`,
  );
}
const [o, q] = ["@square-customers/client", "square (official)"];
console.log(
  `  ours / square: ${ratio(best[o]!, best[q]!)} (best), ${ratio(typical[o]!, typical[q]!)} (median);` +
    ` ours / raw fetch: ${ratio(best[o]!, best["raw fetch"]!)} (best)`,
);

// ── 2. bundle size ─────────────────────────────────────────────────────────────────────────────────
// Each program: create a client from URL + token, print the id of every customer, across all pages.
const programs: Record<string, { code: string; platform: "browser" | "node" }> = {
  "@square-customers/client": {
    platform: "browser",
    code: `import { createSquareClient } from "@square-customers/client";
const square = createSquareClient({ accessToken: process.env.TOKEN, environment: process.env.URL });
for await (const c of square.customers.list()) console.log(c.id);`,
  },
  "square (official)": {
    platform: "node", // its dependency tree needs Node builtins
    code: `import { SquareClient } from "square";
const square = new SquareClient({ token: process.env.TOKEN, baseUrl: process.env.URL });
for await (const c of await square.customers.list()) console.log(c.id);`,
  },
  "bare ky loop": {
    platform: "browser",
    code: `import ky from "ky";
const api = ky.create({ prefix: process.env.URL, headers: { authorization: "Bearer " + process.env.TOKEN, "square-version": "2025-08-20" } });
let cursor;
do {
  const page = await api.get("v2/customers", { searchParams: cursor ? { cursor } : {} }).json();
  for (const c of page.customers ?? []) console.log(c.id);
  cursor = page.cursor;
} while (cursor);`,
  },
};
const dir = mkdtempSync(join(tmpdir(), "client-bench-"));
const sizes: Record<string, number> = {};
console.log("\nsmallest 'create a client, list every customer' program: esbuild bundle+minify, gzip -9");
for (const [name, { code, platform }] of Object.entries(programs)) {
  const out = await build({
    stdin: { contents: code, resolveDir: root, sourcefile: "program.mjs", loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const bytes = out.outputFiles[0]!.contents;
  const gz = gzipSync(bytes, { level: 9 }).length;
  sizes[name] = gz;
  const file = join(dir, `${name.replace(/\W+/g, "-")}.mjs`);
  writeFileSync(file, bytes);
  let listed = "failed";
  try {
    const { stdout } = await run(process.execPath, [file], {
      env: { ...process.env, URL: emulator.url, TOKEN: token },
      timeout: 60_000,
    });
    listed = `${new Set(stdout.trim().split("\n").filter(Boolean)).size}/${CUSTOMERS}`;
  } catch (error) {
    listed = `failed: ${String((error as Error).message).split("\n")[0]}`;
  }
  console.log(
    `  ${name.padEnd(26)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KiB min  ${(gz / 1024).toFixed(1).padStart(6)} KiB min+gz` +
      `  (platform ${platform}; the bundle listed ${listed})`,
  );
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `  ours vs square: ${ratio(sizes["@square-customers/client"]!, sizes["square (official)"]!)};` +
    ` ours vs bare ky: ${ratio(sizes["@square-customers/client"]!, sizes["bare ky loop"]!)}`,
);

await emulator.close();

// ── 3. cold import ─────────────────────────────────────────────────────────────────────────────────
// Round-robin over the contenders, one fresh process each per round, so load drift hits all alike.
const importCode: Record<string, string> = {
  "node (nothing imported)": "0",
  ky: 'import("ky")',
  "@square-customers/client": 'import("@square-customers/client")',
  "square (official)": 'import("square")',
};
const importTimes: Record<string, number[]> = Object.fromEntries(Object.keys(importCode).map((n) => [n, []]));
for (let i = 0; i < IMPORT_RUNS; i++) {
  for (const [name, code] of Object.entries(importCode)) {
    const started = performance.now();
    await run(process.execPath, ["-e", code], { cwd: root });
    importTimes[name]!.push(performance.now() - started);
  }
}
const cold = Object.fromEntries(Object.entries(importTimes).map(([n, v]) => [n, median(v)]));
const base = cold["node (nothing imported)"]!;
console.log(
  `\ncold import, ms (median of ${IMPORT_RUNS} fresh node processes; "+" = above bare node start-up)`,
);
for (const [name, ms] of Object.entries(cold)) {
  console.log(`  ${name.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms   +${(ms - base).toFixed(1)} ms`);
}
const net = (name: string) => cold[name]! - base;
console.log(
  `  ours / ky: ${ratio(cold["@square-customers/client"]!, cold.ky!)} wall, ${ratio(net("@square-customers/client"), net("ky"))} above start-up;` +
    ` ours / square: ${ratio(net("@square-customers/client"), net("square (official)"))} above start-up`,
);
