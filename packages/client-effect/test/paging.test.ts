// Stream paging over 1,050 customers, and createMany (which loads them).
import { assert, layer } from "@effect/vitest";
import type { BulkCreateCustomerData } from "@square-customers/core";
import { Effect, Stream } from "effect";
import { SquareClient } from "../src/index.js";
import { clientLayer, Emulator, newToken, requestCount } from "./support.js";

const TOTAL = 1050;
const people: BulkCreateCustomerData[] = Array.from({ length: TOTAL }, (_, i) => ({
  given_name: `Person${String(i).padStart(4, "0")}`,
  family_name: "Paging",
  email_address: `person${i}@example.com`,
}));

// One merchant for the whole file, loaded once by the first test.
const token = newToken();
const client = () => clientLayer({ accessToken: token });

layer(Emulator.layer(), { excludeTestServices: true })("paging", (it) => {
  it.effect("createMany loads 1,050 customers in bulk calls of 100, one result per item", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const before = yield* requestCount("bulkCreateCustomers");
      const results = yield* Stream.runCollect(customers.createMany(people, { concurrency: 3 }));
      assert.strictEqual(results.length, TOTAL);
      assert.isTrue(results.every((r, i) => r.outcome === "created" && r.index === i));
      assert.strictEqual((yield* requestCount("bulkCreateCustomers")) - before, 11);
    }).pipe(Effect.provide(client())),
  );

  it.effect("listStream yields each customer exactly once, one request per page", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const before = yield* requestCount("listCustomers");
      const ids = yield* Stream.runCollect(
        customers.listStream({ sort_field: "CREATED_AT" }).pipe(Stream.map((c) => c.id!)),
      );
      assert.strictEqual(ids.length, TOTAL);
      assert.strictEqual(new Set(ids).size, TOTAL);
      assert.strictEqual((yield* requestCount("listCustomers")) - before, 11);
    }).pipe(Effect.provide(client())),
  );

  it.effect("searchStream pages through the body cursor, each customer once", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const names = yield* Stream.runCollect(
        customers
          .searchStream({ limit: 100, query: { filter: { email_address: { fuzzy: "example" } } } })
          .pipe(Stream.map((c) => c.given_name!)),
      );
      assert.deepStrictEqual([...names].sort(), people.map((p) => p.given_name!).sort());
    }).pipe(Effect.provide(client())),
  );

  it.effect("Stream.take(10) fetches only the first page", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const before = yield* requestCount("listCustomers");
      const first = yield* Stream.runCollect(customers.listStream().pipe(Stream.take(10)));
      assert.strictEqual(first.length, 10);
      assert.strictEqual((yield* requestCount("listCustomers")) - before, 1);
    }).pipe(Effect.provide(client())),
  );

  it.effect("pages yields whole responses", () =>
    Effect.gen(function* () {
      const square = yield* SquareClient;
      const pages = yield* Stream.runCollect(square.pages("listCustomers", { limit: 100 }));
      assert.strictEqual(pages.length, 11);
      assert.isUndefined(pages.at(-1)?.cursor);
    }).pipe(Effect.provide(client())),
  );

  it.effect("running the same import again creates nobody new (content-derived keys)", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const results = yield* Stream.runCollect(customers.createMany(people.slice(0, 150)));
      assert.isTrue(results.every((r) => r.outcome === "created"));
      const count = (yield* customers.list({ limit: 1, count: true })).count;
      assert.strictEqual(count, TOTAL);
    }).pipe(Effect.provide(client())),
  );

  it.effect("createMany reports invalid items as rejected without sending them", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const results = yield* Stream.runCollect(
        customers.createMany(
          Stream.fromIterable([
            { given_name: "Valid" },
            { email_address: "not-an-email" },
            { given_name: "Also valid" },
          ]),
          { chunkSize: 2 },
        ),
      );
      assert.deepStrictEqual(
        results.map((r) => r.outcome),
        ["created", "rejected", "created"],
      );
      const failed = results[1]!;
      assert.isTrue(
        failed.outcome === "rejected" && !failed.sent && failed.errors[0]?.code === "INVALID_EMAIL_ADDRESS",
      );
    }).pipe(Effect.provide(clientLayer())),
  );
});
