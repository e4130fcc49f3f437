// Retries under the emulator's injected faults: Retry-After is honoured, transient failures are retried
// with the same idempotency key (so a create never doubles), and interruption stops a call.
import { assert, layer } from "@effect/vitest";
import type { RequestLogEntry } from "@square-customers/emulator";
import { Cause, Duration, Effect, Exit, Fiber, Schedule, Stream } from "effect";
import { defaultRetrySchedule, SquareClient } from "../src/index.js";
import { clientLayer, Emulator, requestCount, withFaults } from "./support.js";

/** Answered requests, as the emulator logs them. */
const answered: RequestLogEntry[] = [];

/** The default schedule, recording each wait it asks for and skipping the actual sleep. */
const recordingDefault = () => {
  const waits: number[] = [];
  const schedule = defaultRetrySchedule().pipe(
    Schedule.modifyDelay(({ duration }) => {
      waits.push(Duration.toMillis(duration));
      return Effect.succeed(Duration.zero);
    }),
  );
  return { waits, schedule };
};

layer(Emulator.layer({ logger: (entry) => answered.push(entry) }), { excludeTestServices: true })(
  "retries",
  (it) => {
    it.effect("429 with Retry-After: waits what the server asks, then succeeds", () => {
      const { waits, schedule } = recordingDefault();
      return Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("listCustomers");
        yield* customers
          .list()
          .pipe(
            withFaults([
              { kind: "rate_limit", operations: ["listCustomers"], nth: [1], retryAfterSeconds: 2 },
            ]),
          );
        assert.deepStrictEqual(waits, [2000]);
        assert.strictEqual((yield* requestCount("listCustomers")) - before, 2);
      }).pipe(Effect.provide(clientLayer({ retrySchedule: schedule })));
    });

    it.effect("503 then success: one customer, created with the key of the first attempt", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("createCustomer");
        const { customer } = yield* customers
          .create({ given_name: "Ada" })
          .pipe(withFaults([{ kind: "unavailable", operations: ["createCustomer"], nth: [1] }]));
        assert.strictEqual(customer?.given_name, "Ada");
        assert.strictEqual((yield* requestCount("createCustomer")) - before, 2);
        assert.lengthOf((yield* customers.list()).customers ?? [], 1);
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("a dropped connection during create: retried with the same key, exactly one customer", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("createCustomer");
        // The emulator applies the create, then drops the connection without answering.
        const { customer } = yield* customers
          .create({ given_name: "Grace", family_name: "Hopper" })
          .pipe(withFaults([{ kind: "drop_connection", operations: ["createCustomer"], nth: [1] }]));
        assert.strictEqual((yield* requestCount("createCustomer")) - before, 2);
        const all = (yield* customers.list()).customers ?? [];
        assert.deepStrictEqual(
          all.map((c) => c.id),
          [customer?.id],
        );
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("a body cut short is retried for a safe operation", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        yield* customers.create({ given_name: "Katherine" });
        const before = yield* requestCount("listCustomers");
        const { customers: listed } = yield* customers
          .list()
          .pipe(withFaults([{ kind: "truncated_body", operations: ["listCustomers"], nth: [1] }]));
        assert.lengthOf(listed ?? [], 1);
        assert.strictEqual((yield* requestCount("listCustomers")) - before, 2);
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("createMany: a bulk call whose answer is lost is retried with the same keys", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("bulkCreateCustomers");
        // The emulator creates the first chunk's customers, then drops the connection.
        const results = yield* Stream.runCollect(
          customers.createMany([{ given_name: "Ada" }, { given_name: "Grace" }, { given_name: "Hedy" }], {
            chunkSize: 2,
          }),
        ).pipe(withFaults([{ kind: "drop_connection", operations: ["bulkCreateCustomers"], nth: [1] }]));
        assert.strictEqual((yield* requestCount("bulkCreateCustomers")) - before, 3);
        assert.deepStrictEqual(
          results.map((r) => (r.outcome === "created" ? r.customer.given_name : r.outcome)),
          ["Ada", "Grace", "Hedy"],
        );
        const all = (yield* customers.list()).customers ?? [];
        assert.deepStrictEqual(
          all.map((c) => c.id).sort(),
          results.map((r) => (r.outcome === "created" ? r.customer.id : undefined)).sort(),
        );
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("the timeout is per attempt: a slow first attempt times out, the retry succeeds", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("listCustomers");
        // The first attempt is held far longer than the timeout; the second is answered at once.
        const page = yield* customers
          .list(undefined, { timeout: "500 millis" })
          .pipe(
            withFaults([{ kind: "latency", operations: ["listCustomers"], nth: [1], latencyMs: 10_000 }]),
          );
        assert.isUndefined(page.customers);
        assert.strictEqual((yield* requestCount("listCustomers")) - before, 2);
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("a caller's own idempotency key is kept across attempts", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const key = "caller-key-1";
        const first = yield* customers
          .create({ given_name: "Hedy", idempotency_key: key })
          .pipe(withFaults([{ kind: "drop_connection", operations: ["createCustomer"], nth: [1] }]));
        const again = yield* customers.create({ given_name: "Hedy", idempotency_key: key });
        assert.strictEqual(again.customer?.id, first.customer?.id);
        assert.lengthOf((yield* customers.list()).customers ?? [], 1);
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("re-running the same create effect (a caller's own retry) creates one customer", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const create = customers.create({ given_name: "Mary" });
        const first = yield* create;
        const again = yield* create;
        assert.strictEqual(again.customer?.id, first.customer?.id);
        assert.lengthOf((yield* customers.list()).customers ?? [], 1);
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("errors that are not transient are not retried", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("retrieveCustomer");
        const error = yield* Effect.flip(customers.retrieve("missing"));
        assert.strictEqual(error._tag, "SquareNotFound");
        assert.strictEqual((yield* requestCount("retrieveCustomer")) - before, 1);
      }).pipe(Effect.provide(clientLayer())),
    );

    it.effect("interruption stops the call: no answer awaited, no retry sent", () =>
      Effect.gen(function* () {
        const { customers } = yield* SquareClient;
        const before = yield* requestCount("listCustomers");
        const answeredBefore = answered.filter((e) => e.operation === "listCustomers").length;
        // Held far longer than this test takes, so "not answered yet" below cannot depend on timing.
        yield* withFaults([{ kind: "latency", operations: ["listCustomers"], latencyMs: 10_000 }])(
          Effect.gen(function* () {
            const fiber = yield* Effect.forkChild(customers.list());
            // Wait until the request has reached the emulator, then interrupt.
            while ((yield* requestCount("listCustomers")) === before) yield* Effect.sleep("5 millis");
            const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)));
            assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause));
          }),
        );
        // The fiber ended before the emulator answered, and nothing was sent again.
        assert.strictEqual(answered.filter((e) => e.operation === "listCustomers").length, answeredBefore);
        assert.strictEqual((yield* requestCount("listCustomers")) - before, 1);
      }).pipe(Effect.provide(clientLayer())),
    );
  },
);
