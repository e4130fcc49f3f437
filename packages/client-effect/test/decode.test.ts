// Responses that are not what the API promises become SquareDecodeError with a message that says what
// went wrong (core's check, the same as the promise client's); unknown fields from the server are kept.
import { assert, layer } from "@effect/vitest";
import { Effect, Layer } from "effect";
import { HttpClient, HttpClientResponse } from "effect/http";
import { SquareClient } from "../src/index.js";
import { clientLayer, Emulator, requestCount, withFaults } from "./support.js";

/**
 * A transport that answers every request with 200 and `body`. The emulator only ever sends well-typed
 * JSON (or a cut-off body), so a well-formed body of the wrong shape has to come from a stand-in.
 */
const answering = (body: unknown) =>
  Layer.succeed(HttpClient.HttpClient)(
    HttpClient.make((request) =>
      Effect.succeed(
        HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(body), {
            headers: { "content-type": "application/json", "x-request-id": "req-1" },
          }),
        ),
      ),
    ),
  );

layer(Emulator.layer(), { excludeTestServices: true })("decoding", (it) => {
  it.effect("a malformed body is a SquareDecodeError with a readable message, not retried", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.create({ given_name: "Ada" });
      const before = yield* requestCount("retrieveCustomer");
      const error = yield* Effect.flip(customers.retrieve(customer!.id!)).pipe(
        withFaults([{ kind: "malformed_body", operations: ["retrieveCustomer"] }]),
      );
      assert.strictEqual(error._tag, "SquareDecodeError");
      assert.strictEqual(error.status, 200);
      assert.match(error.message, /^retrieveCustomer: the HTTP 200 response body is not valid JSON$/);
      assert.isString(error.requestId);
      assert.strictEqual((yield* requestCount("retrieveCustomer")) - before, 1);
    }).pipe(Effect.provide(clientLayer())),
  );

  it.effect("a JSON body of the wrong shape is a SquareDecodeError naming the model and the path", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const error = yield* Effect.flip(customers.retrieve("C1"));
      assert.strictEqual(error._tag, "SquareDecodeError");
      assert.strictEqual(error.status, 200);
      assert.strictEqual(error.requestId, "req-1");
      assert.strictEqual(
        error.message,
        "retrieveCustomer: the HTTP 200 response does not match RetrieveCustomerResponse: customer.version is not an integer",
      );
      assert.strictEqual(error.kind, "format");
      assert.isFalse(error.retryable);
    }).pipe(
      Effect.provide(
        SquareClient.layer({ accessToken: "t", environment: "http://127.0.0.1:9" }).pipe(
          Layer.provide(
            answering({
              customer: {
                id: "C1",
                created_at: "2025-01-01T00:00:00Z",
                updated_at: "2025-01-01T00:00:00Z",
                creation_source: "THIRD_PARTY",
                version: "seven",
              },
            }),
          ),
        ),
      ),
    ),
  );
});
