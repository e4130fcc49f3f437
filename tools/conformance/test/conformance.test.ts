// One suite, both clients: the same call under the same fault must have the same outcome. Every case runs
// against each client over HTTP against the emulator (127.0.0.1) and its injected faults, and where the
// clients must agree on text or fields, the two outcomes are compared with each other.
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { type Emulator, type FaultRule, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientFlavor,
  type ClientSettings,
  effectFlavor,
  error,
  flavors,
  promiseFlavor,
  value,
} from "../src/clients.ts";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await emulator.close();
});

/** A token that looks like a real one (so that a leak would show) and is a fresh, empty merchant. */
const newToken = () => `EAAAconformance-${randomUUID()}`;

const connect = (flavor: ClientFlavor, settings: Partial<ClientSettings> = {}) =>
  flavor.connect({ url: emulator.url, token: newToken(), ...settings });

/** Runs `body` with the emulator's faults set to `rules`, then clears them. */
async function withFaults<T>(rules: FaultRule[], body: () => Promise<T>): Promise<T> {
  emulator.faults.set(rules);
  try {
    return await body();
  } finally {
    emulator.faults.set([]);
  }
}

const people = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({
    given_name: `${tag}${i}`,
    email_address: `${tag}${i}@example.com`,
  }));

describe.each(flavors)("$name client", (flavor) => {
  it("a create whose body is cut off mid-way is retried and reported created, one customer", async () => {
    const square = connect(flavor);
    const before = emulator.requests.createCustomer;
    const created = await withFaults(
      [{ kind: "truncated_body", operations: ["createCustomer"], nth: [1] }],
      () => square.create({ given_name: "Cut" }),
    );
    expect(value(created).customer?.id).toEqual(expect.any(String));
    expect(emulator.requests.createCustomer - before).toBe(2);
    expect(value(await square.listIds())).toEqual([value(created).customer?.id]);
  });

  it("a bulk create whose body is cut off mid-way is retried, each customer once", async () => {
    const square = connect(flavor);
    const customers = { a: { given_name: "A" }, b: { given_name: "B" } };
    const answer = await withFaults(
      [{ kind: "truncated_body", operations: ["bulkCreateCustomers"], nth: [1] }],
      () => square.bulkCreate(customers),
    );
    expect(Object.keys(value(answer).responses ?? {})).toEqual(["a", "b"]);
    expect(value(await square.listIds())).toHaveLength(2);
  });

  it("createMany through cut-off bodies reports every row created, each customer once", async () => {
    const square = connect(flavor);
    const rows = people(30, "cut");
    const results = await withFaults(
      [{ kind: "truncated_body", operations: ["bulkCreateCustomers"], nth: [1, 3] }],
      () => square.createMany(rows, { chunkSize: 10, concurrency: 2 }),
    );
    expect(value(results).map((r) => r.outcome)).toEqual(rows.map(() => "created"));
    expect(value(await square.listIds())).toHaveLength(30);
  });

  it("a connection dropped after the write was applied is retried with the same key: one customer", async () => {
    const square = connect(flavor);
    const created = await withFaults(
      [{ kind: "drop_connection", operations: ["createCustomer"], nth: [1] }],
      () => square.create({ given_name: "Dropped" }),
    );
    expect(value(await square.listIds())).toEqual([value(created).customer?.id]);
  });

  it("a 429 with Retry-After is retried after the wait it asks for", async () => {
    const square = connect(flavor);
    const started = performance.now();
    const listed = await withFaults(
      [{ kind: "rate_limit", operations: ["listCustomers"], nth: [1], retryAfterSeconds: 1 }],
      () => square.listIds(),
    );
    expect(value(listed)).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("lets Retry-After replace the backoff, even a longer one (core's rule, in both)", async () => {
    // A backoff of 20 s before every retry; Square asks for 1 s, and its answer is what counts.
    const square = connect(flavor, { slowBackoffMs: 20_000, maxRetries: 1 });
    const started = performance.now();
    const listed = await withFaults(
      [{ kind: "rate_limit", operations: ["listCustomers"], nth: [1], retryAfterSeconds: 1 }],
      () => square.listIds(),
    );
    expect(value(listed)).toEqual([]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(10_000);
  });

  it("sends a Date in a request as an RFC 3339 time", async () => {
    const square = connect(flavor);
    const before = value(await square.create({ given_name: "Before" })).customer?.id;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date();
    const after = value(await square.create({ given_name: "After" })).customer?.id;
    expect(value(await square.idsCreatedSince(since))).toEqual([after]);
    expect(value(await square.idsCreatedSince(new Date(0))).sort()).toEqual([before, after].sort());
  });

  it("a per-call or client-wide Authorization header cannot replace the client's token", async () => {
    const token = newToken();
    const other = newToken();
    const square = connect(flavor, { token, headers: { Authorization: `Bearer ${other}` } });
    const created = await square.create(
      { given_name: "Mine" },
      { headers: { authorization: `Bearer ${other}`, "square-version": "2001-01-01" } },
    );
    const id = value(created).customer?.id;
    expect(value(await connect(flavor, { token }).listIds())).toEqual([id]);
    expect(value(await connect(flavor, { token: other }).listIds())).toEqual([]);
  });
});

describe("both clients agree", () => {
  const both = async <T>(run: (flavor: ClientFlavor) => Promise<T>) => ({
    promise: await run(promiseFlavor),
    effect: await run(effectFlavor),
  });

  it("on createMany's results: the promise client twice, then the Effect client, creates each row once", async () => {
    const token = newToken();
    const rows = people(25, "again");
    const runs = [
      await connect(promiseFlavor, { token }).createMany(rows, { chunkSize: 10 }),
      await connect(promiseFlavor, { token }).createMany(rows, { chunkSize: 10 }),
      await connect(effectFlavor, { token }).createMany(rows, { chunkSize: 10 }),
    ].map(value);
    for (const results of runs) expect(results.map((r) => r.outcome)).toEqual(rows.map(() => "created"));
    // The same keys and the same customers every time, whichever client ran.
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(value(await connect(effectFlavor, { token }).listIds())).toHaveLength(25);
  });

  it("on an out-of-range chunkSize: the same error, nothing sent", async () => {
    const before = emulator.requests.bulkCreateCustomers;
    const { promise, effect } = await both((flavor) =>
      connect(flavor).createMany(people(2, "x"), { chunkSize: 101 }),
    );
    expect(error(promise)).toEqual(error(effect));
    expect(error(promise)).toMatchObject({
      kind: "invalid_request",
      message:
        "createMany request is invalid, nothing was sent: chunkSize must be an integer from 1 to 100, got 101 (VALUE_TOO_HIGH)",
    });
    expect(emulator.requests.bulkCreateCustomers).toBe(before);
  });

  it("on a search filter key the spec does not define: refused unsent, alike, and by the emulator too", async () => {
    const before = emulator.requests.searchCustomers;
    const body = { query: { filter: { emial: { exact: "ada@example.com" } } } };
    const { promise, effect } = await both((flavor) => connect(flavor).call("searchCustomers", [body]));
    expect(error(promise)).toEqual(error(effect));
    expect(error(promise)).toMatchObject({
      kind: "invalid_request",
      retryable: false,
      errors: [{ code: "UNKNOWN_BODY_PARAMETER", field: "query.filter.emial" }],
    });
    expect(emulator.requests.searchCustomers).toBe(before);
    // Sent anyway, the emulator answers the same request with the same error.
    const answer = await fetch(`${emulator.url}/v2/customers/search`, {
      method: "POST",
      headers: { authorization: `Bearer ${newToken()}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { errors: unknown }).errors).toEqual(error(promise).errors);
  });

  it("on per-entry field paths of rows that cannot be sent", async () => {
    const rows = [{ given_name: "Ok" }, { given_name: "Bad", email_address: "nope", birthday: "1990-02-30" }];
    const { promise, effect } = await both((flavor) => connect(flavor).createMany(rows));
    const rejected = (outcome: typeof promise) => value(outcome)[1];
    expect(rejected(promise)).toEqual(rejected(effect));
    expect(rejected(promise)?.errors?.map((e) => e.field)).toEqual(["email_address", "birthday"]);
  });

  it("on error texts: not found (token redacted), refused connection, timeout, broken body", async () => {
    const token = newToken();
    // The emulator names the id it did not find; an id that is the token must come back redacted.
    const notFound = await both((flavor) => connect(flavor, { token }).retrieve(token));
    expect(error(notFound.promise)).toEqual(error(notFound.effect));
    expect(error(notFound.promise).message).toBe(
      "retrieveCustomer failed with HTTP 404: NOT_FOUND: Customer with ID `[REDACTED]` not found.",
    );
    expect(JSON.stringify(notFound)).not.toContain(token);

    const closedPort = await freePort();
    const refused = await both((flavor) =>
      flavor.connect({ url: `http://127.0.0.1:${closedPort}`, token, maxRetries: 0 }).retrieve("C1"),
    );
    expect(error(refused.promise)).toEqual(error(refused.effect));
    expect(error(refused.promise)).toMatchObject({ kind: "connection", reason: "refused" });
    expect(error(refused.promise).message).toMatch(
      /^retrieveCustomer: could not connect to the server \(.*ECONNREFUSED.*\)$/,
    );

    const slow = await withFaults(
      [{ kind: "latency", operations: ["retrieveCustomer"], latencyMs: 500 }],
      () => both((flavor) => connect(flavor, { timeoutMs: 100, maxRetries: 0 }).retrieve("C1")),
    );
    expect(error(slow.promise)).toEqual(error(slow.effect));
    expect(error(slow.promise).message).toBe("retrieveCustomer: no complete response within 100 ms");

    const broken = await withFaults([{ kind: "malformed_body", operations: ["listCustomers"] }], () =>
      both((flavor) => connect(flavor).listIds()),
    );
    expect(error(broken.promise)).toEqual(error(broken.effect));
    expect(error(broken.promise)).toMatchObject({
      kind: "format",
      status: 200,
      hasRequestId: true,
      message: "listCustomers: the HTTP 200 response body is not valid JSON",
    });
  });

  it("on createMany calls whose answer is lost after every retry: unknown, never rejected, and applied", async () => {
    const rows = people(4, "lost");
    const runs = await withFaults([{ kind: "drop_connection", operations: ["bulkCreateCustomers"] }], () =>
      both((flavor) => connect(flavor, { maxRetries: 1 }).createMany(rows, { chunkSize: 2 })),
    );
    const strip = (outcome: typeof runs.promise) =>
      value(outcome).map(({ outcome: o, error: e }) => ({ o, e }));
    expect(strip(runs.promise)).toEqual(strip(runs.effect));
    expect(value(runs.promise).map((r) => r.outcome)).toEqual(["unknown", "unknown", "unknown", "unknown"]);
    expect(value(runs.promise)[0]?.error).toMatchObject({ kind: "connection", reason: "dropped" });
  });

  it("on a body cut off on every attempt: a connection error, the same text", async () => {
    const cut = await withFaults([{ kind: "truncated_body", operations: ["retrieveCustomer"] }], () =>
      both((flavor) => connect(flavor, { maxRetries: 1 }).retrieve("C1")),
    );
    expect(error(cut.promise)).toEqual(error(cut.effect));
    expect(error(cut.promise)).toMatchObject({ kind: "connection", reason: "truncated" });
  });
});

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
