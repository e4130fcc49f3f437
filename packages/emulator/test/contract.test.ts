// Contract test: one successful call of every operation in core's table, each answer checked against
// spec/ by the harness (as are all answers, success or error, in every other test file, and every webhook
// event body a test receiver gets). The final assertion proves no operation was left out.
import { operations } from "@square-customers/core";
import { createSpecValidator } from "@square-customers/spec-check";
import { expect, it } from "vitest";
import { checkedOperations, client, emulator } from "./helpers.js";
import { receiver } from "./receiver.js";

const STRING = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String";

it("every operation answers in the shape the spec promises", async () => {
  const api = client(await emulator({ seed: 30 }), "contract");
  const ok = async (method: string, path: string, options: Parameters<typeof api>[2] = {}) => {
    const res = await api(method, path, options);
    expect(res.status, `${method} ${path}: ${res.text}`).toBe(200);
    return res.body;
  };

  const { customer } = await ok("POST", "/v2/customers", {
    body: {
      given_name: "Contract",
      family_name: "Test",
      email_address: "contract@example.com",
      phone_number: "+14155550100",
      address: { address_line_1: "1 Main St", country: "US" },
      birthday: "1990-05-06",
      tax_ids: { eu_vat: "IE3426675K" },
      idempotency_key: "contract-create",
    },
  });
  const id = customer.id;
  await ok("GET", "/v2/customers", {
    query: { limit: 10, sort_field: "CREATED_AT", sort_order: "DESC", count: true },
  });
  await ok("GET", `/v2/customers/${id}`);
  await ok("PUT", `/v2/customers/${id}`, { body: { nickname: "CT", version: 0 } });
  await ok("POST", "/v2/customers/search", {
    body: {
      limit: 5,
      count: true,
      query: { filter: { email_address: { fuzzy: "example" } }, sort: { field: "DEFAULT" } },
    },
  });
  const bulk = await ok("POST", "/v2/customers/bulk-create", {
    body: {
      customers: { a: { given_name: "Bulk A" }, b: { given_name: "Bulk B" }, bad: { email_address: "x" } },
    },
  });
  const bulkIds = [bulk.responses.a.customer.id, bulk.responses.b.customer.id];
  await ok("POST", "/v2/customers/bulk-retrieve", { body: { customer_ids: [...bulkIds, "MISSING"] } });
  await ok("POST", "/v2/customers/bulk-update", {
    body: { customers: { [bulkIds[0]]: { note: "n" }, [bulkIds[1]]: { note: "n", version: 9 } } },
  });
  await ok("POST", "/v2/customers/bulk-delete", { body: { customer_ids: [...bulkIds, "MISSING"] } });

  const { group } = await ok("POST", "/v2/customers/groups", { body: { group: { name: "Contract group" } } });
  await ok("GET", "/v2/customers/groups", { query: { limit: 1 } });
  await ok("GET", `/v2/customers/groups/${group.id}`);
  await ok("PUT", `/v2/customers/groups/${group.id}`, { body: { group: { name: "Renamed" } } });
  await ok("PUT", `/v2/customers/${id}/groups/${group.id}`);
  await ok("DELETE", `/v2/customers/${id}/groups/${group.id}`);

  const { segments } = await ok("GET", "/v2/customers/segments", { query: { limit: 2 } });
  await ok("GET", `/v2/customers/segments/${segments[0].id}`);

  const { card } = await ok("POST", `/v2/customers/${id}/cards`, {
    body: {
      card_nonce: "cnon:card-nonce-ok",
      billing_address: { postal_code: "94103" },
      cardholder_name: "C T",
    },
  });
  await ok("DELETE", `/v2/customers/${id}/cards/${card.id}`);

  await ok("POST", "/v2/customers/custom-attribute-definitions", {
    body: {
      custom_attribute_definition: {
        key: "favorite",
        name: "Favorite",
        description: "Favorite thing",
        schema: { $ref: STRING },
        visibility: "VISIBILITY_READ_WRITE_VALUES",
      },
      idempotency_key: "contract-def",
    },
  });
  await ok("GET", "/v2/customers/custom-attribute-definitions", { query: { limit: 5 } });
  await ok("GET", "/v2/customers/custom-attribute-definitions/favorite", { query: { version: 1 } });
  await ok("PUT", "/v2/customers/custom-attribute-definitions/favorite", {
    body: { custom_attribute_definition: { description: "Updated", version: 1 } },
  });
  await ok("POST", `/v2/customers/${id}/custom-attributes/favorite`, {
    body: { custom_attribute: { value: "Tea" }, idempotency_key: "contract-upsert" },
  });
  await ok("POST", "/v2/customers/custom-attributes/bulk-upsert", {
    body: {
      values: {
        one: { customer_id: id, custom_attribute: { key: "favorite", value: "Coffee" } },
        two: { customer_id: "MISSING", custom_attribute: { key: "favorite", value: "x" } },
      },
    },
  });
  await ok("GET", `/v2/customers/${id}/custom-attributes`, { query: { with_definitions: true, limit: 5 } });
  await ok("GET", `/v2/customers/${id}/custom-attributes/favorite`, { query: { with_definition: true } });
  await ok("DELETE", `/v2/customers/${id}/custom-attributes/favorite`);
  await ok("DELETE", "/v2/customers/custom-attribute-definitions/favorite");
  await ok("DELETE", `/v2/customers/groups/${group.id}`);
  await ok("DELETE", `/v2/customers/${id}`, { query: { version: 1 } });

  const hook = await receiver();
  await ok("GET", "/v2/webhooks/event-types", { query: { api_version: "2025-01-23" } });
  const { subscription } = await ok("POST", "/v2/webhooks/subscriptions", {
    body: {
      subscription: { name: "Contract", event_types: ["customer.created"], notification_url: hook.url },
      idempotency_key: "contract-subscription",
    },
  });
  const hooks = `/v2/webhooks/subscriptions/${subscription.id}`;
  await ok("GET", "/v2/webhooks/subscriptions", {
    query: { include_disabled: true, sort_order: "DESC", limit: 5 },
  });
  await ok("GET", hooks);
  await ok("PUT", hooks, { body: { subscription: { name: "Renamed", enabled: true } } });
  await ok("POST", `${hooks}/signature-key`, { body: { idempotency_key: "contract-rotate" } });
  await ok("POST", `${hooks}/test`, { body: { event_type: "customer.created" } });
  await hook.waitFor(1); // the test event's body is checked against spec/ too
  await ok("DELETE", hooks);

  const expected = Object.values(operations).map((op) => op.operationId);
  expect(expected).toHaveLength(39);
  expect([...checkedOperations].sort()).toEqual([...expected].sort());
});

it("the spec check itself catches a broken answer (so the harness is not vacuous)", () => {
  const validator = createSpecValidator();
  const problem = validator.validateResponse({ method: "GET", url: "/v2/customers/X" }, 200, {
    customer: { version: "one" },
  });
  expect(problem).toMatch(/RetrieveCustomer.*\/customer\/version/);
  expect(
    validator.validateResponse({ method: "GET", url: "/v2/customers/X" }, 404, { oops: true }),
  ).not.toBeNull();
});
