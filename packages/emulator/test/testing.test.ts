// @square-customers/emulator/testing: one emulator per worker, a fresh merchant per test. The tests of
// the first block run at the same time (a barrier proves it: none gets past it until all have reached
// it) and each sees only its own merchant's customers, requests and snapshot.
import { test as base, describe, expect, it } from "vitest";
import {
  closeTestEmulator,
  merchantFixtures,
  seededRandom,
  type TestMerchant,
  testEmulator,
  testMerchant,
} from "../src/testing/index.js";
import { client, createCustomer } from "./helpers.js";

const test = base.extend(merchantFixtures);
const PARALLEL = 5;

/** Resolves once `count` callers have arrived: a test that ran alone would wait forever (and time out). */
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

describe.concurrent("merchants of tests running at the same time", () => {
  const allCreated = barrier(PARALLEL);
  const emulators = new Set<unknown>();
  const tokens = new Set<string>();

  for (let n = 0; n < PARALLEL; n++) {
    test(`test ${n} sees only its own merchant`, async ({ merchant }) => {
      emulators.add(merchant.emulator);
      tokens.add(merchant.token);
      const api = client(merchant.emulator, merchant.token);
      const mine = [];
      for (let i = 0; i <= n; i++) mine.push(await createCustomer(api, { given_name: `T${n}-${i}` }));
      // Every test has created its customers before any test reads.
      await allCreated();
      const listed = (await api("GET", "/v2/customers", { query: { sort_field: "CREATED_AT" } })).body
        .customers;
      expect(listed.map((c: { id: string }) => c.id)).toEqual(mine.map((c) => c.id));
      expect(merchant.requests({ operation: "createCustomer" })).toHaveLength(n + 1);
      expect(merchant.requests().every((r) => r.merchant === merchant.merchantId)).toBe(true);
      expect(merchant.snapshot().merchants.map((m) => m.customers.length)).toEqual([n + 1]);
      // One emulator for the worker; one token per test.
      expect(emulators.size).toBe(1);
      expect(merchant.ownEmulator).toBe(false);
      expect(tokens.size).toBe(PARALLEL);
    });
  }
});

describe("the worker's emulator", () => {
  it("is started once and shared, and is started again after it is closed", async () => {
    const first = await testEmulator();
    expect(await testEmulator()).toBe(first);
    const a = await testMerchant();
    const b = await testMerchant();
    expect(a.emulator).toBe(first);
    expect(b.emulator).toBe(first);
    expect(a.token).not.toBe(b.token);
    expect(a.merchantId).not.toBe(b.merchantId);
    expect(a.clientOptions).toEqual({ accessToken: a.token, environment: first.url });
    await a.close(); // a merchant of the shared emulator leaves it running
    expect((await fetch(`${first.url}/_emulator/info`)).status).toBe(200);

    await closeTestEmulator();
    await expect(fetch(`${first.url}/_emulator/info`)).rejects.toThrow();
    const second = await testEmulator();
    expect(second).not.toBe(first);
    expect((await fetch(`${second.url}/_emulator/info`)).status).toBe(200);
  });
});

describe("a merchant with options", () => {
  it("gets an emulator of its own, closed with the merchant", async () => {
    await using merchant = await testMerchant({
      clock: { mode: "manual", start: "2025-01-01T00:00:00Z" },
      seed: 2,
    });
    expect(merchant.ownEmulator).toBe(true);
    expect(merchant.emulator).not.toBe(await testEmulator());
    const api = client(merchant.emulator, merchant.token);
    expect((await api("GET", "/v2/customers")).body.customers).toHaveLength(2);
    const created = await createCustomer(api);
    expect(created.created_at).toBe("2025-01-01T00:00:00.000Z");
    await merchant.clock.advance("1d");
    expect(merchant.clock.now().toISOString()).toBe("2025-01-02T00:00:00.000Z");
  });

  it("starts from a one-merchant snapshot, reached with its own token", async () => {
    const original = await testMerchant();
    const api = client(original.emulator, original.token);
    const customer = await createCustomer(api, { given_name: "Fixture" });
    const snapshot = original.snapshot();
    await using copy = await testMerchant({ snapshot });
    expect(copy.token).not.toBe(original.token);
    expect(copy.merchantId).toBe(original.merchantId);
    const got = await client(copy.emulator, copy.token)("GET", `/v2/customers/${customer.id}`);
    expect(got.body.customer).toEqual(customer);
    // The snapshot of the copy is the original's, but for the token.
    expect({ ...copy.snapshot().merchants[0], tokenHash: "" }).toEqual({
      ...snapshot.merchants[0],
      tokenHash: "",
    });
  });

  it("refuses a snapshot of several merchants", async () => {
    const e = await testEmulator();
    await createCustomer(client(e, "several-1"));
    await createCustomer(client(e, "several-2"));
    await expect(testMerchant({ snapshot: e.snapshot() })).rejects.toThrow(/a snapshot of one merchant/);
  });
});

describe("the Vitest fixture", () => {
  const manual = test.override({
    merchantOptions: { clock: { mode: "manual", start: "2030-01-01T00:00:00Z" } },
  });
  let closed: TestMerchant | undefined;

  manual("takes its options from merchantOptions", async ({ merchant }) => {
    expect(merchant.ownEmulator).toBe(true);
    expect(merchant.clock.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    closed = merchant;
  });

  it("closed that merchant's emulator after its test", async () => {
    expect(closed).toBeDefined();
    await expect(fetch(`${closed!.url}/_emulator/info`)).rejects.toThrow();
  });
});

describe("seededRandom", () => {
  it("is mulberry32: the same seed, the same numbers in [0, 1)", () => {
    const random = seededRandom(1);
    // mulberry32's published first outputs for seed 1.
    expect([random(), random(), random()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
    const a = seededRandom(20250820);
    const b = seededRandom(20250820);
    const drawn = Array.from({ length: 1000 }, () => a());
    expect(drawn).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(drawn.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
