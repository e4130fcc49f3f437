// Webhook event bodies are checked against the event schema named by their `type` (x-webhook.event),
// with the fields Square always sends required.
import { describe, expect, it } from "vitest";
import { createSpecValidator } from "../src/index.ts";

const spec = createSpecValidator();
const at = "2025-01-01T00:00:00Z";
const customer = { id: "C1", created_at: at, updated_at: at, version: 0, creation_source: "THIRD_PARTY" };
const created = {
  merchant_id: "M1",
  type: "customer.created",
  event_id: "e1",
  created_at: at,
  data: { type: "customer", id: "C1", object: { customer } },
};

describe("validateEvent", () => {
  it("passes an event of a known type in its schema's shape", () => {
    expect(spec.validateEvent(created)).toBeNull();
    const attribute = { key: "k", value: "v", version: 1, created_at: at, updated_at: at };
    expect(
      spec.validateEvent({
        ...created,
        type: "customer.custom_attribute.owned.updated",
        data: { type: "custom_attribute", id: "k:CUSTOMER:C1", object: { custom_attribute: attribute } },
      }),
    ).toBeNull();
  });

  it("fails an event that lacks what Square always sends", () => {
    const { event_id: _, ...noId } = created;
    expect(spec.validateEvent(noId)).toBe("customer.created event: / must have required property 'event_id'");
    expect(spec.validateEvent({ ...created, data: { ...created.data, object: {} } })).toMatch(/customer/);
  });

  it("fails an unknown type, and data whose type does not name its object", () => {
    expect(spec.validateEvent({ ...created, type: "payment.created" })).toMatch(
      /no event type payment.created/,
    );
    expect(spec.validateEvent({ ...created, data: { ...created.data, type: "custom_attribute" } })).toMatch(
      /data.type/,
    );
    expect(spec.validateEvent("nope")).toMatch(/type/);
  });
});
