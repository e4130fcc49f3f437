// @square-customers/client/testing with the promise client over HTTP: a fresh merchant per test, tests
// at the same time that never see each other, the request journal, a manual clock that drives webhook
// retries, and snapshots that a test merchant starts from.
import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REDACTED } from "@square-customers/core";
import { afterAll, test as base, describe, expect, onTestFinished } from "vitest";
import { squareFixtures, testClient } from "../src/testing.js";

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
    test(`test ${n} imports ${n * 25} rows and sees only them`, async ({ square, merchant }) => {
      const rows = Array.from({ length: n * 25 }, (_, i) => ({
        given_name: `Test${n}`,
        family_name: `Row${i}`,
      }));
      const results = await square.customers.createMany(rows);
      expect(results.every((r) => r.outcome === "created")).toBe(true);
      await allImported();
      const seen = [];
      for await (const c of square.customers.list({ sort_field: "CREATED_AT" })) seen.push(c.given_name);
      expect(seen).toEqual(rows.map(() => `Test${n}`));
      // Exactly one bulk create, with every row, and the token nowhere in what was kept.
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
    async ({ square, merchant }) => {
      const hook = await receiver([500, 503]);
      await square.webhooks.subscriptions.create({
        subscription: { event_types: ["customer.created"], notification_url: hook.url },
      });
      const { customer } = await square.customers.create({ given_name: "Clocked" });
      expect(customer.created_at).toBe(START);
      await merchant.clock.advance("2h");
      const { customer: updated } = await square.customers.update(customer.id, { nickname: "C" });
      expect(updated.updated_at).toBe("2025-02-03T06:05:06.000Z");
      // The first attempt failed at START; its retries came due at +1 and +3 minutes, within the 2 hours.
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
    square,
    merchant,
  }) => {
    const { customer } = await square.customers.create({
      given_name: "Fixture",
      email_address: "f@example.com",
    });
    const { group } = await square.customers.groups.create({ group: { name: "VIP" } });
    await square.customers.groups.add(customer.id, group.id);
    const snapshot = merchant.snapshot();

    const { square: copied, merchant: copy } = await testClient({ snapshot });
    onTestFinished(() => copy.close());
    expect(copy.ownEmulator).toBe(true);
    expect((await copied.customers.retrieve(customer.id)).customer).toEqual(
      (await square.customers.retrieve(customer.id)).customer,
    );
    // Both go on alike: the next customer gets the same id in each.
    const next = await square.customers.create({ given_name: "Next" });
    const nextCopy = await copied.customers.create({ given_name: "Next" });
    expect(nextCopy.customer.id).toBe(next.customer.id);
  });
});

describe("a seed file", () => {
  test("gives a test merchant the customers of a file, with their ids and times", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "client-seed-")), "fixture.csv");
    await writeFile(
      file,
      "id,given_name,email_address,created_at,version\n" +
        "FIXTURE0000000000000000001,Ada,ada@example.com,2020-05-06T07:08:09Z,3\n" +
        'FIXTURE0000000000000000002,"Grace, RADM",grace@example.com,2021-01-01T00:00:00Z,0\n',
    );
    const { square, merchant } = await testClient({ seedFile: file });
    onTestFinished(() => merchant.close());
    const names = [];
    for await (const c of square.customers.list({ sort_field: "CREATED_AT" }))
      names.push([c.id, c.given_name]);
    expect(names).toEqual([
      ["FIXTURE0000000000000000001", "Ada"],
      ["FIXTURE0000000000000000002", "Grace, RADM"],
    ]);
    const { customer } = await square.customers.retrieve("FIXTURE0000000000000000001");
    expect(customer).toMatchObject({ created_at: "2020-05-06T07:08:09.000Z", version: 3 });
    await expect(square.customers.update(customer.id, { nickname: "A", version: 2 })).rejects.toMatchObject({
      name: "ConflictError",
    });
  });
});
