// The generated schemas at run time: unknown fields survive decoding (forward compatibility), the
// spec's shapes are enforced, and failures read well.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Schema } from "effect";
import { Schemas } from "../src/schemas.js";

/** The fields Square always returns on a customer, which the schemas require. */
const returned = (id: string) => ({
  id,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  version: 0,
  creation_source: "THIRD_PARTY" as const,
});

describe("generated schemas", () => {
  it.effect("keep fields the spec does not list, at every level", () =>
    Effect.gen(function* () {
      const input = {
        customer: {
          ...returned("C1"),
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
        responses: { key1: { customer: { ...returned("A"), extra: 1 } }, key2: { errors: [] } },
        customers: [{ ...returned("B"), extra: [1, 2] }],
      };
      const bulk = yield* Schema.decodeUnknownEffect(Schemas.BulkCreateCustomersResponse)(input);
      assert.deepStrictEqual(bulk, input);
    }),
  );

  it.effect("accept null where the spec allows it and reject it elsewhere", () =>
    Effect.gen(function* () {
      yield* Schema.decodeUnknownEffect(Schemas.Customer)({
        ...returned("A"),
        given_name: null,
        address: null,
      });
      const error = yield* Schema.decodeUnknownEffect(Schemas.Customer)({
        ...returned("A"),
        version: null,
      }).pipe(Effect.flip);
      assert.include(error.message, "version");
    }),
  );

  it.effect("accept enum values newer than the spec (and VERSION_MISMATCH, which it lacks)", () =>
    Effect.gen(function* () {
      const input: unknown = {
        customers: [{ ...returned("A"), creation_source: "HOLOGRAM" }],
        errors: [{ category: "INVALID_REQUEST_ERROR", code: "VERSION_MISMATCH" }],
      };
      assert.deepStrictEqual(yield* Schema.decodeUnknownEffect(Schemas.ListCustomersResponse)(input), input);
    }),
  );

  it.effect("report the path of a value of the wrong type", () =>
    Effect.gen(function* () {
      const error = yield* Schema.decodeUnknownEffect(Schemas.ListCustomersResponse)({
        customers: [returned("A"), { ...returned("B"), creation_source: 7 }],
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

  it.effect("require the fields Square always returns, in answers but not in requests", () =>
    Effect.gen(function* () {
      const { id: _, ...noId } = returned("A");
      const error = yield* Schema.decodeUnknownEffect(Schemas.RetrieveCustomerResponse)({
        customer: noId,
      }).pipe(Effect.flip);
      assert.include(error.message, `["customer"]["id"]`);
      const missing = yield* Schema.decodeUnknownEffect(Schemas.CreateCustomerResponse)({}).pipe(Effect.flip);
      assert.include(missing.message, "customer");
      // A request names a group by its name alone; Square fills in the rest.
      yield* Schema.decodeUnknownEffect(Schemas.CreateCustomerGroupRequest)({ group: { name: "VIP" } });
    }),
  );

  it.effect("take a Date or a string for request times, and only strings in answers", () =>
    Effect.gen(function* () {
      const range = { start_at: new Date("2025-01-01T00:00:00Z"), end_at: "2025-02-01T00:00:00Z" };
      assert.deepStrictEqual(yield* Schema.decodeUnknownEffect(Schemas.TimeRange)(range), range);
      const error = yield* Schema.decodeUnknownEffect(Schemas.Customer)({
        ...returned("A"),
        created_at: new Date(),
      }).pipe(Effect.flip);
      assert.include(error.message, "created_at");
    }),
  );
});
