// Benchmark of @square-customers/client-effect (not a test: prints figures, asserts nothing).
//  1. Per-call time against the emulator on 127.0.0.1, for a small call (retrieve one customer) and a
//     decode-heavy one (a page of 100 customers): raw fetch + JSON.parse, the promise client, the Effect
//     client.
//  2. Bundle size (esbuild, minified, gzip level 9) of the smallest program that provides the layer and
//     streams every customer, against a bare effect/http program doing the same GET, paging and decode.
// Usage (after `turbo run build`): node scripts/toolchain.mjs node bench/client-effect.ts
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createSquareClient } from "@square-customers/client";
import { SquareClient } from "@square-customers/client-effect";
import { startEmulator } from "@square-customers/emulator";
import { Effect, Layer, ManagedRuntime, Stream } from "effect";
import { FetchHttpClient } from "effect/http";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SMALL_CALLS = 300;
const PAGE_CALLS = 60;
const WARMUP = 300;

// ── per-call time ──────────────────────────────────────────────────────────────────────────────────

const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
const token = "bench-token";
const headers = {
  authorization: `Bearer ${token}`,
  "square-version": "2025-08-20",
  accept: "application/json",
};

const promiseClient = createSquareClient({ accessToken: token, environment: emulator.url });
const effectLayer = SquareClient.layer({ accessToken: token, environment: emulator.url }).pipe(
  Layer.provide(FetchHttpClient.layer),
);
const runtime = ManagedRuntime.make(effectLayer);
const effectClient = await runtime.runPromise(
  Effect.gen(function* () {
    return yield* SquareClient;
  }),
);

// 100 customers, so a first page of `listCustomers` is full.
const people = Array.from({ length: 100 }, (_, i) => ({
  given_name: `Bench${i}`,
  family_name: "Customer",
  email_address: `b${i}@example.com`,
}));
await Effect.runPromise(Stream.runDrain(effectClient.customers.createMany(people)));
const firstPage = await promiseClient.customers.list({ limit: 1 });
const id = firstPage.customers![0]!.id!;

type Workload = {
  name: string;
  calls: number;
  fetch: () => Promise<unknown>;
  promise: () => Promise<unknown>;
  effect: Effect.Effect<unknown, unknown>;
};
const workloads: Workload[] = [
  {
    name: "retrieve one customer",
    calls: SMALL_CALLS,
    fetch: async () => (await fetch(`${emulator.url}/v2/customers/${id}`, { headers })).json(),
    promise: () => Promise.resolve(promiseClient.customers.retrieve(id)),
    effect: effectClient.customers.retrieve(id),
  },
  {
    name: "list a page of 100",
    calls: PAGE_CALLS,
    fetch: async () => (await fetch(`${emulator.url}/v2/customers?limit=100`, { headers })).json(),
    promise: () => Promise.resolve(promiseClient.customers.list({ limit: 100 })),
    effect: effectClient.customers.list({ limit: 100 }),
  },
];

/** Milliseconds per call over `calls` sequential calls of a promise-returning function. */
async function timePromise(calls: number, call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await call();
  return (performance.now() - start) / calls;
}

/** The same for an Effect, run as one program (how an Effect application calls it). */
async function timeEffect(calls: number, call: Effect.Effect<unknown, unknown>): Promise<number> {
  const start = performance.now();
  await Effect.runPromise(Effect.repeat(call, { times: calls - 1 }));
  return (performance.now() - start) / calls;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms * 1000).toFixed(0).padStart(6)} µs`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

// The three contenders take turns, round after round, so that warm-up, GC and the in-process emulator
// weigh on each alike; each figure is the median of the rounds.
const ROUNDS = 7;
console.log(
  `Per-call time (median of ${ROUNDS} interleaved rounds, sequential calls, emulator on 127.0.0.1):`,
);
for (const w of workloads) {
  await timePromise(WARMUP, w.fetch);
  await timePromise(WARMUP, w.promise);
  await timeEffect(WARMUP, w.effect);
  const runs = { raw: [] as number[], promise: [] as number[], effect: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.raw.push(await timePromise(w.calls, w.fetch));
    runs.promise.push(await timePromise(w.calls, w.promise));
    runs.effect.push(await timeEffect(w.calls, w.effect));
  }
  const [raw, promise, effect] = [median(runs.raw), median(runs.promise), median(runs.effect)];
  console.log(`  ${w.name} (${ROUNDS} × ${w.calls} calls)`);
  console.log(`    raw fetch + JSON.parse   ${fmt(raw)}`);
  console.log(`    promise client           ${fmt(promise)}   ${ratio(promise, raw)} raw fetch`);
  console.log(
    `    Effect client            ${fmt(effect)}   ${ratio(effect, raw)} raw fetch, ${ratio(effect, promise)} promise client`,
  );
}
await runtime.dispose();
await emulator.close();

// ── bundle size ────────────────────────────────────────────────────────────────────────────────────

/** The smallest useful program with the Effect client: provide the layer, stream every customer. */
const withClient = `
import { SquareClient } from "@square-customers/client-effect";
import { Effect, Stream } from "effect";
import { FetchHttpClient } from "effect/http";

Effect.gen(function* () {
  const square = yield* SquareClient;
  yield* square.customers.listStream().pipe(Stream.runForEach((c) => Effect.sync(() => console.log(c.id))));
}).pipe(
  Effect.provide(SquareClient.layer({ accessToken: "token", environment: "sandbox" })),
  Effect.provide(FetchHttpClient.layer),
  Effect.runPromise,
);
`;

/** The same GET, paging and decode, written directly on effect/http with a hand-written schema. */
const bare = `
import { Effect, Option, Schema, Stream } from "effect";
import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "effect/http";

const text = Schema.optional(Schema.NullOr(Schema.String));
const Customer = Schema.Struct({
  id: Schema.String, created_at: Schema.optional(Schema.String), updated_at: Schema.optional(Schema.String),
  given_name: text, family_name: text, nickname: text, company_name: text, email_address: text,
  phone_number: text, birthday: text, reference_id: text, note: text,
  address: Schema.optional(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown))),
  preferences: Schema.optional(Schema.NullOr(Schema.Struct({ email_unsubscribed: Schema.optional(Schema.NullOr(Schema.Boolean)) }))),
  creation_source: text, group_ids: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  segment_ids: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))), version: Schema.optional(Schema.Number),
  tax_ids: Schema.optional(Schema.NullOr(Schema.Struct({ eu_vat: text }))),
});
const Page = Schema.Struct({ customers: Schema.optional(Schema.Array(Customer)), cursor: Schema.optional(Schema.String) });

Effect.gen(function* () {
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest((r) => r.pipe(
      HttpClientRequest.prependUrl("https://connect.squareupsandbox.com"),
      HttpClientRequest.bearerToken("token"),
      HttpClientRequest.setHeader("square-version", "2025-08-20"),
    )),
    HttpClient.filterStatusOk,
  );
  yield* Stream.paginate(undefined as string | undefined, (cursor) =>
    client.get("/v2/customers", { urlParams: cursor ? { cursor } : {} }).pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Page)),
      Effect.map((page) => [page.customers ?? [], Option.fromNullishOr(page.cursor)] as const),
    ),
  ).pipe(Stream.runForEach((c) => Effect.sync(() => console.log(c.id))));
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise);
`;

async function bundleSize(contents: string): Promise<{ min: number; gz: number }> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "error",
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gz: gzipSync(code, { level: 9 }).byteLength };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(6)} KiB`;
const mine = await bundleSize(withClient);
const theirs = await bundleSize(bare);
console.log("\nBundle size (esbuild --bundle --minify, browser ESM; gzip -9):");
console.log(`  bare effect/http program   ${kb(theirs.min)} min   ${kb(theirs.gz)} min+gz`);
console.log(`  with the Effect client     ${kb(mine.min)} min   ${kb(mine.gz)} min+gz`);
console.log(
  `  ratio                      ${ratio(mine.min, theirs.min).padStart(10)} min   ${ratio(mine.gz, theirs.gz).padStart(10)} min+gz` +
    `   (+${kb(mine.gz - theirs.gz).trim()} gz)`,
);
