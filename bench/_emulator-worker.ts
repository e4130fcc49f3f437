// The emulator in a worker thread, for benchmarks (see _support.ts): it gets its own event loop, as a
// real server would, so the client under test does not share one with it.
//
// With `latency`, a proxy in front of it (same thread) holds each request for a time drawn from
// [minMs, maxMs] by a seeded generator, then forwards it, and keeps count of requests in flight over time:
// what a client's concurrency really achieves against a server whose answers take varying times.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { startEmulator } from "@square-customers/emulator";

const { seed, latency } = workerData as { seed?: number; latency?: { minMs: number; maxMs: number } };
const emulator = await startEmulator({ host: "127.0.0.1", port: 0, ...(seed === undefined ? {} : { seed }) });

/** Requests in flight at the proxy over time, from `reset` on. */
interface Stats {
  /** ∫ in-flight dt (request·ms), up to the last departure. */
  area: number;
  /** ∫ in-flight dt up to the last arrival (the time the client still had requests to send). */
  areaUntilLastArrival: number;
  requests: number;
  inFlight: number;
  first: number | undefined;
  lastArrival: number;
  lastDeparture: number;
  lastChange: number;
  latencies: number[];
}

let random = seeded(1);
let stats = freshStats();

function freshStats(): Stats {
  return {
    area: 0,
    areaUntilLastArrival: 0,
    requests: 0,
    inFlight: 0,
    first: undefined,
    lastArrival: 0,
    lastDeparture: 0,
    lastChange: 0,
    latencies: [],
  };
}

/** A small deterministic generator (LCG), so that every run sees the same latencies in the same order. */
function seeded(start: number): () => number {
  let state = start;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function change(delta: 1 | -1): void {
  const now = performance.now();
  stats.area += stats.inFlight * (now - stats.lastChange);
  stats.lastChange = now;
  stats.inFlight += delta;
  if (delta === 1) {
    stats.first ??= now;
    stats.lastArrival = now;
    stats.areaUntilLastArrival = stats.area;
    stats.requests++;
  } else {
    stats.lastDeparture = now;
  }
}

async function proxy(request: IncomingMessage, response: ServerResponse): Promise<void> {
  change(1);
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const { minMs, maxMs } = latency!;
  const wait = minMs + random() * (maxMs - minMs);
  stats.latencies.push(wait);
  await new Promise((resolve) => setTimeout(resolve, wait));
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) {
      headers.set(name, value);
    }
  }
  const answer = await fetch(`${emulator.url}${request.url}`, {
    method: request.method!,
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  const body = Buffer.from(await answer.arrayBuffer());
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(name)) {
      out[name] = value;
    }
  });
  response.writeHead(answer.status, out);
  response.end(body, () => change(-1));
}

let proxyUrl: string | undefined;
const server = latency ? createServer((request, response) => void proxy(request, response)) : undefined;
if (server) {
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

parentPort!.postMessage({ url: emulator.url, proxyUrl });
parentPort!.on("message", async (message: { type: "reset"; seed: number } | { type: "stats" } | "close") => {
  if (message === "close") {
    server?.close();
    await emulator.close();
    parentPort!.postMessage("closed");
  } else if (message.type === "reset") {
    random = seeded(message.seed);
    stats = freshStats();
    parentPort!.postMessage("reset");
  } else {
    const { first = 0, lastArrival, lastDeparture, area, areaUntilLastArrival, requests, latencies } = stats;
    parentPort!.postMessage({
      requests,
      latencies,
      seconds: (lastDeparture - first) / 1000,
      inFlight: area / (lastDeparture - first),
      inFlightUntilLastArrival: areaUntilLastArrival / (lastArrival - first),
    });
  }
});
