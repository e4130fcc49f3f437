// Retries against the emulator's injected faults: what is retried, how long it waits, and that a
// retried create never makes a duplicate.
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  RateLimitError,
  ResponseFormatError,
  ServerError,
  TimeoutError,
} from "../src/index.js";
import { failure, useEmulator } from "./support.js";

const h = useEmulator();

/** A logger that keeps what it is given. */
function recorder() {
  const lines: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const push = (message: string, fields: Record<string, unknown>) => lines.push({ message, fields });
  return { lines, logger: { debug: push, warn: push } };
}

async function someCustomerId(): Promise<string> {
  const { customer } = await h.square.customers.create({
    given_name: "Retry",
    family_name: crypto.randomUUID(),
  });
  return customer!.id!;
}

describe("retries", () => {
  it("429 with Retry-After: waits at least as long as asked, then succeeds", async () => {
    const id = await someCustomerId();
    h.emulator.faults.set([
      { kind: "rate_limit", operations: ["retrieveCustomer"], nth: [1], retryAfterSeconds: 1 },
    ]);
    const before = h.emulator.requests.retrieveCustomer;
    const { lines, logger } = recorder();
    const started = performance.now();
    const { data, response } = await h.client({ logger }).customers.retrieve(id).withResponse();
    const waited = performance.now() - started;
    expect(data.customer?.id).toBe(id);
    expect(response.attempts).toBe(2);
    expect(h.emulator.requests.retrieveCustomer - before).toBe(2);
    expect(lines.find((l) => l.message === "square retry")?.fields).toMatchObject({
      delayMs: 1000,
      status: 429,
    });
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it("a 429 that outlasts maxRetries is a RateLimitError carrying Retry-After", async () => {
    h.emulator.faults.set([
      { kind: "rate_limit", operations: ["listCustomerSegments"], retryAfterSeconds: 0 },
    ]);
    const error = await failure(h.client({ maxRetries: 1 }).customers.segments.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      retryAfterMs: 0,
      errors: [expect.objectContaining({ code: "RATE_LIMITED" })],
    });
  });

  it("503 twice, then success", async () => {
    h.emulator.faults.set([{ kind: "unavailable", operations: ["listCustomers"], nth: [1, 2] }]);
    const before = h.emulator.requests.listCustomers;
    const { response } = await h.square.customers.list().withResponse();
    expect(response).toMatchObject({ status: 200, attempts: 3 });
    expect(h.emulator.requests.listCustomers - before).toBe(3);
  });

  it("ky hooks run on every attempt", async () => {
    h.emulator.faults.set([{ kind: "unavailable", operations: ["listCustomerSegments"], nth: [1] }]);
    const statuses: number[] = [];
    const traced: string[] = [];
    const square = h.client({
      hooks: {
        beforeRequest: [({ request }) => void request.headers.set("x-trace", `t${traced.push(request.url)}`)],
        afterResponse: [({ response }) => void statuses.push(response.status)],
      },
    });
    await square.customers.segments.list();
    expect(statuses).toEqual([503, 200]);
    expect(traced).toHaveLength(2);
    expect(h.sent.at(-1)?.headers.get("x-trace")).toBe("t2");
  });

  it("a dropped connection during create is retried with the same key: exactly one customer", async () => {
    const family = crypto.randomUUID();
    h.emulator.faults.set([{ kind: "drop_connection", operations: ["createCustomer"], nth: [1] }]);
    const sentBefore = h.sent.length;
    const { customer } = await h.square.customers.create({ given_name: "Dropped", family_name: family });
    const creates = h.sent
      .slice(sentBefore)
      .filter((r) => r.method === "POST" && r.url.pathname === "/v2/customers");
    expect(creates).toHaveLength(2);
    const keys = creates.map((r) => (r.body as { idempotency_key: string }).idempotency_key);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    h.emulator.faults.set([]);
    const all = await h.square.customers.list().toArray();
    const matches = all.filter((c) => c.family_name === family);
    expect(matches.map((c) => c.id)).toEqual([customer!.id]);
  });

  it("respects maxRetries, per client and per call; 0 means one attempt", async () => {
    h.emulator.faults.set([{ kind: "server_error", operations: ["retrieveCustomerSegment"] }]);
    let before = h.emulator.requests.retrieveCustomerSegment;
    expect(await failure(h.client({ maxRetries: 3 }).customers.segments.retrieve("S"))).toBeInstanceOf(
      ServerError,
    );
    expect(h.emulator.requests.retrieveCustomerSegment - before).toBe(4);
    before = h.emulator.requests.retrieveCustomerSegment;
    expect(await failure(h.square.customers.segments.retrieve("S", { maxRetries: 0 }))).toBeInstanceOf(
      ServerError,
    );
    expect(h.emulator.requests.retrieveCustomerSegment - before).toBe(1);
    before = h.emulator.requests.retrieveCustomerSegment;
    expect(await failure(h.square.customers.segments.retrieve("S"))).toBeInstanceOf(ServerError);
    expect(h.emulator.requests.retrieveCustomerSegment - before).toBe(3); // the default: 2 retries
  });

  it("does not retry what may not be retried: a 4xx is answered once", async () => {
    h.emulator.faults.set([]);
    const before = h.emulator.requests.retrieveCustomer;
    await failure(h.square.customers.retrieve("NO_SUCH_ID"));
    expect(h.emulator.requests.retrieveCustomer - before).toBe(1);
  });

  it("an aborted signal stops at once, even while waiting out a long Retry-After", async () => {
    h.emulator.faults.set([
      { kind: "rate_limit", operations: ["listCustomerGroups"], retryAfterSeconds: 30 },
    ]);
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const logger = {
      debug: () => {},
      // Abort as soon as the client decides to wait.
      warn: () => controller.abort(reason),
    };
    const before = h.emulator.requests.listCustomerGroups;
    const error = await failure(
      h.client({ logger }).customers.groups.list({}, { signal: controller.signal }),
    );
    expect(error).toBe(reason);
    expect(h.emulator.requests.listCustomerGroups - before).toBe(1);

    // Already aborted: nothing is sent at all.
    const early = await failure(h.square.customers.groups.list({}, { signal: AbortSignal.abort(reason) }));
    expect(early).toBe(reason);
    expect(h.emulator.requests.listCustomerGroups - before).toBe(1);
  });

  it("an aborted signal stops a request in flight, which is not retried", async () => {
    // A second of latency: were the abort ignored, the call would succeed and the test fail.
    h.emulator.faults.set([{ kind: "latency", operations: ["listCustomerSegments"], latencyMs: 1_000 }]);
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const calls = h.fetchCalls;
    const square = h.client({
      // Abort a moment after the attempt has started, while the emulator is still holding it.
      hooks: { beforeRequest: [() => void setTimeout(() => controller.abort(reason), 50)] },
    });
    const error = await failure(square.customers.segments.list({}, { signal: controller.signal }));
    h.emulator.faults.set([]);
    expect(error).toBe(reason);
    expect(h.fetchCalls - calls).toBe(1);
  });

  it("a slow answer is a TimeoutError per attempt, and timeouts are retried", async () => {
    h.emulator.faults.set([{ kind: "latency", operations: ["listCustomerSegments"], latencyMs: 400 }]);
    const before = h.emulator.requests.listCustomerSegments;
    const error = await failure(h.square.customers.segments.list({}, { timeout: 50, maxRetries: 1 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50 });
    expect(h.emulator.requests.listCustomerSegments - before).toBe(2);
  });

  it("a connection dropped on every attempt ends as a ConnectionError", async () => {
    h.emulator.faults.set([{ kind: "drop_connection", operations: ["retrieveCustomerGroup"] }]);
    const before = h.emulator.requests.retrieveCustomerGroup;
    const error = await failure(h.square.customers.groups.retrieve("G", { maxRetries: 1 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(h.emulator.requests.retrieveCustomerGroup - before).toBe(2);
  });

  it("a body cut off mid-way is a lost connection, retried; a complete but malformed body is not", async () => {
    const id = await someCustomerId();
    h.emulator.faults.set([{ kind: "truncated_body", operations: ["retrieveCustomer"], nth: [1] }]);
    let before = h.emulator.requests.retrieveCustomer;
    const { customer } = await h.square.customers.retrieve(id);
    expect(customer?.id).toBe(id);
    expect(h.emulator.requests.retrieveCustomer - before).toBe(2);

    h.emulator.faults.set([{ kind: "truncated_body", operations: ["retrieveCustomer"] }]);
    const cut = await failure(h.client({ maxRetries: 1 }).customers.retrieve(id));
    expect(cut).toBeInstanceOf(ConnectionError);
    expect(cut).toMatchObject({ reason: "truncated", message: expect.stringContaining("cut off mid-way") });

    h.emulator.faults.set([{ kind: "malformed_body", operations: ["retrieveCustomer"] }]);
    before = h.emulator.requests.retrieveCustomer;
    const error = await failure(h.square.customers.retrieve(id));
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect(error).toMatchObject({ status: 200, requestId: expect.any(String) });
    expect(h.emulator.requests.retrieveCustomer - before).toBe(1);
    h.emulator.faults.set([]);
  });
});
