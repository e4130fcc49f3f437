// Paging through 50,000 customers (not a test: prints figures and the targets of issue 14). The emulator
// runs in its own thread with 50,000 seeded customers; every contender reads all of them, page by page
// (Square's default page of 100), and counts them:
//   - a hand-written fetch loop (the baseline),
//   - ky alone, in the same loop (the promise client's transport, on its own),
//   - effect/http alone: `Stream.paginate` over `HttpClient.get` + `.json` (the Effect client's transport),
//   - the promise client's async iterator, `for await (const c of square.customers.list())`,
//   - the Effect client's `customers.listStream()`.
// Whole passes are interleaved round by round; each ratio is taken within a round. A separate pass per
// contender forces a GC every 10,000 customers and records the heap's growth over what it was before the
// pass: a client that held the customers it has handed out would grow by tens of MB.
// Usage (after `turbo run build`): npm run bench -- paging

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createSquareClient } from "@square-customers/client";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Stream from "effect/Stream";
import ky from "ky";
import {
  effectClientRuntime,
  formatRatio,
  printTargets,
  printTimes,
  roundRatios,
  spread,
  squareHeaders,
  startEmulatorWorker,
} from "./_support.ts";

const CUSTOMERS = 50_000;
const ROUNDS = 7;
const HEAP_SAMPLE_EVERY = 10_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const emulator = await startEmulatorWorker({ seed: CUSTOMERS });
const token = "bench-paging";
const headers = squareHeaders(token);
const { runtime, square, http } = await effectClientRuntime(emulator.url, token);
const promiseClient = createSquareClient({ accessToken: token, environment: emulator.url });
const bareKy = ky.create({ prefix: emulator.url, headers });

interface Page {
  readonly customers?: ReadonlyArray<{ readonly id?: string }>;
  readonly cursor?: string;
}

/** What every contender does with each customer: count it, and hand it to the heap sampler. */
type Sink = (customer: { readonly id?: string }) => void;

const contenders: Record<string, (sink: Sink) => Promise<void>> = {
  "fetch loop": async (sink) => {
    let cursor: string | undefined;
    do {
      const query = cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`;
      const page = (await (await fetch(`${emulator.url}/v2/customers${query}`, { headers })).json()) as Page;
      for (const customer of page.customers ?? []) sink(customer);
      cursor = page.cursor;
    } while (cursor !== undefined);
  },
  "ky alone": async (sink) => {
    let cursor: string | undefined;
    do {
      const searchParams = cursor === undefined ? {} : { cursor };
      const page = await bareKy.get("v2/customers", { searchParams }).json<Page>();
      for (const customer of page.customers ?? []) sink(customer);
      cursor = page.cursor;
    } while (cursor !== undefined);
  },
  "effect/http alone": (sink) =>
    runtime.runPromise(
      Stream.paginate(undefined as string | undefined, (cursor) =>
        http.get(`${emulator.url}/v2/customers`, { headers, urlParams: cursor ? { cursor } : {} }).pipe(
          Effect.flatMap((response) => response.json),
          Effect.map((json) => {
            const page = json as Page;
            return [page.customers ?? [], Option.fromNullishOr(page.cursor)] as const;
          }),
        ),
      ).pipe(Stream.runForEach((customer) => Effect.sync(() => sink(customer)))),
    ),
  "promise client (for await)": async (sink) => {
    for await (const customer of promiseClient.customers.list()) sink(customer);
  },
  "Effect client (listStream)": (sink) =>
    runtime.runPromise(
      square.customers.listStream().pipe(Stream.runForEach((customer) => Effect.sync(() => sink(customer)))),
    ),
};

/** One pass of `contender`: how long it took (ms), after checking it saw every customer once. */
async function pass(name: string, contender: (sink: Sink) => Promise<void>, onItem?: Sink): Promise<number> {
  const ids = new Set<string>();
  const started = performance.now();
  await contender((customer) => {
    ids.add(customer.id!);
    onItem?.(customer);
  });
  const ms = performance.now() - started;
  if (ids.size !== CUSTOMERS) throw new Error(`${name} saw ${ids.size} customers, not ${CUSTOMERS}`);
  return ms;
}

// The first request seeds the merchant; every contender then makes one pass to warm up.
const seeding = performance.now();
await fetch(`${emulator.url}/v2/customers?limit=1`, { headers });
console.log(
  `\n${CUSTOMERS.toLocaleString("en-US")} customers seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
);
for (const [name, contender] of Object.entries(contenders)) await pass(name, contender);

const times = new Map(Object.keys(contenders).map((name) => [name, [] as number[]]));
const names = Object.keys(contenders);
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length]!;
    times.get(name)!.push(await pass(name, contenders[name]!));
  }
}
console.log(`\nreading all ${CUSTOMERS.toLocaleString("en-US")} customers (${ROUNDS} interleaved rounds)`);
printTimes(times, "ms per pass");
const ratio = (name: string, base = "fetch loop") => spread(roundRatios(times, name, base));
const ratios = {
  promise: ratio("promise client (for await)"),
  effect: ratio("Effect client (listStream)"),
  ky: ratio("ky alone"),
  effectHttp: ratio("effect/http alone"),
  promiseVsKy: ratio("promise client (for await)", "ky alone"),
  effectVsHttp: ratio("Effect client (listStream)", "effect/http alone"),
};
console.log(
  `  vs the fetch loop:  ky alone ${formatRatio(ratios.ky)}, effect/http alone ${formatRatio(ratios.effectHttp)}`,
);
console.log(
  `  vs own transport:   promise client / ky ${formatRatio(ratios.promiseVsKy)}, Effect client / effect/http ${formatRatio(ratios.effectVsHttp)}`,
);

// Heap: growth after a forced GC, sampled while each pass is under way.
const growth = new Map<string, number>();
for (const [name, contender] of Object.entries(contenders)) {
  gc();
  const before = process.memoryUsage().heapUsed;
  let seen = 0;
  let worst = 0;
  await pass(name, contender, () => {
    if (++seen % HEAP_SAMPLE_EVERY !== 0) return;
    gc();
    worst = Math.max(worst, process.memoryUsage().heapUsed - before);
  });
  growth.set(name, worst);
}
console.log(
  `\nheap growth during a pass, after a forced GC every ${HEAP_SAMPLE_EVERY.toLocaleString("en-US")} customers`,
);
for (const [name, bytes] of growth)
  console.log(`  ${name.padEnd(28)} ${(bytes / 1024 / 1024).toFixed(2).padStart(6)} MB`);

await runtime.dispose();
await emulator.close();

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const met = printTargets("Targets (issue 14), this run:", [
  {
    label: "paging 50,000: promise client / fetch loop",
    measured: ratios.promise,
    atMost: 1.05,
    note: `ky alone is ${formatRatio(ratios.ky)} of the fetch loop: its per-request work is the floor for a client on ky; the client is ${formatRatio(ratios.promiseVsKy)} of ky alone`,
  },
  {
    label: "paging 50,000: Effect client / fetch loop",
    measured: ratios.effect,
    atMost: 1.15,
    note: `effect/http alone is ${formatRatio(ratios.effectHttp)} of the fetch loop; the client is ${formatRatio(ratios.effectVsHttp)} of effect/http alone`,
  },
  {
    label: "heap growth, promise client",
    measured: growth.get("promise client (for await)")!,
    atMost: 10 * 1024 * 1024,
    format: mb,
  },
  {
    label: "heap growth, Effect client",
    measured: growth.get("Effect client (listStream)")!,
    atMost: 10 * 1024 * 1024,
    format: mb,
  },
]);
console.log(met ? "\nall targets met" : "\nsome targets not met (see above)");
