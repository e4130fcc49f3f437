// Importing 10,000 customers per client through injected faults (not a test: prints figures).
// The emulator (in this process, 127.0.0.1) injects every fault kind it has on bulk-create calls, together
// about 20 % of them: 429 + Retry-After, 500, 503, latency, a connection dropped after the write was
// applied, a body cut off mid-way, and a complete but malformed body. Each client imports the same rows
// into its own merchant with `customers.createMany` (default keys, derived from each row's content).
//
// A malformed body is complete but not what the API promises, so by core's rule it is not retried: its
// rows are reported `unknown` (the write may have been applied). The documented remedy is to run the same
// import again; the bench does that for exactly those rows (the "confirm" pass) and then counts.
// Usage (after `turbo run build`): node scripts/toolchain.mjs node bench/import-faults.ts
import { type CreateManyItem, createSquareClient } from "@square-customers/client";
import { defaultRetrySchedule, SquareClient } from "@square-customers/client-effect";
import { FAULT_KINDS, type FaultKind, type FaultRule, startEmulator } from "@square-customers/emulator";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as Layer from "effect/Layer";
import * as Stream from "effect/Stream";

const ROWS = 10_000;
const TOTAL_FAULT_RATE = 0.2;
const MAX_RETRIES = 6;
const CONCURRENCY = 4;

// One rule per kind, each at the rate that makes "any fault" about 20 % of bulk calls.
const perKind = 1 - (1 - TOTAL_FAULT_RATE) ** (1 / FAULT_KINDS.length);
const faults: FaultRule[] = FAULT_KINDS.map((kind) => ({
  kind,
  operations: ["bulkCreateCustomers"],
  rate: perKind,
  ...(kind === "latency" ? { latencyMs: 50 } : {}),
  ...(kind === "rate_limit" ? { retryAfterSeconds: 0 } : {}),
}));

const fired = new Map<string, Map<FaultKind | "none", number>>();
let current = "";
const emulator = await startEmulator({
  host: "127.0.0.1",
  port: 0,
  // seed 0: merchants start empty (a seed would also give each one sample customers).
  seed: 0,
  faults,
  logger: (entry) => {
    if (entry.operation !== "bulkCreateCustomers") return;
    const counts = fired.get(current) ?? new Map();
    counts.set(entry.fault ?? "none", (counts.get(entry.fault ?? "none") ?? 0) + 1);
    fired.set(current, counts);
  },
});

const rows: CreateManyItem[] = Array.from({ length: ROWS }, (_, i) => ({
  given_name: `Row${i}`,
  family_name: "Import",
  email_address: `row${i}@example.com`,
}));

type Outcome = "created" | "rejected" | "unknown";
interface Importer {
  readonly name: string;
  /** Imports `items` and returns each one's outcome, in input order. */
  run(items: readonly CreateManyItem[]): Promise<Outcome[]>;
}

function promiseImporter(token: string): Importer {
  const square = createSquareClient({
    accessToken: token,
    environment: emulator.url,
    maxRetries: MAX_RETRIES,
    backoff: { baseMs: 5, maxMs: 100 },
  });
  return {
    name: "@square-customers/client",
    run: async (items) =>
      (await square.customers.createMany(items, { concurrency: CONCURRENCY })).map((r) => r.outcome),
  };
}

function effectImporter(token: string): Importer {
  const layer = SquareClient.layer({
    accessToken: token,
    environment: emulator.url,
    retrySchedule: defaultRetrySchedule({ maxRetries: MAX_RETRIES, baseMs: 5, maxMs: 100 }),
  }).pipe(Layer.provide(FetchHttpClient.layer));
  return {
    name: "@square-customers/client-effect",
    run: (items) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const square = yield* SquareClient;
          const results = yield* Stream.runCollect(
            square.customers.createMany(items, { concurrency: CONCURRENCY }),
          );
          return results.map((r) => r.outcome);
        }).pipe(Effect.provide(layer)),
      ),
  };
}

function count(outcomes: readonly Outcome[]): Record<Outcome, number> {
  const counts = { created: 0, rejected: 0, unknown: 0 };
  for (const o of outcomes) counts[o]++;
  return counts;
}

console.log(
  `\nImporting ${ROWS.toLocaleString("en-US")} customers per client, ${FAULT_KINDS.length} fault kinds on bulk-create ` +
    `(each ${(perKind * 100).toFixed(2)} %, any ≈ ${TOTAL_FAULT_RATE * 100} %), maxRetries ${MAX_RETRIES}, concurrency ${CONCURRENCY}`,
);
let allGood = true;
for (const make of [promiseImporter, effectImporter]) {
  const token = `bench-import-${make.name}-${Date.now()}`;
  const importer = make(token);
  current = importer.name;
  const started = performance.now();
  const first = await importer.run(rows);
  const firstMs = performance.now() - started;
  // The confirm pass: the same rows again for every one not reported created (same content, same keys).
  const again = rows.filter((_, i) => first[i] !== "created");
  const confirm = again.length === 0 ? [] : await importer.run(again);
  const finalOutcomes = [...first];
  let j = 0;
  first.forEach((o, i) => {
    if (o !== "created") finalOutcomes[i] = confirm[j++]!;
  });

  emulator.faults.set([]);
  const reader = createSquareClient({ accessToken: token, environment: emulator.url });
  const names: string[] = [];
  for await (const c of reader.customers.list()) names.push(c.given_name ?? "");
  emulator.faults.set(faults);
  const duplicates = names.length - new Set(names).size;

  const firstCounts = count(first);
  const finalCounts = count(finalOutcomes);
  const faultCounts = [...(fired.get(importer.name) ?? new Map()).entries()]
    .filter(([kind]) => kind !== "none")
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  const calls = [...(fired.get(importer.name) ?? new Map()).values()].reduce((a, b) => a + b, 0);
  console.log(`\n  ${importer.name}`);
  console.log(`    bulk-create calls ${calls}; faults fired: ${faultCounts}`);
  console.log(
    `    first run (${(firstMs / 1000).toFixed(1)} s): created ${firstCounts.created}, rejected ${firstCounts.rejected}, unknown ${firstCounts.unknown}`,
  );
  console.log(`    confirm run of the ${again.length} other rows: ${JSON.stringify(count(confirm))}`);
  console.log(
    `    reported created ${finalCounts.created} / ${ROWS}; customers in the account ${names.length}; duplicates ${duplicates}`,
  );
  const good = finalCounts.created === ROWS && names.length === ROWS && duplicates === 0;
  console.log(
    `    ${good ? "OK" : "NOT MET"}: exactly ${ROWS} customers, 0 duplicates, every row reported created`,
  );
  allGood &&= good;
}
await emulator.close();
process.exitCode = allGood ? 0 : 1;
