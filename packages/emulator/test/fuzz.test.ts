// A few hundred malformed requests from a seeded generator (so a failure reproduces): every one must get
// a well-formed Square answer below 500 — checked against the spec by the harness — and the server must
// keep serving throughout.
import { operations } from "@square-customers/core";
import { expect, it } from "vitest";
import { seededRandom } from "../src/random.js";
import { type Answer, type Api, client, createCustomer, emulator } from "./helpers.js";

const random = seededRandom(20250820);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const WEIRD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  true,
  "",
  " ",
  "x".repeat(5000),
  "\u0000",
  "\ud800",
  "😀".repeat(50),
  "<script>",
  "'; DROP TABLE customers; --",
  [],
  [null],
  {},
  { nested: { deeper: [1, { x: "y" }] } },
  "2024-13-45",
  "not@an@email",
];

const SEGMENTS = [
  "",
  "x",
  "%00",
  "%FF",
  "%E2%82",
  "..",
  "%2e%2e",
  "groups",
  "search",
  "😀",
  "%20",
  "a%2Fb",
  "*",
];

/** Valid-looking bodies to mutate, per operation with a body. */
const BODIES: Record<string, unknown> = {
  createCustomer: { given_name: "F", email_address: "f@example.com", address: { country: "US" } },
  updateCustomer: { nickname: "n", version: 0 },
  searchCustomers: {
    limit: 5,
    query: {
      filter: {
        email_address: { fuzzy: "ex" },
        created_at: { start_at: "2024-01-01T00:00:00Z" },
        group_ids: { any: ["g"] },
      },
      sort: { field: "CREATED_AT", order: "DESC" },
    },
  },
  bulkCreateCustomers: { customers: { k1: { given_name: "B" } } },
  bulkUpdateCustomers: { customers: { ID: { given_name: "B" } } },
  bulkRetrieveCustomers: { customer_ids: ["a", "b"] },
  bulkDeleteCustomers: { customer_ids: ["a"] },
  createCustomerGroup: { group: { name: "G" } },
  updateCustomerGroup: { group: { name: "G" } },
  createCustomerCard: { card_nonce: "cnon:x" },
  createCustomerCustomAttributeDefinition: {
    custom_attribute_definition: { key: "k", schema: { type: "array", items: { names: ["a"] } } },
  },
  updateCustomerCustomAttributeDefinition: { custom_attribute_definition: { name: "n" } },
  upsertCustomerCustomAttribute: { custom_attribute: { value: "v" } },
  bulkUpsertCustomerCustomAttributes: {
    values: { e: { customer_id: "c", custom_attribute: { key: "k", value: 1 } } },
  },
  // Notification URLs on loopback's discard port: a subscription the fuzzer manages to create delivers
  // nowhere but a refused local connection.
  createWebhookSubscription: {
    subscription: {
      event_types: ["customer.created"],
      notification_url: "http://127.0.0.1:9/fuzz",
      enabled: false,
    },
  },
  updateWebhookSubscription: { subscription: { name: "n", notification_url: "http://127.0.0.1:9/fuzz" } },
  updateWebhookSubscriptionSignatureKey: { idempotency_key: "k" },
  testWebhookSubscription: { event_type: "customer.created" },
};

/** Replaces one randomly chosen node of a JSON value with a weird value. */
function mutate(value: unknown): unknown {
  if (value === null || typeof value !== "object" || random() < 0.25) return pick(WEIRD_VALUES);
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  const keys = Object.keys(copy);
  if (keys.length === 0 || random() < 0.1) {
    copy[pick(["extra", "__proto__", "constructor", "version", "cursor"])] = pick(WEIRD_VALUES);
    return copy;
  }
  const key = pick(keys);
  if (random() < 0.15) delete copy[key];
  else copy[key] = mutate(copy[key]);
  return copy;
}

function randomPath(customerId: string): string {
  const op = pick(Object.values(operations));
  return op.path.replace(/\{\w+\}/g, () => (random() < 0.3 ? customerId : pick(SEGMENTS)));
}

it("answers hundreds of malformed requests with well-formed 4xx envelopes and keeps serving", async () => {
  const e = await emulator({ seed: 5 });
  const api: Api = client(e, "fuzz");
  const known = await createCustomer(api);
  const statuses = new Map<number, number>();
  const record = (res: Answer) => statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);

  const requests: Array<() => Promise<Answer>> = [];
  for (let i = 0; i < 400; i++) {
    const kind = i % 8;
    if (kind <= 2) {
      // A known operation with a mutated body.
      const [name, body] = pick(Object.entries(BODIES));
      const op = operations[name as keyof typeof operations];
      const path = op.path.replace(/\{\w+\}/g, () => (random() < 0.5 ? known.id : pick(SEGMENTS)));
      requests.push(() => api(op.method, path, { body: mutate(body) }));
    } else if (kind === 3) {
      // Raw text that is not (valid) JSON.
      const raw = pick([
        '{"given_name":',
        "{]",
        "\u0000\u0001",
        "{}".repeat(1000),
        '{"a":1}{"b":2}',
        "\ufeff{}",
        "true",
      ]);
      requests.push(() =>
        api("POST", pick(["/v2/customers", "/v2/customers/search", "/v2/customers/bulk-create"]), { raw }),
      );
    } else if (kind === 4) {
      // Odd paths and methods.
      const method = pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
      requests.push(() =>
        api(method, randomPath(known.id), method === "GET" || method === "OPTIONS" ? {} : { body: {} }),
      );
    } else if (kind === 5) {
      // Bad query parameters on reads.
      const query: Record<string, string> = {};
      query[
        pick(["limit", "cursor", "sort_field", "sort_order", "count", "version", "with_definitions", "x"])
      ] = String(pick(WEIRD_VALUES.filter((v) => typeof v !== "object")));
      const path = pick([
        "/v2/customers",
        "/v2/customers/groups",
        "/v2/customers/segments",
        `/v2/customers/${known.id}`,
        "/v2/customers/custom-attribute-definitions",
        `/v2/customers/${known.id}/custom-attributes`,
      ]);
      requests.push(() => api("GET", path, { query }));
    } else if (kind === 6) {
      // Bad auth and version headers.
      const headers = pick([
        { authorization: "Bearer" },
        { authorization: "bearer  " },
        { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
        { "square-version": "yesterday" },
        { "square-version": "2025-02-31x" },
      ]);
      requests.push(() => api("GET", "/v2/customers", { headers, noAuth: "authorization" in headers }));
    } else {
      // Wrong top-level shapes for body operations.
      const [name] = pick(Object.entries(BODIES));
      const op = operations[name as keyof typeof operations];
      const path = op.path.replace(/\{\w+\}/g, () => known.id);
      requests.push(() => api(op.method, path, { body: pick([[], 1, "s", null, { "": 1 }]) }));
    }
  }

  // Eight at a time: enough concurrency to interleave, little enough for a 2-core machine.
  for (let i = 0; i < requests.length; i += 8) {
    const answers = await Promise.all(requests.slice(i, i + 8).map((r) => r()));
    for (const res of answers) {
      record(res);
      expect(res.status, res.text).toBeLessThan(500);
      if (res.status >= 400) expect(res.body.errors.length).toBeGreaterThan(0);
    }
  }
  const fourXX = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
  expect(fourXX).toBeGreaterThan(300);
  // Still serving, and the data is intact.
  expect((await api("GET", `/v2/customers/${known.id}`)).status).toBe(200);
  expect((await api("GET", "/v2/customers", { query: { count: true } })).status).toBe(200);
});
