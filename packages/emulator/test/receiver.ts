// Webhook receivers for the tests: real node:http servers on 127.0.0.1 that record every delivery as it
// arrived (headers, raw body) and answer as the test says (a status, a hang, a crash). Every body that
// arrives is checked against spec/ (the event schema of its type), so each test that receives events is
// also a contract test of them.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { unwrapWebhook, type WebhookEvent } from "@square-customers/core";
import { createSpecValidator } from "@square-customers/spec-check";
import { afterAll, expect } from "vitest";

const validator = createSpecValidator();
const open: Receiver[] = [];

afterAll(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

export interface Delivery {
  readonly headers: IncomingMessage["headers"];
  readonly rawBody: string;
  readonly body: any;
  /** performance.now() when the body had arrived. */
  readonly at: number;
}

/** What the receiver does with a delivery: answer with a status, never answer, or drop the connection. */
export type Answer = number | "hang" | "crash";

export interface Receiver {
  readonly url: string;
  /** Every delivery so far, in arrival order. */
  readonly deliveries: Delivery[];
  /** Waits until at least `n` deliveries have arrived (or fails after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<Delivery[]>;
  /** Answers every delivery left hanging (with 200). */
  release(): void;
  close(): Promise<void>;
}

/**
 * Starts a receiver. `answer` decides per delivery (its 0-based index in arrival order); default 200.
 * The path is part of the URL (signatures cover the URL as configured).
 */
export async function receiver(
  answer: (index: number, d: Delivery) => Answer = () => 200,
): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const hanging: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  let wake: () => void = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const d: Delivery = { headers: req.headers, rawBody, body: parse(rawBody), at: performance.now() };
      const index = deliveries.push(d) - 1;
      wake();
      const what = answer(index, d);
      if (what === "hang") hanging.push(res);
      else if (what === "crash") req.socket.destroy();
      else res.writeHead(what, { "content-type": "application/json" }).end("{}");
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const r: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/square`,
    deliveries,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = performance.now() + timeoutMs;
      while (deliveries.length < n) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`expected ${n} deliveries, got ${deliveries.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const d of deliveries) {
        const problem = validator.validateEvent(d.body);
        expect(problem, `event body breaks spec/: ${d.rawBody}`).toBeNull();
      }
      return deliveries.slice();
    },
    release() {
      for (const res of hanging.splice(0)) if (!res.destroyed) res.writeHead(200).end("{}");
    },
    async close() {
      const i = open.indexOf(r);
      if (i !== -1) open.splice(i, 1);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  open.push(r);
  return r;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Verifies a delivery with core's `unwrapWebhook` and returns the event (failing the test if refused). */
export async function verified(
  d: Delivery,
  signatureKey: string,
  notificationUrl: string,
): Promise<WebhookEvent> {
  const outcome = await unwrapWebhook({
    signatureHeader: d.headers["x-square-hmacsha256-signature"] as string | undefined,
    signatureKey,
    notificationUrl,
    rawBody: d.rawBody,
  });
  if (!outcome.ok) throw new Error(`delivery refused: ${outcome.message}`);
  return outcome.event;
}

/** Resolves after `ms` (for letting the background work that should NOT happen have its chance). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
