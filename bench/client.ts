// Benchmark of @square-customers/client (not a test: prints figures and the targets of issues 14 and 20).
//  1. Per-call time of `customers.retrieve` against the emulator (own thread, 127.0.0.1): raw fetch, a
//     bare ky instance (`ky.create(...).get().json()`), this client, and Square's official `square` SDK,
//     in interleaved rounds.
//  2. Size (esbuild bundle + minify, gzip level 9) of the smallest program that creates a client and
//     lists every customer: this client, `square`, and a bare ky loop; each bundle is then run against the
//     emulator to show that it really lists them all. Where the client's bytes go is printed too. Then the
//     same program bundled as browsers get it from a bundler that splits at `import()`: what it loads
//     before its first request, and what loads only on demand (createMany, webhooks, the request rules).
//  3. Cold import time: fresh `node -e "import(…)"` processes, interleaved, against ky alone.
// Usage (after `turbo run build`): npm run bench -- client.ts
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createSquareClient } from "@square-customers/client";
import ky from "ky";
import { SquareClient } from "square";
import {
  bundle,
  coldImports,
  formatRatio,
  interleavedRounds,
  kib,
  printTargets,
  printTimes,
  roundRatios,
  splitBundle,
  spread,
  squareHeaders,
  startEmulatorWorker,
  timedPromise,
  WITHOUT_CORE_TABLES,
} from "./_support.ts";

const ROUNDS = 30;
const CALLS_PER_ROUND = 60;
const WARMUP = 300;
const IMPORT_RUNS = 31;
const CUSTOMERS = 250; // three pages for the size programs' run

const run = promisify(execFile);
const emulator = await startEmulatorWorker({ seed: CUSTOMERS });
const token = "bench-token";
const headers = squareHeaders(token);

const ours = createSquareClient({ accessToken: token, environment: emulator.url });
const official = new SquareClient({ token, baseUrl: emulator.url });
const bareKy = ky.create({ prefix: emulator.url, headers });
const id = (await ours.customers.list({ limit: 1 })).customers![0]!.id!;

// ── 1. per-call time ───────────────────────────────────────────────────────────────────────────────
const calls: Record<string, () => PromiseLike<unknown>> = {
  "raw fetch": async () => (await fetch(`${emulator.url}/v2/customers/${id}`, { headers })).json(),
  "bare ky": () => bareKy.get(`v2/customers/${id}`).json(),
  "@square-customers/client": () => ours.customers.retrieve(id),
  "square (official)": () => official.customers.get({ customerId: id }),
};
for (const [name, call] of Object.entries(calls)) {
  const result = (await call()) as { customer?: { id?: string } };
  if (result.customer?.id !== id) throw new Error(`${name} did not retrieve the customer`);
}
const times = await interleavedRounds(
  Object.entries(calls).map(([name, call]) => timedPromise(name, call)),
  { rounds: ROUNDS, calls: CALLS_PER_ROUND, warmup: WARMUP },
);
console.log(
  `\ncustomers.retrieve, µs per call (${ROUNDS} rounds of ${CALLS_PER_ROUND} turns; each figure a round's median)`,
);
printTimes(times);
const perCall = {
  vsKy: spread(roundRatios(times, "@square-customers/client", "bare ky")),
  vsOfficial: spread(roundRatios(times, "@square-customers/client", "square (official)")),
  kyVsFetch: spread(roundRatios(times, "bare ky", "raw fetch")),
};
console.log(`  bare ky / raw fetch: ${formatRatio(perCall.kyVsFetch)} (ky's own per-request work)`);

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
let allListed = true;
console.log("\nsmallest 'create a client, list every customer' program: esbuild bundle+minify, gzip -9");
for (const [name, { code, platform }] of Object.entries(programs)) {
  const { bytes, min, gz } = await bundle(code, platform);
  sizes[name] = gz;
  const file = join(dir, `${name.replace(/\W+/g, "-")}.mjs`);
  writeFileSync(file, bytes);
  let listed = 0;
  try {
    const { stdout } = await run(process.execPath, [file], {
      env: { ...process.env, URL: emulator.url, TOKEN: `bundle-${name.replace(/\W+/g, "-")}` },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    listed = new Set(stdout.trim().split("\n").filter(Boolean)).size;
  } catch (error) {
    console.log(`  ${name}: the bundle failed: ${String((error as Error).message).split("\n")[0]}`);
  }
  allListed &&= listed === CUSTOMERS;
  console.log(
    `  ${name.padEnd(26)} ${kib(min).padStart(10)} min  ${kib(gz).padStart(9)} min+gz  (platform ${platform}; listed ${listed}/${CUSTOMERS})`,
  );
}
rmSync(dir, { recursive: true, force: true });
const bundleRatio = sizes["@square-customers/client"]! / sizes["bare ky loop"]!;
// Where the bytes go: the generated tables are measured by leaving them out.
const withoutTables = await bundle(
  programs["@square-customers/client"]!.code,
  "browser",
  WITHOUT_CORE_TABLES,
);
const tablesGz = sizes["@square-customers/client"]! - withoutTables.gz;
const restGz = withoutTables.gz - sizes["bare ky loop"]!;
console.log(
  `  where the client's ${kib(sizes["@square-customers/client"]!)} go: ky and the loop ${kib(sizes["bare ky loop"]!)},` +
    ` core's generated tables (operations, request constraints, answer shapes) ${kib(tablesGz)},` +
    ` core's rules and decisions with the client's own code ${kib(restGz)}`,
);
console.log(
  `  ours vs square: ${(sizes["@square-customers/client"]! / sizes["square (official)"]!).toFixed(2)}×;` +
    ` ours vs bare ky: ${bundleRatio.toFixed(2)}× (+${kib(sizes["@square-customers/client"]! - sizes["bare ky loop"]!)})`,
);
await emulator.close();

// The same program as a browser gets it from a bundler that splits at `import()`.
const split = await splitBundle(programs["@square-customers/client"]!.code);
const loadedFirst = split.eager.reduce((sum, file) => sum + file.gz, 0);
const only = (file: { inputs: readonly string[] }, part: RegExp) =>
  file.inputs.some((input) => part.test(input));
console.log(
  `  split at import(): before its first request the program loads ${split.eager.length} files,` +
    ` ${kib(loadedFirst)} min+gz (each file gzipped on its own, as sent)`,
);
for (const file of split.onDemand) {
  const what = only(file, /create-many/)
    ? "createMany"
    : only(file, /webhooks/)
      ? "webhooks.unwrap"
      : only(file, /request-rules|square-rules/)
        ? "the request rules (the first call with a body)"
        : "shared by what loads on demand";
  console.log(`    on demand: ${kib(file.gz).padStart(9)} min+gz  ${what}`);
}

// ── 3. cold import ─────────────────────────────────────────────────────────────────────────────────
const importTimes = await coldImports(
  {
    "node (nothing imported)": "0",
    ky: 'import("ky")',
    "@square-customers/client": 'import("@square-customers/client")',
    "square (official)": 'import("square")',
  },
  IMPORT_RUNS,
);
console.log(`\ncold import (${IMPORT_RUNS} interleaved fresh node processes each)`);
printTimes(importTimes, "ms");
const coldImport = spread(roundRatios(importTimes, "@square-customers/client", "ky"));

const met = printTargets("Targets (issues 14 and 20), this run:", [
  {
    label: "per call, client / bare ky",
    measured: perCall.vsKy,
    atMost: 1.05,
    note: `ky itself costs ${formatRatio(perCall.kyVsFetch)} of a raw fetch here`,
  },
  { label: "per call, client / official SDK (faster: below 1)", measured: perCall.vsOfficial, atMost: 1 },
  {
    label: "bundle 'client + list all' / bare ky loop",
    measured: bundleRatio,
    atMost: 1.6,
    note:
      `1.6× leaves ${kib(0.6 * sizes["bare ky loop"]!)} for everything but ky; core's tables alone take ${kib(tablesGz)}` +
      ` (left out entirely: ${(withoutTables.gz / sizes["bare ky loop"]!).toFixed(2)}×), its rules and the client ${kib(restGz)}`,
  },
  {
    label:
      "split at import(): what 'client + list all' loads first, KiB min+gz (issue 20: no more than 23.2)",
    measured: loadedFirst / 1024,
    atMost: 23.2,
    format: (v) => `${v.toFixed(1)} KiB`,
  },
  {
    label: "cold import, client / ky (issue 20)",
    measured: coldImport,
    atMost: 1.1,
  },
]);
console.log(met ? "\nall targets met" : "\nsome targets not met (see above)");
if (!allListed) process.exitCode = 1;
