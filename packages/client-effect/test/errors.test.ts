// Each typed error, produced by the emulator over HTTP (or, for SquareRequestInvalid, by core's
// pre-flight validation with nothing sent), and catchable by its tag.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { assert, layer } from "@effect/vitest";
import { type OperationName, operations } from "@square-customers/core";
import { DEFAULT_MAX_RETRIES } from "@square-customers/core/client-kit";
import { Effect, Layer, Schedule } from "effect";
import { FetchHttpClient } from "effect/http";
import { SquareClient, type SquareClientError } from "../src/index.js";
import { clientLayer, Emulator, newToken, requestCount, withFaults } from "./support.js";

/** A URL on 127.0.0.1 where nothing listens (a port the OS just handed out and we released). */
const closedPortUrl = Effect.promise(
  () =>
    new Promise<string>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    }),
);

const noRetries = Schedule.recurs(0);

layer(Emulator.layer(), { excludeTestServices: true })("typed errors", (it) => {
  it.effect("SquareNotFound from every operation that addresses a missing resource", () =>
    Effect.gen(function* () {
      const square = yield* SquareClient;
      const missing = "does-not-exist";
      // Each operation with path parameters, called with ids that name nothing.
      const calls: Array<[OperationName, Effect.Effect<unknown, SquareClientError>]> = [
        ["retrieveCustomer", square.customers.retrieve(missing)],
        ["updateCustomer", square.customers.update(missing, { note: "x" })],
        ["deleteCustomer", square.customers.delete(missing)],
        ["retrieveCustomerGroup", square.customers.groups.retrieve(missing)],
        ["updateCustomerGroup", square.customers.groups.update(missing, { group: { name: "x" } })],
        ["deleteCustomerGroup", square.customers.groups.delete(missing)],
        ["addGroupToCustomer", square.customers.groups.add(missing, missing)],
        ["removeGroupFromCustomer", square.customers.groups.remove(missing, missing)],
        ["retrieveCustomerSegment", square.customers.segments.retrieve(missing)],
        ["createCustomerCard", square.customers.cards.create(missing, { card_nonce: "cnon:card-nonce-ok" })],
        ["deleteCustomerCard", square.customers.cards.delete(missing, missing)],
        [
          "retrieveCustomerCustomAttributeDefinition",
          square.customers.customAttributeDefinitions.retrieve(missing),
        ],
        [
          "updateCustomerCustomAttributeDefinition",
          square.customers.customAttributeDefinitions.update(missing, {
            custom_attribute_definition: { name: "x" },
          }),
        ],
        [
          "deleteCustomerCustomAttributeDefinition",
          square.customers.customAttributeDefinitions.delete(missing),
        ],
        ["listCustomerCustomAttributes", square.customers.customAttributes.list(missing)],
        ["retrieveCustomerCustomAttribute", square.customers.customAttributes.retrieve(missing, missing)],
        [
          "upsertCustomerCustomAttribute",
          square.customers.customAttributes.upsert(missing, missing, { custom_attribute: { value: "x" } }),
        ],
        ["deleteCustomerCustomAttribute", square.customers.customAttributes.delete(missing, missing)],
        ["retrieveWebhookSubscription", square.webhooks.subscriptions.retrieve(missing)],
        [
          "updateWebhookSubscription",
          square.webhooks.subscriptions.update(missing, { subscription: { name: "x" } }),
        ],
        ["deleteWebhookSubscription", square.webhooks.subscriptions.delete(missing)],
        ["updateWebhookSubscriptionSignatureKey", square.webhooks.subscriptions.updateSignatureKey(missing)],
        ["testWebhookSubscription", square.webhooks.subscriptions.test(missing)],
      ];
      const withPathParams = Object.entries(operations).filter(([, op]) => op.pathParams.length > 0);
      assert.strictEqual(calls.length, withPathParams.length);
      for (const [name, call] of calls) {
        const error = yield* Effect.flip(call);
        assert.strictEqual(error._tag, "SquareNotFound", `${name}: ${error.message}`);
        assert.strictEqual(error.operation, name);
        assert.strictEqual(error.status, 404);
        assert.isString(error.requestId);
      }
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("SquareConflict on a stale version (catchTag recovers it)", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.create({ given_name: "Ada" });
      yield* customers.update(customer!.id!, { note: "one", version: customer!.version! });
      const recovered = yield* customers
        .update(customer!.id!, { note: "two", version: customer!.version! })
        .pipe(
          Effect.as("updated"),
          Effect.catchTag("SquareConflict", (e) => Effect.succeed(`conflict ${e.errors[0]?.code}`)),
        );
      assert.strictEqual(recovered, "conflict VERSION_MISMATCH");
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("SquareBadRequest for what only the server can judge (a bad cursor)", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const error = yield* Effect.flip(customers.list({ cursor: "not-a-cursor" }));
      assert.strictEqual(error._tag, "SquareBadRequest");
      assert.strictEqual(error.errors[0]?.code, "INVALID_CURSOR");
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("SquareRequestInvalid before sending: nothing reaches the server", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const before = yield* requestCount("createCustomer");
      const error = yield* Effect.flip(customers.create({ email_address: "not an email" }));
      assert.strictEqual(error._tag, "SquareRequestInvalid");
      assert.strictEqual(error.errors[0]?.code, "INVALID_EMAIL_ADDRESS");
      assert.strictEqual(error.errors[0]?.field, "email_address");
      assert.strictEqual(yield* requestCount("createCustomer"), before);

      const limit = yield* Effect.flip(customers.list({ limit: 500 }));
      assert.strictEqual(limit._tag, "SquareRequestInvalid");
      const path = yield* Effect.flip(customers.retrieve(""));
      assert.strictEqual(path._tag, "SquareRequestInvalid");
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("SquareRateLimited once retries are used up, with Retry-After", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const before = yield* requestCount("listCustomers");
      const error = yield* Effect.flip(customers.list()).pipe(
        withFaults([{ kind: "rate_limit", retryAfterSeconds: 0 }]),
      );
      // Bounded: the first attempt and DEFAULT_MAX_RETRIES retries, then the error.
      assert.strictEqual((yield* requestCount("listCustomers")) - before, 1 + DEFAULT_MAX_RETRIES);
      assert.strictEqual(error._tag, "SquareRateLimited");
      assert.strictEqual(error.status, 429);
      assert.strictEqual(error._tag === "SquareRateLimited" && error.retryAfter, "0");
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("SquareServerError", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const error = yield* Effect.flip(customers.list()).pipe(withFaults([{ kind: "server_error" }]));
      assert.strictEqual(error._tag, "SquareServerError");
      assert.strictEqual(error.status, 500);
    }).pipe(Effect.provide(clientLayer({ retrySchedule: noRetries }))),
  );

  it.effect("SquareTransportError when the connection drops", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const error = yield* Effect.flip(customers.list()).pipe(withFaults([{ kind: "drop_connection" }]));
      assert.strictEqual(error._tag, "SquareTransportError");
    }).pipe(Effect.provide(clientLayer({ retrySchedule: noRetries }))),
  );

  it.effect("SquareTimeout when an attempt takes longer than `timeout`", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const error = yield* Effect.flip(customers.list(undefined, { timeout: "20 millis" })).pipe(
        withFaults([{ kind: "latency", latencyMs: 300 }]),
      );
      assert.strictEqual(error._tag, "SquareTimeout");
      assert.strictEqual(error._tag === "SquareTimeout" && error.timeoutMs, 20);
    }).pipe(Effect.provide(clientLayer({ retrySchedule: noRetries }))),
  );

  it.effect("SquareTransportError when nothing listens", () =>
    Effect.gen(function* () {
      const square = yield* SquareClient;
      const error = yield* Effect.flip(square.customers.list());
      assert.strictEqual(error._tag, "SquareTransportError");
      assert.include(error.message, "listCustomers");
    }).pipe(
      Effect.provide(
        Layer.unwrap(
          Effect.map(closedPortUrl, (url) =>
            SquareClient.layer({ accessToken: newToken(), environment: url, retrySchedule: noRetries }),
          ),
        ).pipe(Layer.provide(FetchHttpClient.layer)),
      ),
    ),
  );
});

// Authentication and scopes need an emulator that accepts only some tokens.
layer(Emulator.layer({ tokens: ["full-access", { token: "read-only", scopes: ["CUSTOMERS_READ"] }] }), {
  excludeTestServices: true,
})("auth errors", (it) => {
  it.effect("SquareUnauthorized for an unknown token", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const error = yield* Effect.flip(customers.list());
      assert.strictEqual(error._tag, "SquareUnauthorized");
      assert.strictEqual(error.status, 401);
      assert.notInclude(error.message, "intruder");
    }).pipe(Effect.provide(clientLayer({ accessToken: "intruder" }))),
  );

  it.effect("SquareForbidden for a write with a read-only token", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      yield* customers.list();
      const error = yield* Effect.flip(customers.create({ given_name: "Eve" }));
      assert.strictEqual(error._tag, "SquareForbidden");
      assert.strictEqual(error.errors[0]?.code, "INSUFFICIENT_SCOPES");
    }).pipe(Effect.provide(clientLayer({ accessToken: "read-only" }))),
  );
});
