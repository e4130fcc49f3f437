// Benchmark of the emulator's webhook delivery (not a test: prints figures beside their targets, asserts
// nothing). Each emulator runs as its own process (the package's bin); the receivers run here.
//  1. What webhooks cost the API: createCustomer from CONCURRENCY loops against three emulators — no
//     webhooks (the baseline), every event delivered to a receiver that answers at once, and every event
//     delivered to a receiver that never answers (each delivery waits out the 10 s timeout). Rounds
//     alternate between the three so their ratios compare like with like on a shared machine. Target:
//     the hanging receiver's p50 at most 1.5× the baseline's (the API never waits on a receiver).
//  2. Delivery throughput: DELIVERY_CUSTOMERS customers bulk-created (100 a call) with a receiver that
//     answers at once: events delivered per second, and how long after the last write the last event
//     arrives.
// Run: `npm run bench -- webhooks` (builds first).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url));
const ROUNDS = 6;
const ROUND_SECONDS = 1;
const CONCURRENCY = 4;
const DELIVERY_CUSTOMERS = 5_000;
const TOKEN = "bench-webhooks";
const KEY = "bench-signature-key";
const TARGET_HANGING_RATIO = 1.5;

interface Emulator {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly latencies: number[];
}

/** A receiver: answers each delivery at once (`fast`), or holds it without answering (`hanging`). */
async function receiver(
  kind: "fast" | "hanging",
): Promise<{ url: string; server: Server; received: () => number }> {
  let received = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      if (kind === "fast") res.writeHead(200).end();
      else held.push(res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    server,
    received: () => received,
  };
}

async function emulator(name: string, args: string[]): Promise<Emulator> {
  const child = spawn(process.execPath, [BIN, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`${name}: exited with ${code}: ${out}`)));
  });
  return { name, url, child, latencies: [] };
}

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** createCustomer from CONCURRENCY loops for ROUND_SECONDS; each call's latency goes to `e.latencies`. */
async function round(e: Emulator): Promise<void> {
  const end = performance.now() + ROUND_SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await post(`${e.url}/v2/customers`, {
          given_name: `Bench ${n++}`,
          email_address: "bench@example.com",
        });
        e.latencies.push(performance.now() - started);
      }
    }),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function stop(e: Emulator): Promise<void> {
  const exited = once(e.child, "exit");
  e.child.kill("SIGTERM");
  await exited;
}

async function apiCost(): Promise<void> {
  const fast = await receiver("fast");
  const hanging = await receiver("hanging");
  const hooks = (url: string) => ["--webhook-url", url, "--webhook-signature-key", KEY];
  const emulators = [
    await emulator("no webhooks (baseline)", []),
    await emulator("receiver answers at once", hooks(fast.url)),
    await emulator("receiver never answers", hooks(hanging.url)),
  ];
  for (const e of emulators) await round(e); // warm-up, not counted
  for (const e of emulators) e.latencies.length = 0;
  for (let r = 0; r < ROUNDS; r++) for (const e of emulators) await round(e);

  const queue = await fetch(
    `${emulators[2]!.url}/_emulator/webhooks/deliveries?after=${Number.MAX_SAFE_INTEGER}`,
  )
    .then((res) => res.json())
    .then((body: { queue: { pending: number; sending: number; dropped: number } }) => body.queue);
  const baseline = percentile(
    [...emulators[0]!.latencies].sort((a, b) => a - b),
    50,
  );
  console.log(
    `\n1. createCustomer, ${CONCURRENCY} at a time, ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s each`,
  );
  console.log("   emulator                   requests   req/s    p50 ms   p99 ms   p50 vs baseline");
  for (const e of emulators) {
    const sorted = [...e.latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    console.log(
      `   ${e.name.padEnd(26)} ${String(sorted.length).padStart(8)} ${(sorted.length / (ROUNDS * ROUND_SECONDS)).toFixed(0).padStart(7)} ` +
        `${p50.toFixed(2).padStart(9)} ${percentile(sorted, 99).toFixed(2).padStart(8)}   ${(p50 / baseline).toFixed(2)}×`,
    );
  }
  const hangingP50 = percentile(
    [...emulators[2]!.latencies].sort((a, b) => a - b),
    50,
  );
  console.log(
    `   hanging receiver: p50 ${(hangingP50 / baseline).toFixed(2)}× the baseline (target ≤ ${TARGET_HANGING_RATIO}×) ` +
      `${hangingP50 / baseline <= TARGET_HANGING_RATIO ? "met" : "NOT met"}; ` +
      `it held ${hanging.received()} deliveries; queue then: ${queue.pending} pending, ${queue.sending} in flight, ` +
      `${queue.dropped} dropped (bounded at 10,000)`,
  );
  console.log(`   fast receiver: ${fast.received()} events received during the rounds`);
  for (const e of emulators) await stop(e);
  for (const r of [fast, hanging]) {
    r.server.closeAllConnections();
    r.server.close();
  }
}

async function deliveryThroughput(): Promise<void> {
  const fast = await receiver("fast");
  const e = await emulator("throughput", ["--webhook-url", fast.url, "--webhook-signature-key", KEY]);
  const started = performance.now();
  for (let i = 0; i < DELIVERY_CUSTOMERS / 100; i++) {
    const customers = Object.fromEntries(
      Array.from({ length: 100 }, (_, j) => [`k${i}-${j}`, { given_name: `Bulk ${i}-${j}` }]),
    );
    await post(`${e.url}/v2/customers/bulk-create`, { customers });
  }
  const written = performance.now();
  while (fast.received() < DELIVERY_CUSTOMERS) await new Promise((resolve) => setTimeout(resolve, 5));
  const delivered = performance.now();
  const seconds = (delivered - started) / 1000;
  console.log(
    `\n2. ${DELIVERY_CUSTOMERS.toLocaleString()} customers bulk-created, each event to a receiver that answers at once`,
  );
  console.log(
    `   writes took ${((written - started) / 1000).toFixed(2)} s; all events delivered after ${seconds.toFixed(2)} s: ` +
      `${(DELIVERY_CUSTOMERS / seconds).toFixed(0)} events/s; the last arrived ${(delivered - written).toFixed(0)} ms after the last write`,
  );
  await stop(e);
  fast.server.close();
}

await apiCost();
await deliveryThroughput();
