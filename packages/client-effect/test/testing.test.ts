// @square-customers/client-effect/testing with the Effect client over HTTP: a fresh merchant per test,
// tests at the same time that never see each other, the request journal, a manual clock that drives
// webhook retries, and snapshots that a test merchant starts from.
import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REDACTED } from "@square-customers/core";
import { Effect, Stream } from "effect";
import { afterAll, test as base, describe, expect, onTestFinished } from "vitest";
import { SquareClient } from "../src/index.js";
import { squareFixtures, testLayer } from "../src/testing.js";

const test = base.extend(squareFixtures);
const PARALLEL = 4;

/** Resolves once `count` callers have arrived: tests that ran one after the other would time out. */
function barrier(count: number) {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}

describe.concurrent("tests at the same time", () => {
  const allImported = barrier(PARALLEL);
  for (let n = 1; n <= PARALLEL; n++) {
    test(`test ${n} imports ${n * 25} rows and sees only them`, async ({ squareLayer, merchant }) => {
      const rows = Array.from({ length: n * 25 }, (_, i) => ({
        given_name: `Test${n}`,
        family_name: `Row${i}`,
      }));
      const program = Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const results = yield* Stream.runCollect(customers.createMany(rows));
        expect(results.every((r) => r.outcome === "created")).toBe(true);
        yield* Effect.promise(allImported);
        return yield* Stream.runCollect(
          customers.listStream({ sort_field: "CREATED_AT" }).pipe(Stream.map((c) => c.given_name)),
        );
      });
      const seen = await Effect.runPromise(program.pipe(Effect.provide(squareLayer)));
      expect(seen).toEqual(rows.map(() => `Test${n}`));
      const bulk = merchant.requests({ operation: "bulkCreateCustomers" });
      expect(bulk).toHaveLength(1);
      expect(Object.keys((bulk[0]!.body as { customers: object }).customers)).toHaveLength(n * 25);
      expect(bulk[0]!.headers.authorization).toBe(`Bearer ${REDACTED}`);
      expect(JSON.stringify(merchant.requests())).not.toContain(merchant.token);
    });
  }
});

/** A receiver that answers with the statuses given, in turn (then 200). */
async function receiver(statuses: number[]) {
  const received: Array<{ retry: string | undefined }> = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const retry = req.headers["square-retry-number"];
      received.push({ retry: typeof retry === "string" ? retry : undefined });
      res.writeHead(statuses[received.length - 1] ?? 200).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  afterAll(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received };
}

describe("a manual clock", () => {
  const START = "2025-02-03T04:05:06.000Z";
  const manual = test.override({ merchantOptions: { clock: { mode: "manual", start: START } } });

  manual(
    "dates what the client writes, and makes the retries an advance covers",
    async ({ squareLayer, merchant }) => {
      const hook = await receiver([500, 503]);
      const program = Effect.gen(function* () {
        const square = yield* SquareClient;
        yield* square.webhooks.subscriptions.create({
          subscription: { event_types: ["customer.created"], notification_url: hook.url },
        });
        const { customer } = yield* square.customers.create({ given_name: "Clocked" });
        yield* Effect.promise(() => merchant.clock.advance("2h"));
        const { customer: updated } = yield* square.customers.update(customer.id, { nickname: "C" });
        return [customer.created_at, updated.updated_at];
      });
      const times = await Effect.runPromise(program.pipe(Effect.provide(squareLayer)));
      expect(times).toEqual([START, "2025-02-03T06:05:06.000Z"]);
      expect(hook.received.map((r) => r.retry)).toEqual([undefined, "1", "2"]);
      const [delivery] = merchant.emulator.webhooks.deliveries();
      expect(delivery!.state).toBe("delivered");
      expect(delivery!.attempts.map((a) => a.at)).toEqual([
        START,
        "2025-02-03T04:06:06.000Z",
        "2025-02-03T04:08:06.000Z",
      ]);
    },
  );
});

describe("snapshots", () => {
  test("a merchant's snapshot is the starting state of another test's merchant", async ({
    squareLayer,
    merchant,
  }) => {
    const fixture = Effect.gen(function* () {
      const square = yield* SquareClient;
      const { customer } = yield* square.customers.create({
        given_name: "Fixture",
        email_address: "f@example.com",
      });
      const { group } = yield* square.customers.groups.create({ group: { name: "VIP" } });
      yield* square.customers.groups.add(customer.id, group.id);
      return customer.id;
    });
    const id = await Effect.runPromise(fixture.pipe(Effect.provide(squareLayer)));
    const snapshot = merchant.snapshot();

    const copy = await testLayer({ snapshot });
    onTestFinished(() => copy.merchant.close());
    const readAndCreate = Effect.gen(function* () {
      const square = yield* SquareClient;
      const { customer } = yield* square.customers.retrieve(id);
      const next = yield* square.customers.create({ given_name: "Next" });
      return [customer, next.customer.id];
    });
    const fromOriginal = await Effect.runPromise(readAndCreate.pipe(Effect.provide(squareLayer)));
    const fromCopy = await Effect.runPromise(readAndCreate.pipe(Effect.provide(copy.layer)));
    // The same customer, and both go on alike: the next customer gets the same id in each.
    expect(fromCopy).toEqual(fromOriginal);
  });
});

describe("a seed file", () => {
  test("gives a test merchant the customers of a file, with their ids and times", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "effect-seed-")), "fixture.json");
    await writeFile(
      file,
      JSON.stringify([
        {
          id: "FIXTURE0000000000000000001",
          given_name: "Ada",
          created_at: "2020-05-06T07:08:09Z",
          version: 3,
        },
        { id: "FIXTURE0000000000000000002", given_name: "Grace", created_at: "2021-01-01T00:00:00Z" },
      ]),
    );
    const { layer, merchant } = await testLayer({ seedFile: file });
    onTestFinished(() => merchant.close());
    const program = Effect.gen(function* () {
      const square = yield* SquareClient;
      const listed = yield* Stream.runCollect(
        square.customers
          .listStream({ sort_field: "CREATED_AT" })
          .pipe(Stream.map((c) => [c.id, c.given_name])),
      );
      const { customer } = yield* square.customers.retrieve("FIXTURE0000000000000000001");
      const stale = yield* square.customers.update(customer.id, { nickname: "A", version: 2 }).pipe(
        Effect.flip,
        Effect.map((e) => e._tag),
      );
      return { listed, customer, stale };
    });
    const { listed, customer, stale } = await Effect.runPromise(program.pipe(Effect.provide(layer)));
    expect(listed).toEqual([
      ["FIXTURE0000000000000000001", "Ada"],
      ["FIXTURE0000000000000000002", "Grace"],
    ]);
    expect(customer).toMatchObject({ created_at: "2020-05-06T07:08:09.000Z", version: 3 });
    expect(stale).toBe("SquareConflict");
  });
});
