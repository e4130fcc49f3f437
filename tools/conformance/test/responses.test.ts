// How deep an answer is checked, in both clients: core's one rule. A server that answers what a newer
// Square might (fields this package does not know, enum values added later) is read as it is, unknown
// fields kept; an answer that breaks the shape its type promises is the same format error in both, with
// the same message. The answers come from a recording server, so any body can be served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { error, flavors, value } from "../src/clients.ts";
import { type Recorder, startRecorder } from "../src/recorder.ts";

let recorder: Recorder;
beforeAll(async () => {
  recorder = await startRecorder();
});
afterAll(async () => {
  await recorder.close();
});

const at = "2025-01-01T00:00:00Z";
const customer = { id: "C1", created_at: at, updated_at: at, version: 3, creation_source: "THIRD_PARTY" };

/** What each flavor makes of `name` called with `args`, when the server answers 200 with `body`. */
async function answered(
  name: Parameters<ReturnType<(typeof flavors)[number]["connect"]>["call"]>[0],
  args: unknown[],
  body: unknown,
) {
  recorder.answerWith(() => ({ status: 200, body, headers: { "x-request-id": "R1" } }));
  const outcomes = [];
  for (const flavor of flavors) {
    outcomes.push(
      await flavor.connect({ url: recorder.url, token: "EAAAresponses", maxRetries: 0 }).call(name, args),
    );
  }
  return { promise: outcomes[0]!, effect: outcomes[1]! };
}

describe("both clients read answers alike", () => {
  it("accepting what a newer Square may send: unknown fields (kept) and new enum values", async () => {
    const newer = {
      customer: {
        ...customer,
        creation_source: "A_SOURCE_ADDED_LATER",
        preferences: { email_unsubscribed: false, sms_unsubscribed: true },
        loyalty: { points: 120, tier: { name: "gold" } },
        address: { country: "XK", planet: "Mars" },
      },
      served_by: "edge-7",
    };
    const { promise, effect } = await answered("retrieveCustomer", ["C1"], newer);
    expect(value(promise)).toEqual(newer);
    expect(value(effect)).toEqual(newer);
  });

  it("refusing an answer that breaks its shape: the same format error, the same message", async () => {
    const page = { customers: [customer, { ...customer, id: "C2", version: "4" }], cursor: "next" };
    const { promise, effect } = await answered("listCustomers", [{}], page);
    expect(error(promise)).toEqual(error(effect));
    expect(error(promise)).toEqual({
      kind: "format",
      retryable: false,
      status: 200,
      errors: [],
      hasRequestId: true,
      reason: undefined,
      message:
        "listCustomers: the HTTP 200 response does not match ListCustomersResponse: customers[1].version is not an integer",
    });

    const hollow = await answered("createCustomer", [{ given_name: "Ada" }], {});
    expect(error(hollow.promise)).toEqual(error(hollow.effect));
    expect(error(hollow.promise).message).toBe(
      "createCustomer: the HTTP 200 response does not match CreateCustomerResponse: customer is missing",
    );
  });

  it("taking a bulk answer's entries as results or as their own errors", async () => {
    const errors = [{ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND", detail: "gone" }];
    const body = { responses: { C1: { customer }, C2: { errors } } };
    const { promise, effect } = await answered(
      "bulkRetrieveCustomers",
      [{ customer_ids: ["C1", "C2"] }],
      body,
    );
    expect(value(promise)).toEqual(body);
    expect(value(effect)).toEqual(body);
  });
});
