// `customers.createMany` with `concurrency: n` against a server whose answers take 50–1500 ms each (not a
// test: prints figures and the targets of issue 14). The emulator runs in its own thread behind a latency
// proxy that holds each request for a time drawn by a seeded generator (the same sequence for both
// clients in a round) and counts the requests in flight over time.
//
// Per client and round: how many bulk calls were in flight on average while the client still had rows to
// send (from its first request to its last; after that no client can keep n busy), the same over the
// whole import, the import's wall time, the main thread's busy time per 100-row chunk, and whether the
// results came back one per row, in input order.
// Usage (after `turbo run build`): npm run bench -- create-many
import { performance } from "node:perf_hooks";
import { type CreateManyItem, createSquareClient } from "@square-customers/client";
import { SquareClient } from "@square-customers/client-effect";
import { contentIdempotencyKey } from "@square-customers/core";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as Layer from "effect/Layer";
import * as Stream from "effect/Stream";
import { type ProxyStats, printTargets, spread, startProxiedEmulatorWorker } from "./_support.ts";

const ROWS = 2_000;
const CHUNK = 100;
const CONCURRENCY = 4;
const ROUNDS = 4;
const LATENCY = { minMs: 50, maxMs: 1500 };

const emulator = await startProxiedEmulatorWorker({ seed: 0, latency: LATENCY });
const rows: CreateManyItem[] = Array.from({ length: ROWS }, (_, i) => ({
  given_name: `Row${i}`,
  family_name: "Import",
  email_address: `row${i}@example.com`,
}));

interface Result {
  readonly index: number;
  readonly outcome: string;
  readonly item: CreateManyItem;
}

interface Importer {
  readonly name: string;
  run(token: string): Promise<readonly Result[]>;
}

const importers: Importer[] = [
  {
    name: "promise client",
    run: (token) =>
      createSquareClient({ accessToken: token, environment: emulator.proxyUrl }).customers.createMany(rows, {
        concurrency: CONCURRENCY,
      }),
  },
  {
    name: "Effect client",
    run: (token) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const square = yield* SquareClient;
          return yield* Stream.runCollect(square.customers.createMany(rows, { concurrency: CONCURRENCY }));
        }).pipe(
          Effect.provide(
            SquareClient.layer({ accessToken: token, environment: emulator.proxyUrl }).pipe(
              Layer.provide(FetchHttpClient.layer),
            ),
          ),
        ),
      ),
  },
];

/** One result per row, in input order, each for its own row, every one created. */
function inInputOrder(results: readonly Result[]): boolean {
  return (
    results.length === ROWS &&
    results.every((r, i) => r.index === i && r.item === rows[i] && r.outcome === "created")
  );
}

/** Requests in flight on average over the whole import if each were sent the moment a slot freed up. */
function idealInFlight(latencies: readonly number[]): number {
  const slots = Array<number>(CONCURRENCY).fill(0);
  for (const latency of latencies) {
    const free = slots.indexOf(Math.min(...slots));
    slots[free] = slots[free]! + latency;
  }
  return latencies.reduce((a, b) => a + b, 0) / Math.max(...slots);
}

interface Run {
  readonly seconds: number;
  readonly busyMsPerChunk: number;
  readonly stats: ProxyStats;
  readonly ordered: boolean;
}
const runs = new Map<string, Run[]>(importers.map((i) => [i.name, []]));
const ideal: number[] = [];

console.log(
  `\ncreateMany of ${ROWS} rows, chunks of ${CHUNK}, concurrency ${CONCURRENCY}, each answer ${LATENCY.minMs}–${LATENCY.maxMs} ms (${ROUNDS} rounds)`,
);
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? importers : [...importers].reverse();
  for (const importer of order) {
    await emulator.reset(round + 1);
    const busy = performance.eventLoopUtilization();
    const started = performance.now();
    const results = await importer.run(`create-many-${round}-${importer.name.replace(/\W+/g, "-")}`);
    const seconds = (performance.now() - started) / 1000;
    const { active } = performance.eventLoopUtilization(busy);
    const stats = await emulator.stats();
    const run = {
      seconds,
      busyMsPerChunk: active / stats.requests,
      stats,
      ordered: inInputOrder(results),
    };
    runs.get(importer.name)!.push(run);
    if (importer === order[0]) ideal.push(idealInFlight(stats.latencies));
    console.log(
      `  round ${round + 1}  ${importer.name.padEnd(15)} ${seconds.toFixed(2)} s  in flight ${stats.inFlightUntilLastArrival.toFixed(2)} while sending, ` +
        `${stats.inFlight.toFixed(2)} overall  busy ${run.busyMsPerChunk.toFixed(1)} ms/chunk  ${stats.requests} calls` +
        `  ${run.ordered ? "in input order" : "NOT IN INPUT ORDER"}`,
    );
  }
}
await emulator.close();

const of = (name: string, pick: (run: Run) => number) => runs.get(name)!.map(pick);
const effectRuns = runs.get("Effect client")!;
const promiseRuns = runs.get("promise client")!;
const timeRatio = spread(effectRuns.map((run, i) => run.seconds / promiseRuns[i]!.seconds));
console.log(
  `\n  ideal (each call sent the moment a slot frees): ${CONCURRENCY} in flight while sending, ${spread(ideal).median.toFixed(2)} overall`,
);
for (const name of runs.keys()) {
  const busy = spread(of(name, (r) => r.busyMsPerChunk));
  console.log(
    `  ${name.padEnd(15)} main thread busy per 100-row chunk: ${busy.median.toFixed(1)} ms (min ${busy.min.toFixed(1)}, max ${busy.max.toFixed(1)})`,
  );
}

// Content keys: what hashing a chunk's rows costs (core's contentIdempotencyKey, both clients).
const hashStarted = performance.now();
for (let pass = 0; pass < 20; pass++) for (const row of rows) contentIdempotencyKey(row);
const hashMsPerChunk = ((performance.now() - hashStarted) / (20 * ROWS)) * CHUNK;
console.log(`  content keys for one 100-row chunk: ${hashMsPerChunk.toFixed(2)} ms`);

const inFlightFormat = (v: number) => v.toFixed(2);
const formatSpread = (values: number[]) => {
  const s = spread(values);
  return `${s.median.toFixed(2)} (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`;
};
const met = printTargets("Targets (issue 14), this run:", [
  {
    label: `Effect client, calls in flight on average while sending (n = ${CONCURRENCY})`,
    measured: spread(of("Effect client", (r) => r.stats.inFlightUntilLastArrival)),
    atLeast: 0.9 * CONCURRENCY,
    format: inFlightFormat,
    note: `promise client: ${formatSpread(of("promise client", (r) => r.stats.inFlightUntilLastArrival))}; over the whole import (the last calls finish one by one): Effect ${formatSpread(of("Effect client", (r) => r.stats.inFlight))}, promise ${formatSpread(of("promise client", (r) => r.stats.inFlight))}, ideal ${formatSpread(ideal)}`,
  },
  {
    label: "Effect client, results one per row in input order (rounds not in order)",
    measured: effectRuns.filter((r) => !r.ordered).length,
    atMost: 0,
    format: (v) => v.toFixed(0),
  },
  { label: `Effect / promise client, time to import ${ROWS} rows`, measured: timeRatio, atMost: 1.1 },
]);
console.log(met ? "\nall targets met" : "\nsome targets not met (see above)");
if (![...runs.values()].flat().every((r) => r.ordered)) process.exitCode = 1;
