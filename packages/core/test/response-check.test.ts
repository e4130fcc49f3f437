// How deep an answer (or a webhook event) is checked: one rule in core, for both clients. The shape a
// typed result promises is held; everything a newer Square-Version may add is let through.
import { describe, expect, it } from "vitest";
import { shapeProblem } from "../src/index.js";

const customer = {
  id: "C1",
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  version: 3,
  creation_source: "THIRD_PARTY",
};

describe("shapeProblem", () => {
  it("accepts an answer of its model's shape", () => {
    expect(shapeProblem("ListCustomersResponse", { customers: [customer], cursor: "c" })).toBeUndefined();
    expect(shapeProblem("ListCustomersResponse", {})).toBeUndefined();
    expect(shapeProblem("DeleteCustomerResponse", {})).toBeUndefined();
  });

  it("is forward compatible: unknown fields, new enum values and long strings pass", () => {
    const newer = {
      ...customer,
      creation_source: "A_SOURCE_SQUARE_ADDS_LATER",
      loyalty_tier: { name: "gold" },
      address: { country: "XX", planet: "Mars" },
      nickname: "n".repeat(5000),
    };
    expect(
      shapeProblem("RetrieveCustomerResponse", { customer: newer, served_by: "edge-7" }),
    ).toBeUndefined();
  });

  it("names where a field has the wrong type, is null or is missing", () => {
    expect(
      shapeProblem("ListCustomersResponse", { customers: [customer, { ...customer, version: "4" }] }),
    ).toBe("customers[1].version is not an integer");
    expect(shapeProblem("RetrieveCustomerResponse", { customer: { ...customer, id: null } })).toBe(
      "customer.id is null",
    );
    const { creation_source: _, ...incomplete } = customer;
    expect(shapeProblem("RetrieveCustomerResponse", { customer: incomplete })).toBe(
      "customer.creation_source is missing",
    );
    expect(shapeProblem("RetrieveCustomerResponse", {})).toBe("customer is missing");
    expect(shapeProblem("ListCustomersResponse", { customers: {} })).toBe("customers is not an array");
    expect(shapeProblem("ListCustomersResponse", { cursor: 7 })).toBe("cursor is not a string");
    expect(shapeProblem("ListCustomersResponse", [])).toBe("the body is not an object");
  });

  it("lets a field the spec marks nullable be null, and any value be an untyped field", () => {
    expect(
      shapeProblem("RetrieveCustomerResponse", { customer: { ...customer, nickname: null, address: null } }),
    ).toBeUndefined();
    const attribute = { key: "k", version: 1, created_at: "t", updated_at: "t" };
    for (const value of [null, 1, "x", [1], { a: { b: 2 } }]) {
      expect(
        shapeProblem("RetrieveCustomerCustomAttributeResponse", {
          custom_attribute: { ...attribute, value },
        }),
      ).toBeUndefined();
    }
  });

  it("holds each entry of a bulk answer to the entry form: its result, or only its errors", () => {
    const errors = [{ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" }];
    expect(
      shapeProblem("BulkRetrieveCustomersResponse", { responses: { C1: { customer }, C2: { errors } } }),
    ).toBeUndefined();
    expect(
      shapeProblem("BulkRetrieveCustomersResponse", { responses: { C1: { customer: { id: "C1" } } } }),
    ).toBe("responses.C1.customer.created_at is missing");
    expect(shapeProblem("BulkRetrieveCustomersResponse", {})).toBe("responses is missing");
  });

  it("checks webhook events by their model", () => {
    const event = {
      merchant_id: "M",
      type: "customer.created",
      event_id: "E",
      created_at: "2025-01-01T00:00:00Z",
      data: { type: "customer", id: "C1", object: { customer } },
    };
    expect(shapeProblem("CustomerCreatedEvent", event)).toBeUndefined();
    expect(shapeProblem("CustomerCreatedEvent", { ...event, data: { ...event.data, object: {} } })).toBe(
      "data.object.customer is missing",
    );
  });
});
