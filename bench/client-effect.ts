// Benchmark of @square-customers/client-effect (not a test: prints figures and the targets of issues 14
// and 20).
//  1. Per-call time of `customers.retrieve` against the emulator (own thread, 127.0.0.1): bare effect/http
//     (`HttpClient.get` + `.json`, same transport and headers), the Effect client, Square's official SDK
//     and a raw fetch, taking turns call by call. Effects are timed inside the fiber.
//  2. Checking an answer on its own, for a page of 100 customers as the emulator sends it: JSON.parse (for
//     scale), core's shape check (what both clients run on every answer), and Schema's decoder.
//  3. Bundle size (esbuild, minified, browser ESM, gzip -9) of the smallest program that provides the layer
//     and streams every customer, against the same job written by hand on effect/http: `Stream.paginate`
//     over `GET /v2/customers`, a `Schema.Struct` of the fields people read, `filterStatusOk` and
//     `retryTransient`, imports by subpath as a size-minded user writes them.
//  4. The two shortcuts the client took until issue 20 (bench/_effect-shortcuts.ts), against Effect's own
//     `Effect.timeoutOrElse` and `Effect.retry`, around an exchange that completes like I/O: what each
//     costs per call, as a share of a whole `customers.retrieve` (section 1). The client keeps a shortcut
//     only where it saves at least 10 % of a call.
//  5. Cold import time: fresh `node -e "import(…)"` processes, interleaved, against `effect/Effect` with
//     `effect/http`.
// Usage (after `turbo run build`): npm run bench -- client-effect
import { createSquareClient } from "@square-customers/client";
import { Schemas } from "@square-customers/client-effect/schemas";
import { shapeProblem } from "@square-customers/core";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Schedule from "effect/Schedule";
import * as Schema from "effect/Schema";
import { SquareClient as Official } from "square";
import { defaultClockDeadline, retryAfterFirstFailure } from "./_effect-shortcuts.ts";
import {
  bundle,
  type Contender,
  coldImports,
  effectClientRuntime,
  formatRatio,
  interleavedRounds,
  kib,
  printTargets,
  printTimes,
  roundRatios,
  spread,
  squareHeaders,
  startEmulatorWorker,
  timedPromise,
  WITHOUT_CORE_TABLES,
} from "./_support.ts";

const ROUNDS = 30;
const CALLS_PER_ROUND = 60;
const WARMUP = 300;
const DECODE_ROUNDS = 15;
const DECODES_PER_ROUND = 40;
const IMPORT_RUNS = 31;

// ── 1. per-call time ───────────────────────────────────────────────────────────────────────────────
const emulator = await startEmulatorWorker({ seed: 100 });
const token = "bench-token";
const headers = squareHeaders(token);
const { runtime, square, http } = await effectClientRuntime(emulator.url, token);
const official = new Official({ token, baseUrl: emulator.url });
const id = (await createSquareClient({ accessToken: token, environment: emulator.url }).customers.list())
  .customers![0]!.id!;

/** An Effect contender, timed inside the fiber (running the program is not part of the call). */
function timedEffect(name: string, effect: Effect.Effect<unknown, unknown>): Contender {
  const timed = Effect.suspend(() => {
    const started = performance.now();
    return Effect.map(effect, () => (performance.now() - started) * 1000);
  });
  return { name, call: () => runtime.runPromise(timed) };
}

const url = `${emulator.url}/v2/customers/${id}`;
// Each call is built when it is made, as code handling a request would build it (the client prepares the
// call then: validation, request parts).
const contenders = [
  timedEffect(
    "bare effect/http",
    Effect.suspend(() => Effect.flatMap(http.get(url, { headers }), (response) => response.json)),
  ),
  timedEffect(
    "@square-customers/client-effect",
    Effect.suspend(() => square.customers.retrieve(id)),
  ),
  timedPromise("square (official)", () => official.customers.get({ customerId: id })),
  timedPromise("raw fetch", async () => (await fetch(url, { headers })).json()),
];
const retrieved = await runtime.runPromise(square.customers.retrieve(id));
if (retrieved.customer?.id !== id) throw new Error("the Effect client did not retrieve the customer");

const times = await interleavedRounds(contenders, { rounds: ROUNDS, calls: CALLS_PER_ROUND, warmup: WARMUP });
console.log(
  `\ncustomers.retrieve, µs per call (${ROUNDS} rounds of ${CALLS_PER_ROUND} turns; each figure a round's median)`,
);
printTimes(times);
const perCall = {
  vsBare: spread(roundRatios(times, "@square-customers/client-effect", "bare effect/http")),
  vsOfficial: spread(roundRatios(times, "@square-customers/client-effect", "square (official)")),
  bareVsFetch: spread(roundRatios(times, "bare effect/http", "raw fetch")),
};
console.log(`  bare effect/http / raw fetch: ${formatRatio(perCall.bareVsFetch)} (effect/http's own work)`);

// ── 2. checking an answer on its own ───────────────────────────────────────────────────────────────
const pageText = await (await fetch(`${emulator.url}/v2/customers?limit=100`, { headers })).text();
await runtime.dispose();
await emulator.close();

const pageSchema = Schemas.ListCustomersResponse as Schema.Decoder<unknown>;
const decodeSync = Schema.decodeUnknownSync(pageSchema);
const page: unknown = JSON.parse(pageText);
const problem = shapeProblem("ListCustomersResponse", page);
if (problem !== undefined) throw new Error(`core refused a page the emulator sent: ${problem}`);
const sync = (name: string, work: () => unknown): Contender => ({
  name,
  call: async () => {
    const started = performance.now();
    work();
    return (performance.now() - started) * 1000;
  },
});
const decoding = await interleavedRounds(
  [
    sync("JSON.parse (for scale)", () => JSON.parse(pageText)),
    sync("core's shape check (both clients)", () => shapeProblem("ListCustomersResponse", page)),
    sync("Schema's decoder", () => decodeSync(page)),
  ],
  { rounds: DECODE_ROUNDS, calls: DECODES_PER_ROUND, warmup: 50 },
);
console.log(
  `\nchecking a page of 100 customers (${(pageText.length / 1024).toFixed(1)} KiB of JSON) against ListCustomersResponse, µs`,
);
printTimes(decoding, "µs per page");
const checkVsDecoder = spread(roundRatios(decoding, "core's shape check (both clients)", "Schema's decoder"));
console.log(`  core's check / Schema's decoder: ${formatRatio(checkVsDecoder)}`);

// ── 3. bundle size ─────────────────────────────────────────────────────────────────────────────────
/** The smallest useful program with the Effect client: provide the layer, stream every customer. */
const withClient = `
import { SquareClient } from "@square-customers/client-effect";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as Stream from "effect/Stream";

Effect.gen(function* () {
  const square = yield* SquareClient;
  yield* square.customers.listStream().pipe(Stream.runForEach((c) => Effect.sync(() => console.log(c.id))));
}).pipe(
  Effect.provide(SquareClient.layer({ accessToken: "token", environment: "sandbox" })),
  Effect.provide(FetchHttpClient.layer),
  Effect.runPromise,
);
`;

/** The same job written by hand on effect/http, imports by subpath. */
const handWritten = `
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as HttpClient from "effect/http/HttpClient";
import * as HttpClientRequest from "effect/http/HttpClientRequest";
import * as HttpClientResponse from "effect/http/HttpClientResponse";
import * as Option from "effect/Option";
import * as Schema from "effect/Schema";
import * as Stream from "effect/Stream";

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
    HttpClient.retryTransient({ times: 2 }),
  );
  yield* Stream.paginate(undefined as string | undefined, (cursor) =>
    client.get("/v2/customers", { urlParams: cursor ? { cursor } : {} }).pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Page)),
      Effect.map((page) => [page.customers ?? [], Option.fromNullishOr(page.cursor)] as const),
    ),
  ).pipe(Stream.runForEach((c) => Effect.sync(() => console.log(c.id))));
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise);
`;

const mine = await bundle(withClient);
const theirs = await bundle(handWritten);
console.log(
  "\nbundle of 'provide the layer, stream every customer' (esbuild --bundle --minify, browser ESM; gzip -9)",
);
console.log(
  `  by hand on effect/http     ${kib(theirs.min).padStart(10)} min  ${kib(theirs.gz).padStart(9)} min+gz`,
);
console.log(
  `  with the Effect client     ${kib(mine.min).padStart(10)} min  ${kib(mine.gz).padStart(9)} min+gz`,
);
const bundleRatio = mine.gz / theirs.gz;
// Modules the `effect` barrel used to drag into the client's bundle (issue 14): none may be there.
const barrelOnly = /\/(PubSub|Cron|NetAddress|KeyFormat|JsonSchema|Optic)\.js$|\/crypto\//;
const dragged = mine.inputs.filter((input) => barrelOnly.test(input));
console.log(
  `  modules only the effect barrel pulls in (PubSub, crypto, Cron, NetAddress, KeyFormat, JsonSchema, Optic): ${dragged.length === 0 ? "none" : dragged.join(", ")}`,
);
// Where the client's bytes go: each part is measured by leaving it out of the same program.
const part = async (stubs: Record<string, string>) =>
  mine.gz - (await bundle(withClient, "browser", stubs)).gz;
const parts = {
  "core's generated tables (operations, request constraints, answer shapes)": await part(WITHOUT_CORE_TABLES),
  "`createMany` (core's planning, Stream concurrency)": await part({
    "packages/client-effect/dist/create-many.js": "export const createMany = () => () => undefined;",
  }),
  "`layerConfig` (effect/Config)": await part({
    "effect/dist/Config.js":
      "const c = { pipe: () => c }; export const all = () => c, schema = () => c, withDefault = () => c;",
  }),
};
const rest = mine.gz - theirs.gz - Object.values(parts).reduce((a, b) => a + b, 0);
console.log(`  what the client adds, +${kib(mine.gz - theirs.gz)} min+gz:`);
for (const [name, gz] of Object.entries(parts)) console.log(`    ${kib(gz).padStart(9)}  ${name}`);
console.log(
  `    ${kib(rest).padStart(9)}  the rest: core's rules for every call (validation, attempts, messages), typed errors, the client`,
);

// ── 4. the two shortcuts, per call ─────────────────────────────────────────────────────────────────
/** An exchange that completes the way I/O does (a later turn of the event loop); it never fails. */
const exchange = Effect.callback<number, { readonly retryable: boolean }>((resume) => {
  setImmediate(() => resume(Effect.succeed(1)));
});
const limit = Duration.seconds(30);
const schedule = Schedule.recurs(2);
const inFiber = (name: string, effect: Effect.Effect<unknown, unknown>): Contender => ({
  name,
  call: () =>
    Effect.runPromise(
      Effect.suspend(() => {
        const started = performance.now();
        return Effect.map(effect, () => (performance.now() - started) * 1000);
      }),
    ),
});
const shortcutTimes = await interleavedRounds(
  [
    inFiber("the exchange alone", exchange),
    inFiber(
      "+ Effect.timeoutOrElse (the client)",
      Effect.timeoutOrElse(exchange, { duration: limit, orElse: () => Effect.succeed(0) }),
    ),
    inFiber("+ the default-Clock shortcut (until issue 20)", defaultClockDeadline(exchange, limit, 0)),
    inFiber("+ Effect.retry (the client)", Effect.retry(exchange, { schedule, while: (e) => e.retryable })),
    inFiber("+ retry set up after a failure (until issue 20)", retryAfterFirstFailure(exchange, schedule)),
  ],
  { rounds: ROUNDS, calls: CALLS_PER_ROUND, warmup: WARMUP },
);
console.log(
  `\nthe two shortcuts around an exchange, µs per call (${ROUNDS} rounds of ${CALLS_PER_ROUND} turns)`,
);
printTimes(shortcutTimes);
const clientCall = spread(times.get("@square-customers/client-effect")!).median;
/** What the shortcut saves per call, as a share of a whole client call. */
const saving = (idiom: string, shortcut: string) =>
  spread(shortcutTimes.get(idiom)!.map((t, i) => (t - shortcutTimes.get(shortcut)![i]!) / clientCall));
const savings = {
  deadline: saving("+ Effect.timeoutOrElse (the client)", "+ the default-Clock shortcut (until issue 20)"),
  retry: saving("+ Effect.retry (the client)", "+ retry set up after a failure (until issue 20)"),
};
const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
console.log(`  a whole customers.retrieve with the client: ${clientCall.toFixed(0)} µs (section 1)`);

// ── 5. cold import ─────────────────────────────────────────────────────────────────────────────────
const importTimes = await coldImports(
  {
    "node (nothing imported)": "0",
    "effect/Effect + effect/http": 'Promise.all([import("effect/Effect"), import("effect/http")])',
    "effect/Effect + effect/http/HttpClient":
      'Promise.all([import("effect/Effect"), import("effect/http/HttpClient")])',
    "@square-customers/client-effect": 'import("@square-customers/client-effect")',
  },
  IMPORT_RUNS,
);
console.log(`\ncold import (${IMPORT_RUNS} interleaved fresh node processes each)`);
printTimes(importTimes, "ms");
const coldImport = spread(
  roundRatios(importTimes, "@square-customers/client-effect", "effect/Effect + effect/http"),
);
const coldImportBySubpath = spread(
  roundRatios(importTimes, "@square-customers/client-effect", "effect/Effect + effect/http/HttpClient"),
);

const met = printTargets("Targets (issues 14 and 20), this run:", [
  {
    label: "per call, Effect client / bare effect/http",
    measured: perCall.vsBare,
    atMost: 1.15,
    note: `effect/http itself costs ${formatRatio(perCall.bareVsFetch)} of a raw fetch here`,
  },
  {
    label: "per call, Effect client / official SDK (faster: below 1)",
    measured: perCall.vsOfficial,
    atMost: 1,
  },
  {
    label: "bundle, Effect client program / hand-written effect/http program",
    measured: bundleRatio,
    atMost: 1.25,
    note:
      `1.25× leaves ${kib(0.25 * theirs.gz)} for the client; its tables and schemas alone take` +
      ` ${kib(parts["core's generated tables (operations, request constraints, answer shapes)"]!)}`,
  },
  {
    label: "the default-Clock shortcut saves, per call (issue 20: kept only from 10 %)",
    measured: savings.deadline,
    atMost: 0.1,
    format: percent,
    note: "at or over 10 %, the client should take the shortcut again",
  },
  {
    label: "setting retries up after a failure saves, per call (issue 20: kept only from 10 %)",
    measured: savings.retry,
    atMost: 0.1,
    format: percent,
    note: "at or over 10 %, the client should take the shortcut again",
  },
  {
    label: "cold import, client-effect / effect/Effect + effect/http (issue 20)",
    measured: coldImport,
    atMost: 1.1,
    note: `against effect/Effect + effect/http/HttpClient alone: ${formatRatio(coldImportBySubpath)}`,
  },
]);
console.log(met ? "\nall targets met" : "\nsome targets not met (see above)");
