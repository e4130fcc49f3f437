// Paging through 50,000 customers (not a test: prints figures and the targets of issue 14). The emulator
// runs in its own thread with 50,000 seeded customers; every contender reads all of them, page by page
// (Square's default page of 100), and counts them:
//   - a hand-written fetch loop (the baseline),
//   - ky alone, in the same loop (the promise client's transport, on its own),
//   - effect/http alone: `Stream.paginate` over `HttpClient.get` + `.json` (the Effect client's transport),
//   - the promise client's async iterator, `for await (const c of square.customers.list())`,
//   - the Effect client's `customers.listStream()`.
// In each round the walks advance together, a page of each in turn, and each ratio compares the median
// time per page within the round (the machine is shared: whole passes timed one after another moved by a
// fifth from run to run). The Effect contenders are pulled a chunk (a page) at a time, the promise client
// `PAGE` items at a time, which is what `runForEach` and `for await` do. A separate pass per contender
// forces a GC every 10,000 customers and records the heap's growth over what it was before the pass: a
// client that held the customers it has handed out would grow by tens of MB.
// Usage (after `turbo run build`): npm run bench -- paging
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createSquareClient } from "@square-customers/client";
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Option from "effect/Option";
import * as Pull from "effect/Pull";
import * as Scope from "effect/Scope";
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
/** Square's default page size (the emulator's too): every contender asks for the default. */
const PAGE = 100;

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

/** One contender's walk through all customers, a page at a time. */
interface Walker {
  /** Reads the next page and hands its customers to the sink; how many there were (0: none left). */
  step(): Promise<number>;
  close(): Promise<void>;
}

/** A hand-written loop: `fetchPage(cursor)` for each page until there is no cursor. */
function loopWalker(fetchPage: (cursor: string | undefined) => Promise<Page>, sink: Sink): Walker {
  let cursor: string | undefined;
  let done = false;
  return {
    step: async () => {
      if (done) return 0;
      const page = await fetchPage(cursor);
      for (const customer of page.customers ?? []) sink(customer);
      cursor = page.cursor;
      done = cursor === undefined;
      return page.customers?.length ?? 0;
    },
    close: async () => {},
  };
}

/** An async iterable, `PAGE` items per step: what `for await` does, in steps. */
function iteratorWalker(items: AsyncIterable<{ readonly id?: string }>, sink: Sink): Walker {
  const iterator = items[Symbol.asyncIterator]();
  return {
    step: async () => {
      for (let n = 0; n < PAGE; n++) {
        const next = await iterator.next();
        if (next.done) return n;
        sink(next.value);
      }
      return PAGE;
    },
    close: async () => {
      await iterator.return?.();
    },
  };
}

/** A Stream, pulled a chunk at a time (`Stream.paginate` emits a page as one chunk). */
async function streamWalker(
  stream: Stream.Stream<{ readonly id?: string }, unknown>,
  sink: Sink,
): Promise<Walker> {
  const scope = Scope.makeUnsafe();
  const pull = await runtime.runPromise(Scope.provide(Stream.toPull(stream), scope));
  const step = Effect.matchCause(pull, {
    onSuccess: (chunk) => {
      for (const customer of chunk) sink(customer);
      return chunk.length;
    },
    onFailure: (cause) => {
      if (Pull.isDoneCause(cause)) return 0;
      throw Cause.squash(cause);
    },
  });
  return {
    step: () => runtime.runPromise(step),
    close: () => runtime.runPromise(Scope.close(scope, Exit.void)),
  };
}

const contenders: Record<string, (sink: Sink) => Walker | Promise<Walker>> = {
  "fetch loop": (sink) =>
    loopWalker(async (cursor) => {
      const query = cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`;
      return (await (await fetch(`${emulator.url}/v2/customers${query}`, { headers })).json()) as Page;
    }, sink),
  "ky alone": (sink) =>
    loopWalker(
      (cursor) =>
        bareKy.get("v2/customers", { searchParams: cursor === undefined ? {} : { cursor } }).json<Page>(),
      sink,
    ),
  "effect/http alone": (sink) =>
    streamWalker(
      Stream.paginate(undefined as string | undefined, (cursor) =>
        http.get(`${emulator.url}/v2/customers`, { headers, urlParams: cursor ? { cursor } : {} }).pipe(
          Effect.flatMap((response) => response.json),
          Effect.map((json) => {
            const page = json as Page;
            return [page.customers ?? [], Option.fromNullishOr(page.cursor)] as const;
          }),
        ),
      ),
      sink,
    ),
  "promise client (for await)": (sink) => iteratorWalker(promiseClient.customers.list(), sink),
  "Effect client (listStream)": (sink) => streamWalker(square.customers.listStream(), sink),
};
const names = Object.keys(contenders);

/** A sink that counts distinct customers, for checking that a walk saw each one once. */
function counting(onItem?: Sink): { sink: Sink; seen: Set<string> } {
  const seen = new Set<string>();
  return {
    seen,
    sink: (customer) => {
      seen.add(customer.id!);
      onItem?.(customer);
    },
  };
}

function checkSawAll(name: string, seen: Set<string>): void {
  if (seen.size !== CUSTOMERS) throw new Error(`${name} saw ${seen.size} customers, not ${CUSTOMERS}`);
}

/** One walk of `name` on its own, to the end. */
async function pass(name: string, onItem?: Sink): Promise<void> {
  const { sink, seen } = counting(onItem);
  const walker = await contenders[name]!(sink);
  while ((await walker.step()) > 0);
  await walker.close();
  checkSawAll(name, seen);
}

/**
 * One round: every contender walks all customers, the walks advancing together, a page of each in turn
 * (the first of each turn rotating), so that a busy moment of the machine slows them all alike. Returns
 * each contender's time per page (µs), every page.
 */
async function round(first: number): Promise<Map<string, number[]>> {
  const walks = await Promise.all(
    names.map(async (name) => {
      const { sink, seen } = counting();
      return { name, seen, walker: await contenders[name]!(sink), pages: [] as number[], done: false };
    }),
  );
  for (let turn = first; walks.some((w) => !w.done); turn++) {
    for (let i = 0; i < walks.length; i++) {
      const walk = walks[(turn + i) % walks.length]!;
      if (walk.done) continue;
      const started = performance.now();
      const items = await walk.walker.step();
      if (items > 0) walk.pages.push((performance.now() - started) * 1000);
      else walk.done = true;
    }
  }
  for (const walk of walks) {
    await walk.walker.close();
    checkSawAll(walk.name, walk.seen);
  }
  return new Map(walks.map((w) => [w.name, w.pages]));
}

// The first request seeds the merchant; every contender then makes one pass to warm up.
const seeding = performance.now();
await fetch(`${emulator.url}/v2/customers?limit=1`, { headers });
console.log(
  `\n${CUSTOMERS.toLocaleString("en-US")} customers seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
);
for (const name of names) await pass(name);

const passMs = new Map(names.map((name) => [name, [] as number[]]));
const pageTimes = new Map(names.map((name) => [name, [] as number[]]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, pages] of await round(r)) {
    passMs.get(name)!.push(pages.reduce((a, b) => a + b, 0) / 1000);
    pageTimes.get(name)!.push(spread(pages).median);
  }
}
console.log(
  `\nreading all ${CUSTOMERS.toLocaleString("en-US")} customers, ${CUSTOMERS / PAGE} pages of ${PAGE}, the contenders taking turns page by page (${ROUNDS} rounds)`,
);
printTimes(passMs, "ms per pass (its pages added up)");
console.log("");
printTimes(pageTimes, "µs per page (a round's median)");
const ratio = (name: string, base = "fetch loop") => spread(roundRatios(pageTimes, name, base));
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
for (const name of names) {
  gc();
  const before = process.memoryUsage().heapUsed;
  let seen = 0;
  let worst = 0;
  await pass(name, () => {
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
