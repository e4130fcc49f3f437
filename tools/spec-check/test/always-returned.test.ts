// Responses are held to the fields this project says Square always returns (always-returned.json),
// while requests, which leave those fields to Square, are not.
import { describe, expect, it } from "vitest";
import { createSpecValidator } from "../src/index.ts";

const spec = createSpecValidator();
const at = "2025-01-01T00:00:00Z";
const customer = { id: "C1", created_at: at, updated_at: at, version: 0, creation_source: "THIRD_PARTY" };
const get = { method: "GET", url: "/v2/customers/C1" };

describe("fields Square always returns", () => {
  it("pass when present", () => {
    expect(spec.validateResponse(get, 200, { customer })).toBeNull();
  });

  it("fail when missing or null on an object", () => {
    const { created_at: _, ...noCreatedAt } = customer;
    expect(spec.validateResponse(get, 200, { customer: noCreatedAt })).toBe(
      "RetrieveCustomer response: /customer must have required property 'created_at'",
    );
    expect(spec.validateResponse(get, 200, { customer: { ...customer, creation_source: null } })).toMatch(
      /creation_source/,
    );
  });

  it("fail when a successful answer lacks its payload", () => {
    expect(spec.validateResponse(get, 200, {})).toBe(
      "RetrieveCustomer response: / must have required property 'customer'",
    );
  });

  it("leave bulk entries free to hold errors instead", () => {
    const body = {
      responses: {
        a: { customer },
        b: { errors: [{ category: "INVALID_REQUEST_ERROR", code: "INVALID_EMAIL_ADDRESS" }] },
      },
    };
    expect(spec.validateResponse({ method: "POST", url: "/v2/customers/bulk-create" }, 200, body)).toBeNull();
  });

  it("are not asked of requests", () => {
    const request = { method: "POST", url: "/v2/customers/groups", body: { group: { name: "VIP" } } };
    expect(spec.validateRequest(request)).toBeNull();
  });
});
