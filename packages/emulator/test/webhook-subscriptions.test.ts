// The Webhook Subscriptions API over HTTP: event types, subscription CRUD, key rotation and the test
// event, with Square's error envelope for bad input and one merchant's subscriptions invisible to another.
import { customerEventTypes, SQUARE_VERSION } from "@square-customers/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { type Api, client, emulator, errorOf } from "./helpers.js";
import { receiver, verified } from "./receiver.js";

let e: Emulator;
let api: Api;
beforeAll(async () => {
  e = await emulator();
  api = client(e, "subscriptions-a");
});

const SUBSCRIPTIONS = "/v2/webhooks/subscriptions";

async function create(subscription: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await api("POST", SUBSCRIPTIONS, { body: { subscription, ...extra } });
  expect(res.status, res.text).toBe(200);
  return res.body.subscription;
}

describe("event types", () => {
  it("lists the 23 customer event types", async () => {
    const res = await api("GET", "/v2/webhooks/event-types");
    expect(res.status).toBe(200);
    expect(res.body.event_types).toEqual(Object.keys(customerEventTypes));
    expect(res.body.event_types).toHaveLength(23);
    expect(
      (await api("GET", "/v2/webhooks/event-types", { query: { api_version: "2025-01-23" } })).status,
    ).toBe(200);
    expect(errorOf(await api("GET", "/v2/webhooks/event-types", { query: { api_version: "soon" } }))).toEqual(
      {
        status: 400,
        code: "INVALID_VALUE",
        category: "INVALID_REQUEST_ERROR",
        field: "api_version",
      },
    );
  });
});

describe("subscriptions", () => {
  it("creates one with defaults, and shows its signature key only on create and rotation", async () => {
    const created = await create({
      name: "Mirror",
      event_types: ["customer.created", "customer.updated"],
      notification_url: "https://example.com/hooks",
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^wbhk_[0-9a-f]{32}$/),
      name: "Mirror",
      enabled: true,
      event_types: ["customer.created", "customer.updated"],
      notification_url: "https://example.com/hooks",
      api_version: SQUARE_VERSION,
      signature_key: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      created_at: expect.any(String),
      updated_at: created.created_at,
    });
    const { signature_key: key, ...shown } = created;
    const path = `${SUBSCRIPTIONS}/${created.id}`;
    expect((await api("GET", path)).body.subscription).toEqual(shown);
    expect((await api("GET", SUBSCRIPTIONS)).body.subscriptions).toEqual([shown]);

    const updated = (await api("PUT", path, { body: { subscription: { enabled: false, name: null } } })).body
      .subscription;
    expect(updated).not.toHaveProperty("signature_key");
    expect(updated).not.toHaveProperty("name");
    expect(updated.enabled).toBe(false);
    expect(updated.updated_at > created.updated_at).toBe(true);

    const rotated = await api("POST", `${path}/signature-key`, { body: { idempotency_key: "rotate-1" } });
    expect(rotated.body.signature_key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(rotated.body.signature_key).not.toBe(key);
    // The same idempotency key gives the same answer: the key is rotated once.
    const again = await api("POST", `${path}/signature-key`, { body: { idempotency_key: "rotate-1" } });
    expect(again.body.signature_key).toBe(rotated.body.signature_key);
    expect((await api("GET", path)).body.subscription).not.toHaveProperty("signature_key");

    expect((await api("DELETE", path)).body).toEqual({});
    expect(errorOf(await api("GET", path))).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("creates once per idempotency key", async () => {
    const body = { event_types: ["customer.deleted"], notification_url: "https://example.com/once" };
    const first = await create(body, { idempotency_key: "create-once" });
    const second = await create(body, { idempotency_key: "create-once" });
    expect(second).toEqual(first);
    const reused = await api("POST", SUBSCRIPTIONS, {
      body: { subscription: { ...body, name: "other" }, idempotency_key: "create-once" },
    });
    expect(errorOf(reused)).toMatchObject({ status: 400, code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("lists enabled ones in creation order, disabled ones on request, DESC, a page at a time", async () => {
    const own = client(e, "subscriptions-list");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await own("POST", SUBSCRIPTIONS, {
        body: {
          subscription: {
            event_types: ["customer.created"],
            notification_url: `https://example.com/${i}`,
            enabled: i !== 2,
          },
        },
      });
      ids.push(res.body.subscription.id);
    }
    const list = async (query: Record<string, string | number | boolean>) => {
      const res = await own("GET", SUBSCRIPTIONS, { query });
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    const idsOf = (page: { subscriptions?: Array<{ id: string }> }) =>
      (page.subscriptions ?? []).map((s) => s.id);
    expect(idsOf(await list({}))).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect(idsOf(await list({ include_disabled: true }))).toEqual(ids);
    expect(idsOf(await list({ include_disabled: true, sort_order: "DESC" }))).toEqual([...ids].reverse());

    const first = await list({ limit: 2, sort_order: "DESC" });
    expect(idsOf(first)).toEqual([ids[4], ids[3]]);
    const second = await list({ limit: 2, sort_order: "DESC", cursor: first.cursor });
    expect(idsOf(second)).toEqual([ids[1], ids[0]]);
    expect(second.cursor).toBeUndefined();
    // A cursor belongs to its listing (order and filter).
    expect(errorOf(await own("GET", SUBSCRIPTIONS, { query: { cursor: first.cursor } }))).toMatchObject({
      status: 400,
      code: "INVALID_CURSOR",
    });
  });

  it("belong to the merchant of the token that created them", async () => {
    const mine = await create({
      event_types: ["customer.created"],
      notification_url: "https://example.com/a",
    });
    const other = client(e, "subscriptions-b");
    expect((await other("GET", SUBSCRIPTIONS)).body).toEqual({});
    for (const [method, suffix] of [
      ["GET", ""],
      ["PUT", ""],
      ["DELETE", ""],
      ["POST", "/signature-key"],
      ["POST", "/test"],
    ] as const) {
      const res = await other(
        method,
        `${SUBSCRIPTIONS}/${mine.id}${suffix}`,
        method === "GET" || method === "DELETE" ? {} : { body: {} },
      );
      expect(errorOf(res), `${method} ${suffix}`).toEqual({
        status: 404,
        code: "NOT_FOUND",
        category: "INVALID_REQUEST_ERROR",
        field: "subscription_id",
      });
    }
  });
});

describe("bad input gets Square's error envelope, never a 500", () => {
  const valid = { event_types: ["customer.created"], notification_url: "https://example.com/x" };
  const cases: Array<[string, unknown, { code: string; field?: string }]> = [
    ["no subscription", {}, { code: "MISSING_REQUIRED_PARAMETER", field: "subscription" }],
    [
      "no URL",
      { subscription: { event_types: ["customer.created"] } },
      { code: "MISSING_REQUIRED_PARAMETER", field: "subscription.notification_url" },
    ],
    [
      "no event types",
      { subscription: { notification_url: "https://example.com" } },
      { code: "MISSING_REQUIRED_PARAMETER", field: "subscription.event_types" },
    ],
    [
      "a relative URL",
      { subscription: { ...valid, notification_url: "/hooks" } },
      { code: "INVALID_VALUE", field: "subscription.notification_url" },
    ],
    [
      "an ftp URL",
      { subscription: { ...valid, notification_url: "ftp://example.com/" } },
      { code: "INVALID_VALUE", field: "subscription.notification_url" },
    ],
    [
      "an unknown event type",
      { subscription: { ...valid, event_types: ["customer.created", "payment.created"] } },
      { code: "INVALID_VALUE", field: "subscription.event_types[1]" },
    ],
    [
      "no event type at all",
      { subscription: { ...valid, event_types: [] } },
      { code: "VALUE_EMPTY", field: "subscription.event_types" },
    ],
    [
      "a bad api_version",
      { subscription: { ...valid, api_version: "latest" } },
      { code: "INVALID_VALUE", field: "subscription.api_version" },
    ],
    [
      "enabled as text",
      { subscription: { ...valid, enabled: "yes" } },
      { code: "EXPECTED_BOOLEAN", field: "subscription.enabled" },
    ],
    [
      "event types as text",
      { subscription: { ...valid, event_types: "customer.created" } },
      { code: "EXPECTED_ARRAY", field: "subscription.event_types" },
    ],
    [
      "a long name",
      { subscription: { ...valid, name: "n".repeat(65) } },
      { code: "VALUE_TOO_LONG", field: "subscription.name" },
    ],
  ];
  it.each(cases)("create with %s", async (_, body, expected) => {
    const res = await api("POST", SUBSCRIPTIONS, { body });
    expect(errorOf(res)).toEqual({ status: 400, category: "INVALID_REQUEST_ERROR", ...expected });
  });

  it("malformed JSON, bad updates, an unsubscribed test type, a bad limit", async () => {
    expect(
      errorOf(
        await api("POST", SUBSCRIPTIONS, { raw: "{nope", headers: { "content-type": "application/json" } }),
      ),
    ).toMatchObject({ status: 400, code: "EXPECTED_JSON_BODY" });
    const s = await create(valid);
    const path = `${SUBSCRIPTIONS}/${s.id}`;
    expect(
      errorOf(await api("PUT", path, { body: { subscription: { notification_url: null } } })),
    ).toMatchObject({
      status: 400,
      code: "MISSING_REQUIRED_PARAMETER",
      field: "subscription.notification_url",
    });
    expect(
      errorOf(await api("PUT", path, { body: { subscription: { event_types: ["nope"] } } })),
    ).toMatchObject({
      status: 400,
      code: "INVALID_VALUE",
      field: "subscription.event_types[0]",
    });
    expect(
      errorOf(await api("POST", `${path}/test`, { body: { event_type: "customer.deleted" } })),
    ).toMatchObject({
      status: 400,
      code: "INVALID_VALUE",
      field: "event_type",
    });
    expect(errorOf(await api("GET", SUBSCRIPTIONS, { query: { limit: 101 } }))).toMatchObject({
      status: 400,
      code: "VALUE_TOO_HIGH",
    });
    // An update without a subscription changes nothing but is accepted.
    expect((await api("PUT", path, { body: {} })).body.subscription.notification_url).toBe(
      valid.notification_url,
    );
  });
});

describe("test", () => {
  it("sends a signed test event and reports the receiver's answer", async () => {
    const hook = await receiver((i) => (i === 1 ? 500 : 200));
    const s = await create({
      event_types: ["customer.updated", "customer.created", "customer.deleted"],
      notification_url: hook.url,
    });
    const path = `${SUBSCRIPTIONS}/${s.id}/test`;

    const ok = await api("POST", path, { body: {} });
    expect(ok.body.subscription_test_result).toEqual({
      id: expect.any(String),
      status_code: 200,
      payload: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const [first] = await hook.waitFor(1);
    // The payload is the body that was sent, and it carries the default type (customer.created).
    expect(first!.rawBody).toBe(ok.body.subscription_test_result.payload);
    const event = await verified(first!, s.signature_key, hook.url);
    expect(event.type).toBe("customer.created");
    expect(event.merchant_id).toEqual(expect.any(String));

    const failed = await api("POST", path, { body: { event_type: "customer.deleted" } });
    expect(failed.body.subscription_test_result.status_code).toBe(500);
    expect((await hook.waitFor(2))[1]!.body.type).toBe("customer.deleted");

    await hook.close();
    const unreachable = await api("POST", path, { body: {} });
    expect(unreachable.body.subscription_test_result.status_code).toBe(0);

    const logged = e.webhooks.deliveries().filter((d) => d.subscriptionId === s.id);
    expect(logged.map((d) => [d.test, d.state, d.attempts.length])).toEqual([
      [true, "delivered", 1],
      [true, "failed", 1],
      [true, "failed", 1],
    ]);
  });
});
