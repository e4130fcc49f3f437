// What the benchmarks share (not a benchmark itself: run.ts skips files starting with "_"): the emulator
// in a worker thread, interleaved rounds, min/median/max, bundle sizes, and the targets of issue 14
// printed beside what was measured.
//
// The machine is small (2 cores) and shared, so every timing is taken in rounds that interleave the
// contenders (a busy moment slows all of them alike), the starting contender rotates from round to round,
// and a ratio is taken within each round before the median over rounds is reported.
import { execFile } from "node:child_process";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { SquareClient, type SquareClientShape } from "@square-customers/client-effect";
import * as Effect from "effect/Effect";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as HttpClient from "effect/http/HttpClient";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { build } from "esbuild";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface EmulatorHandle {
  readonly url: string;
  close(): Promise<void>;
}

/** The emulator in its own thread (`seed`: customers each new merchant starts with). */
export async function startEmulatorWorker(options: { seed?: number } = {}): Promise<EmulatorHandle> {
  const { worker, url } = await startWorker(options);
  return { url, close: () => closeWorker(worker) };
}

/** What the latency proxy saw since its last reset. */
export interface ProxyStats {
  readonly requests: number;
  /** Each request's latency, in arrival order (ms). */
  readonly latencies: readonly number[];
  /** From the first arrival to the last answer. */
  readonly seconds: number;
  /** Requests in flight on average, from the first arrival to the last answer. */
  readonly inFlight: number;
  /** The same, up to the last arrival: while the client still had requests to send. */
  readonly inFlightUntilLastArrival: number;
}

export interface ProxiedEmulator extends EmulatorHandle {
  /** The proxy's URL: each request waits a latency drawn from [minMs, maxMs], then reaches the emulator. */
  readonly proxyUrl: string;
  /** Restarts the latency sequence (the same `seed` gives the same latencies in the same order) and the counts. */
  reset(seed: number): Promise<void>;
  stats(): Promise<ProxyStats>;
}

/** The emulator in its own thread behind a latency proxy (same thread), which counts requests in flight. */
export async function startProxiedEmulatorWorker(options: {
  seed?: number;
  latency: { minMs: number; maxMs: number };
}): Promise<ProxiedEmulator> {
  const { worker, url, proxyUrl } = await startWorker(options);
  const ask = <T>(message: unknown) =>
    new Promise<T>((answer) => {
      worker.once("message", answer);
      worker.postMessage(message);
    });
  return {
    url,
    proxyUrl: proxyUrl!,
    close: () => closeWorker(worker),
    reset: async (seed) => {
      await ask({ type: "reset", seed });
    },
    stats: () => ask<ProxyStats>({ type: "stats" }),
  };
}

async function startWorker(data: object): Promise<{ worker: Worker; url: string; proxyUrl?: string }> {
  const worker = new Worker(new URL("./_emulator-worker.ts", import.meta.url), { workerData: data });
  const started = await new Promise<{ url: string; proxyUrl?: string }>((ready, fail) => {
    worker.once("message", ready);
    worker.once("error", fail);
  });
  return { worker, ...started };
}

async function closeWorker(worker: Worker): Promise<void> {
  await new Promise((closed) => {
    worker.once("message", closed);
    worker.postMessage("close");
  });
  await worker.terminate();
}

/** The headers a hand-written client sends to the emulator with `token`. */
export const squareHeaders = (token: string) => ({
  authorization: `Bearer ${token}`,
  "square-version": "2025-08-20",
  accept: "application/json",
});

/**
 * A runtime holding the Effect client for `token` on `url` over fetch, with the client and the bare
 * `HttpClient` it runs on (for contenders that use effect/http alone).
 */
export async function effectClientRuntime(url: string, token: string) {
  const runtime = ManagedRuntime.make(
    SquareClient.layer({ accessToken: token, environment: url }).pipe(
      Layer.provideMerge(FetchHttpClient.layer),
    ),
  );
  const services = await runtime.runPromise(
    Effect.gen(function* () {
      return { square: yield* SquareClient, http: yield* HttpClient.HttpClient };
    }),
  );
  return { runtime, ...services } as {
    runtime: typeof runtime;
    square: SquareClientShape;
    http: HttpClient.HttpClient;
  };
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)! };
}

/** `1.08× (min 0.97, max 1.31)` */
export function formatRatio(s: Spread): string {
  return `${s.median.toFixed(2)}× (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`;
}

/**
 * A contender: `call()` makes one call and resolves with how long it took in µs. Effect contenders time
 * the effect inside the fiber, so running it adds nothing to the figure.
 */
export interface Contender {
  readonly name: string;
  call(): PromiseLike<number>;
}

/** A contender from a promise-returning call. */
export function timedPromise(name: string, call: () => PromiseLike<unknown>): Contender {
  return {
    name,
    call: async () => {
      const started = performance.now();
      await call();
      return (performance.now() - started) * 1000;
    },
  };
}

/**
 * Time per call (µs) of each contender, one median per round. The contenders take turns call by call (the
 * first of each turn rotating), so a busy moment of the machine hits all of them alike; a round's median
 * ignores the calls that such a moment stretched.
 */
export async function interleavedRounds(
  contenders: readonly Contender[],
  options: { rounds: number; calls: number; warmup: number },
): Promise<Map<string, number[]>> {
  for (const contender of contenders) for (let i = 0; i < options.warmup; i++) await contender.call();
  const perRound = new Map(contenders.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < options.rounds; round++) {
    const calls = contenders.map(() => [] as number[]);
    for (let turn = 0; turn < options.calls; turn++) {
      for (let i = 0; i < contenders.length; i++) {
        const index = (turn + i) % contenders.length;
        calls[index]!.push(await contenders[index]!.call());
      }
    }
    contenders.forEach((c, i) => {
      perRound.get(c.name)!.push(spread(calls[i]!).median);
    });
  }
  return perRound;
}

/** The ratio `numerator / denominator` of each round. */
export function roundRatios(times: Map<string, number[]>, numerator: string, denominator: string): number[] {
  const top = times.get(numerator)!;
  const bottom = times.get(denominator)!;
  return top.map((t, i) => t / bottom[i]!);
}

/** A table of µs per call: min, median, max over rounds. */
export function printTimes(times: Map<string, number[]>, unit = "µs per call"): void {
  const width = Math.max(...[...times.keys()].map((name) => name.length)) + 2;
  console.log(
    `  ${"".padEnd(width)}${"min".padStart(8)}${"median".padStart(8)}${"max".padStart(8)}   ${unit}`,
  );
  const digits = Math.max(...[...times.values()].flat()) < 100 ? 1 : 0;
  for (const [name, values] of times) {
    const s = spread(values);
    const cells = [s.min, s.median, s.max].map((v) => v.toFixed(digits).padStart(8)).join("");
    console.log(`  ${name.padEnd(width)}${cells}`);
  }
}

/** How every bundle here is built: `code` as the program, minified ESM for `platform`, nothing written. */
function bundleOptions(code: string, platform: "browser" | "node") {
  return {
    absWorkingDir: root,
    metafile: true,
    stdin: { contents: code, resolveDir: root, sourcefile: "program.ts", loader: "ts" as const },
    bundle: true,
    minify: true,
    format: "esm" as const,
    platform,
    target: "es2022",
    write: false,
    logLevel: "silent" as const,
  };
}

/**
 * esbuild bundle (minified, ESM, browser unless told), and its size gzipped at level 9. `stubs` replaces
 * modules whose path ends with a key by the given source: what the bundle is without them.
 */
export async function bundle(
  code: string,
  platform: "browser" | "node" = "browser",
  stubs: Readonly<Record<string, string>> = {},
): Promise<{ bytes: Uint8Array; min: number; gz: number; inputs: string[] }> {
  const out = await build({
    ...bundleOptions(code, platform),
    plugins: [
      {
        name: "stubs",
        setup(build) {
          build.onLoad({ filter: /\.js$/ }, (args) => {
            const stub = Object.entries(stubs).find(([suffix]) => args.path.endsWith(suffix));
            return stub === undefined ? undefined : { contents: stub[1], loader: "js" };
          });
        },
      },
    ],
  });
  const bytes = out.outputFiles[0]!.contents;
  const inputs = Object.values(out.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  return { bytes, min: bytes.byteLength, gz: gzipSync(bytes, { level: 9 }).byteLength, inputs };
}

/** One file of a split bundle: its name, its size minified and gzipped (-9), and the modules in it. */
export interface BundleFile {
  readonly name: string;
  readonly min: number;
  readonly gz: number;
  readonly inputs: readonly string[];
}

/**
 * `code` bundled as browsers get it from bundlers that split at `import()` (Vite, Rollup, esbuild with
 * splitting): what the program loads before it runs (the entry and the chunks it imports, each gzipped on
 * its own, as each is sent), and the chunks it loads only when it asks for them.
 */
export async function splitBundle(
  code: string,
  platform: "browser" | "node" = "browser",
): Promise<{ eager: BundleFile[]; onDemand: BundleFile[] }> {
  const out = await build({
    ...bundleOptions(code, platform),
    splitting: true,
    outdir: join(root, "bench", ".split-bundle"), // nothing is written: write is false
  });
  const files = new Map(
    out.outputFiles.map((file) => {
      const meta = out.metafile.outputs[relative(root, file.path)]!;
      const gz = gzipSync(file.contents, { level: 9 }).byteLength;
      const info = {
        name: basename(file.path),
        min: file.contents.byteLength,
        gz,
        inputs: Object.keys(meta.inputs),
      };
      return [relative(root, file.path), { info, imports: meta.imports }] as const;
    }),
  );
  const eager = new Set<string>();
  const visit = (path: string): void => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const { path: next, kind } of files.get(path)!.imports) if (kind === "import-statement") visit(next);
  };
  visit([...files.keys()].find((path) => path.endsWith("stdin.js"))!);
  const pick = (inEager: boolean) =>
    [...files].filter(([path]) => eager.has(path) === inEager).map(([, { info }]) => info);
  return { eager: pick(true), onDemand: pick(false) };
}

/**
 * Cold import times (ms) of each contender: `node -e <code>` in a fresh process, round-robin (one process
 * of each per round), so load drift hits all alike.
 */
export async function coldImports(
  codes: Record<string, string>,
  runs: number,
): Promise<Map<string, number[]>> {
  const run = promisify(execFile);
  const times = new Map(Object.keys(codes).map((name) => [name, [] as number[]]));
  for (let i = 0; i < runs; i++) {
    for (const [name, code] of Object.entries(codes)) {
      const started = performance.now();
      await run(process.execPath, ["-e", code], { cwd: root });
      times.get(name)!.push(performance.now() - started);
    }
  }
  return times;
}

/** Core's generated tables replaced by empty ones: what they cost a bundle is the difference. */
export const WITHOUT_CORE_TABLES = {
  "packages/core/dist/generated/operations.js": "export const operations = {};",
  "packages/core/dist/generated/schemas.js": "export const requestSchemas = {};",
  "packages/core/dist/generated/answer-shapes.js": "export const answerShapes = {};",
  "packages/core/dist/generated/event-shapes.js": "export const eventShapes = {};",
};

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export interface Target {
  readonly label: string;
  /** The measured ratio (or a single value, when there are no rounds). */
  readonly measured: Spread | number;
  /** Met when the median is at most this… */
  readonly atMost?: number;
  /** …or at least this. */
  readonly atLeast?: number;
  /** Printed after the verdict: what the number is, the floor, why it is not met. */
  readonly note?: string;
  /** How to print the numbers (default: a ratio, `1.08×`). */
  readonly format?: (value: number) => string;
}

/** The targets of an issue, each beside what this run measured; returns whether all were met. */
export function printTargets(title: string, targets: readonly Target[]): boolean {
  console.log(`\n${title}`);
  let all = true;
  for (const target of targets) {
    const format = target.format ?? ((v: number) => `${v.toFixed(2)}×`);
    const value = typeof target.measured === "number" ? target.measured : target.measured.median;
    const met =
      (target.atMost === undefined || value <= target.atMost) &&
      (target.atLeast === undefined || value >= target.atLeast);
    all &&= met;
    const range =
      typeof target.measured === "number"
        ? ""
        : ` (min ${format(target.measured.min)}, max ${format(target.measured.max)})`;
    // A figure with no bound is reported for scale, not judged.
    const bounds = bound(target, format);
    const verdict = bounds === "" ? "measured" : met ? "met     " : "NOT MET ";
    console.log(
      `  ${verdict} ${target.label}: ${format(value)}${range}${bounds === "" ? "" : `, target ${bounds}`}`,
    );
    if (target.note) console.log(`           ${target.note}`);
  }
  return all;
}

function bound(target: Target, format: (value: number) => string): string {
  const bounds: string[] = [];
  if (target.atLeast !== undefined) bounds.push(`≥ ${format(target.atLeast)}`);
  if (target.atMost !== undefined) bounds.push(`≤ ${format(target.atMost)}`);
  return bounds.join(" and ");
}
