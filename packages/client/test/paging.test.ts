// Paging 1,050 customers through list and search (each seen once, breaking early sends nothing more),
// and customers.createMany, which makes them.
import { beforeAll, describe, expect, it } from "vitest";
import type { CreateManyItem, CreateManyProgress } from "../src/index.js";
import { nextTurn, TOKEN, useEmulator } from "./support.js";

const h = useEmulator();
const N = 1050;
const row = (i: number): CreateManyItem => ({
  given_name: `P${String(i).padStart(4, "0")}`,
  // Every third customer is at example.org, for a filtered search across pages.
  email_address: `p${i}@${i % 3 === 0 ? "example.org" : "example.com"}`,
});

const progress: CreateManyProgress[] = [];
let bulkCalls = 0;

// The 1,050 customers both describes use, made through createMany.
beforeAll(async () => {
  const before = h.emulator.requests.bulkCreateCustomers;
  const results = await h.square.customers.createMany(
    Array.from({ length: N }, (_, i) => row(i)),
    { concurrency: 3, onProgress: (p) => progress.push(p) },
  );
  bulkCalls = h.emulator.requests.bulkCreateCustomers - before;
  expect(results).toHaveLength(N);
  results.forEach((r, i) => {
    expect(r.index).toBe(i);
    expect(r.outcome === "created" && r.customer.given_name).toBe(row(i).given_name);
  });
});

describe("createMany", () => {
  it("chunks into bulk calls of 100 and reports progress after each", () => {
    expect(bulkCalls).toBe(11);
    expect(progress).toHaveLength(11);
    expect(progress.at(-1)).toEqual({ done: N, created: N, rejected: 0, unknown: 0, total: N });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
  });

  it("takes async iterables; a bad row fails alone; a dropped bulk call is retried with the same keys", async () => {
    const square = h.client({ accessToken: `${TOKEN}-import` });
    async function* rows() {
      for (let i = 0; i < 25; i++)
        yield i === 7 ? { given_name: "Bad", email_address: "not-an-email" } : row(i);
    }
    h.emulator.faults.set([{ kind: "drop_connection", operations: ["bulkCreateCustomers"], nth: [1] }]);
    const results = await square.customers.createMany(rows(), { chunkSize: 10 });
    h.emulator.faults.set([]);
    expect(results.filter((r) => r.outcome === "created")).toHaveLength(24);
    expect(results[7]).toMatchObject({
      outcome: "rejected",
      sent: false,
      errors: [expect.objectContaining({ code: "INVALID_EMAIL_ADDRESS", field: "email_address" })],
    });
    const stored = await square.customers.list().toArray();
    expect(stored).toHaveLength(24); // the dropped chunk's retry created nobody twice
  });

  it("with its default content-derived keys, running the same import twice creates nobody twice", async () => {
    const square = h.client({ accessToken: `${TOKEN}-rerun` });
    const items = [row(1), row(2), row(3)];
    const first = await square.customers.createMany(items);
    const second = await square.customers.createMany(items);
    const ids = (results: typeof first) => results.map((r) => r.outcome === "created" && r.customer.id);
    expect(ids(second)).toEqual(ids(first));
    expect(await square.customers.list().toArray()).toHaveLength(3);
  });

  it("a key reused for other content is refused: held back in its chunk, refused by Square in another", async () => {
    const square = h.client({ accessToken: `${TOKEN}-dup-keys` });
    const keys = ["a", "b", "c", "c", "a"]; // chunks of two: [a b] [c c] [a]
    const results = await square.customers.createMany(
      keys.map((_, i) => row(i)),
      { chunkSize: 2, idempotencyKey: (_, i) => keys[i]! },
    );
    expect(results.map((r) => r.outcome)).toEqual(["created", "created", "created", "rejected", "rejected"]);
    expect(results[3]).toMatchObject({
      sent: false,
      errors: [expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED" })],
    });
    expect(results[4]).toMatchObject({
      sent: true,
      errors: [expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED" })],
    });
    expect(await square.customers.list().toArray()).toHaveLength(3);
  });

  it("identical items are one customer: every one of them gets it", async () => {
    const square = h.client({ accessToken: `${TOKEN}-twins` });
    const results = await square.customers.createMany([row(1), row(1), row(2), row(1)], { chunkSize: 2 });
    expect(results.map((r) => r.outcome)).toEqual(["created", "created", "created", "created"]);
    const ids = results.map((r) => r.outcome === "created" && r.customer.id);
    expect(new Set([ids[0], ids[1], ids[3]]).size).toBe(1);
    expect(await square.customers.list().toArray()).toHaveLength(2);
  });
});

describe("paging 1,050 customers", () => {
  it("list: every customer exactly once, one request per page", async () => {
    const before = h.emulator.requests.listCustomers;
    const ids: string[] = [];
    for await (const customer of h.square.customers.list()) ids.push(customer.id!);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect(h.emulator.requests.listCustomers - before).toBe(11);
  });

  it("search: every customer exactly once across pages, with and without a filter", async () => {
    const before = h.emulator.requests.searchCustomers;
    const ids: string[] = [];
    for await (const customer of h.square.customers.search({ limit: 100 })) ids.push(customer.id!);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toHaveLength(N);
    expect(h.emulator.requests.searchCustomers - before).toBe(11);

    const org = await h.square.customers
      .search({ limit: 30, query: { filter: { email_address: { fuzzy: "example.org" } } } })
      .toArray();
    expect(org).toHaveLength(N / 3);
    expect(new Set(org.map((c) => c.id)).size).toBe(N / 3);
  });

  it(".pages() walks pages; awaiting gives the typed first page", async () => {
    const sizes: number[] = [];
    for await (const page of h.square.customers.list({ limit: 100 }).pages())
      sizes.push(page.customers?.length ?? 0);
    expect(sizes).toEqual([...Array(10).fill(100), 50]);
    const first = await h.square.customers.list({ limit: 5 });
    expect(first.customers).toHaveLength(5);
    expect(first.cursor).toEqual(expect.any(String));
  });

  it("nothing is sent until used; breaking early sends no further request", async () => {
    const before = h.emulator.requests.listCustomers;
    const calls = h.fetchCalls;
    const pager = h.square.customers.list({ limit: 10 });
    await nextTurn();
    expect(h.fetchCalls).toBe(calls);

    let seen = 0;
    for await (const _ of pager) {
      if (++seen === 15) break; // in the middle of page 2
    }
    await nextTurn();
    expect(h.fetchCalls - calls).toBe(2);
    expect(h.emulator.requests.listCustomers - before).toBe(2);

    // Awaiting first and iterating after shares the first page.
    const searchBefore = h.emulator.requests.searchCustomers;
    const search = h.square.customers.search({ limit: 10 });
    const page = await search;
    for await (const customer of search) {
      expect(customer.id).toBe(page.customers?.[0]?.id);
      break;
    }
    await nextTurn();
    expect(h.fetchCalls - calls).toBe(3);
    expect(h.emulator.requests.searchCustomers - searchBefore).toBe(1);
    expect(h.emulator.requests.listCustomers - before).toBe(2);
  });
});
