// The generated schemas at run time: unknown fields survive decoding (forward compatibility), the
// spec's shapes are enforced, and failures read well.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Schema } from "effect";
import { Schemas } from "../src/index.js";

describe("generated schemas", () => {
  it.effect("keep fields the spec does not list, at every level", () =>
    Effect.gen(function* () {
      const input = {
        customer: {
          id: "C1",
          given_name: "Amelia",
          loyalty_tier: "gold",
          address: { locality: "Paris", geo: { lat: 48.8 } },
          preferences: { email_unsubscribed: false, sms_opt_in: true },
        },
        served_by: "edge-7",
      };
      const decoded = yield* Schema.decodeUnknownEffect(Schemas.RetrieveCustomerResponse)(input);
      assert.deepStrictEqual(decoded, input);
    }),
  );

  it.effect("keep unknown fields inside maps and arrays", () =>
    Effect.gen(function* () {
      const input = {
        responses: { key1: { customer: { id: "A", extra: 1 } } },
        customers: [{ id: "B", extra: [1, 2] }],
      };
      const bulk = yield* Schema.decodeUnknownEffect(Schemas.BulkCreateCustomersResponse)(input);
      assert.deepStrictEqual(bulk, input);
    }),
  );

  it.effect("accept null where the spec allows it and reject it elsewhere", () =>
    Effect.gen(function* () {
      yield* Schema.decodeUnknownEffect(Schemas.Customer)({ given_name: null, address: null });
      const error = yield* Schema.decodeUnknownEffect(Schemas.Customer)({ version: null }).pipe(Effect.flip);
      assert.include(error.message, "version");
    }),
  );

  it.effect("accept enum values newer than the spec (and VERSION_MISMATCH, which it lacks)", () =>
    Effect.gen(function* () {
      const input: unknown = {
        customers: [{ id: "A", creation_source: "HOLOGRAM" }],
        errors: [{ category: "INVALID_REQUEST_ERROR", code: "VERSION_MISMATCH" }],
      };
      assert.deepStrictEqual(yield* Schema.decodeUnknownEffect(Schemas.ListCustomersResponse)(input), input);
    }),
  );

  it.effect("report the path of a value of the wrong type", () =>
    Effect.gen(function* () {
      const error = yield* Schema.decodeUnknownEffect(Schemas.ListCustomersResponse)({
        customers: [{ id: "A" }, { id: "B", creation_source: 7 }],
      }).pipe(Effect.flip);
      assert.include(error.message, `["customers"][1]["creation_source"]`);
    }),
  );

  it.effect("enforce required fields", () =>
    Effect.gen(function* () {
      const error = yield* Schema.decodeUnknownEffect(Schemas.CustomerGroup)({ id: "G" }).pipe(Effect.flip);
      assert.include(error.message, "name");
    }),
  );
});
