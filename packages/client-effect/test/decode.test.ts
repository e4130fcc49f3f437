// Responses that are not what the API promises become SquareDecodeError with a message that says what
// went wrong; unknown fields from the server are kept.
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import { SquareClient } from "../src/index.js";
import { clientLayer, Emulator, requestCount, withFaults } from "./support.js";

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
      assert.match(error.message, /^retrieveCustomer: the HTTP 200 response is not JSON \(.+\)$/);
      assert.isString(error.requestId);
      assert.strictEqual((yield* requestCount("retrieveCustomer")) - before, 1);
    }).pipe(Effect.provide(clientLayer())),
  );
});
