// Every change the API makes becomes the events Square publishes for it, delivered signed to the startup
// subscription (and to the merchant's own subscriptions that want them): customers (single and bulk),
// group membership, custom attribute definitions and values. Failed, replayed and read-only requests
// publish nothing. Each body is checked against spec/ by the receiver.
import type { CustomerEventType, CustomerWebhookEvent } from "@square-customers/core";
import { customerEventTypes } from "@square-customers/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { type Api, client, createCustomer, emulator } from "./helpers.js";
import { type Receiver, receiver, verified } from "./receiver.js";

const KEY = "startup-signature-key";
const STRING = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String";

let e: Emulator;
let hook: Receiver;
let api: Api;
let seen = 0;
const allTypes = new Set<CustomerEventType>();
const allIds = new Set<string>();

beforeAll(async () => {
  hook = await receiver();
  e = await emulator({ seed: 3, webhooks: { url: hook.url, signatureKey: KEY } });
  api = client(e, "events-a");
});

/** The events delivered since the last call, verified, in commit order (their `created_at`). */
async function next(): Promise<CustomerWebhookEvent[]> {
  await e.webhooks.whenIdle();
  const fresh = hook.deliveries.slice(seen);
  seen = hook.deliveries.length;
  await hook.waitFor(seen); // checks every body against spec/
  const events = await Promise.all(fresh.map((d) => verified(d, KEY, hook.url)));
  for (const event of events) {
    if (event.type === "unknown") throw new Error(`unknown event ${event.eventType}`);
    allTypes.add(event.type);
    expect(allIds.has(event.event_id), "event ids are unique").toBe(false);
    allIds.add(event.event_id);
  }
  return (events as CustomerWebhookEvent[]).sort((a, b) => a.created_at.localeCompare(b.created_at));
}

const typesOf = (events: CustomerWebhookEvent[]) => events.map((x) => x.type);
const customerOf = (event: CustomerWebhookEvent) => (event.data.object as { customer: any }).customer;

describe("customer events", () => {
  let id: string;

  it("create: customer.created with the customer as created", async () => {
    const created = await createCustomer(api, { given_name: "Ada", email_address: "ada@example.com" });
    id = created.id;
    const [event, ...rest] = await next();
    expect(rest).toEqual([]);
    expect(event).toEqual({
      merchant_id: expect.any(String),
      type: "customer.created",
      event_id: expect.any(String),
      created_at: expect.any(String),
      data: { type: "customer", id, object: { customer: created } },
    });
  });

  it("update: customer.updated with the customer after the change", async () => {
    const updated = (await api("PUT", `/v2/customers/${id}`, { body: { nickname: "A", version: 0 } })).body
      .customer;
    const events = await next();
    expect(typesOf(events)).toEqual(["customer.updated"]);
    expect(customerOf(events[0]!)).toEqual(updated);
    expect(customerOf(events[0]!).version).toBe(1);
  });

  it("bulk create and bulk update: one event per customer written, none for rejected entries", async () => {
    const bulk = await api("POST", "/v2/customers/bulk-create", {
      body: {
        customers: { a: { given_name: "B1" }, b: { given_name: "B2" }, bad: { email_address: "nope" } },
      },
    });
    const created = await next();
    expect(typesOf(created)).toEqual(["customer.created", "customer.created"]);
    expect(created.map(customerOf)).toEqual([bulk.body.responses.a.customer, bulk.body.responses.b.customer]);

    const [a, b] = [bulk.body.responses.a.customer.id, bulk.body.responses.b.customer.id];
    const update = await api("POST", "/v2/customers/bulk-update", {
      body: { customers: { [a]: { note: "n" }, [b]: { note: "n", version: 7 } } },
    });
    const updated = await next();
    expect(typesOf(updated)).toEqual(["customer.updated"]);
    expect(customerOf(updated[0]!)).toEqual(update.body.responses[a].customer);

    await api("POST", "/v2/customers/bulk-delete", { body: { customer_ids: [a, b, "MISSING"] } });
    const deleted = await next();
    expect(typesOf(deleted)).toEqual(["customer.deleted", "customer.deleted"]);
    expect(deleted.map((x) => x.data.id).sort()).toEqual([a, b].sort());
    expect(customerOf(deleted.find((x) => x.data.id === a)!)).toEqual(
      expect.objectContaining({ id: a, note: "n", version: 1 }),
    );
  });

  it("group membership: customer.updated on add, remove and group delete; nothing when nothing changes", async () => {
    const group = (await api("POST", "/v2/customers/groups", { body: { group: { name: "VIP" } } })).body
      .group;
    await api("PUT", `/v2/customers/${id}/groups/${group.id}`);
    const added = await next();
    expect(typesOf(added)).toEqual(["customer.updated"]);
    expect(customerOf(added[0]!).group_ids).toEqual([group.id]);
    expect(customerOf(added[0]!)).toEqual((await api("GET", `/v2/customers/${id}`)).body.customer);

    await api("PUT", `/v2/customers/${id}/groups/${group.id}`); // already a member
    expect(await next()).toEqual([]);

    await api("DELETE", `/v2/customers/${id}/groups/${group.id}`);
    const removed = await next();
    expect(typesOf(removed)).toEqual(["customer.updated"]);
    expect(customerOf(removed[0]!)).not.toHaveProperty("group_ids");

    await api("PUT", `/v2/customers/${id}/groups/${group.id}`);
    await next();
    await api("DELETE", `/v2/customers/groups/${group.id}`);
    const gone = await next();
    expect(typesOf(gone)).toEqual(["customer.updated"]);
    expect(customerOf(gone[0]!)).not.toHaveProperty("group_ids");
  });

  it("delete: customer.deleted with the customer as it was, without its memberships", async () => {
    const group = (await api("POST", "/v2/customers/groups", { body: { group: { name: "Last" } } })).body
      .group;
    await api("PUT", `/v2/customers/${id}/groups/${group.id}`);
    const before = (await api("GET", `/v2/customers/${id}`)).body.customer;
    await next();
    await api("DELETE", `/v2/customers/${id}`);
    const [event, ...rest] = await next();
    expect(rest).toEqual([]);
    expect(event!.type).toBe("customer.deleted");
    const { group_ids: _, ...withoutGroups } = before;
    expect(event!.data).toEqual({ type: "customer", id, deleted: true, object: { customer: withoutGroups } });
  });

  it("seeded customers' segments stay out of events", async () => {
    const seeded = (await api("GET", "/v2/customers", { query: { limit: 3 } })).body.customers;
    const member = seeded.find((c: { segment_ids?: string[] }) => c.segment_ids !== undefined);
    expect(member).toBeDefined();
    await api("PUT", `/v2/customers/${member.id}`, { body: { note: "seen" } });
    const [event] = await next();
    expect(customerOf(event!)).not.toHaveProperty("segment_ids");
    expect(customerOf(event!).note).toBe("seen");
  });
});

describe("custom attribute events", () => {
  let customerId: string;

  it("definitions: created, updated and deleted, in every variant that applies", async () => {
    customerId = (await createCustomer(api, { given_name: "Attr" })).id;
    await next();
    const created = (
      await api("POST", "/v2/customers/custom-attribute-definitions", {
        body: {
          custom_attribute_definition: {
            key: "drink",
            name: "Drink",
            description: "Favourite drink",
            schema: { $ref: STRING },
            visibility: "VISIBILITY_READ_WRITE_VALUES",
          },
        },
      })
    ).body.custom_attribute_definition;
    const events = await next();
    expect(typesOf(events).sort()).toEqual([
      "customer.custom_attribute_definition.created",
      "customer.custom_attribute_definition.owned.created",
      "customer.custom_attribute_definition.public.created",
      "customer.custom_attribute_definition.visible.created",
    ]);
    for (const event of events) {
      expect(event.data).toEqual({
        type: "custom_attribute_definition",
        id: "drink",
        object: { custom_attribute_definition: created },
      });
    }
    // One event per type, each with its own id.
    expect(new Set(events.map((x) => x.event_id)).size).toBe(4);

    const updated = (
      await api("PUT", "/v2/customers/custom-attribute-definitions/drink", {
        body: { custom_attribute_definition: { description: "Usual order" } },
      })
    ).body.custom_attribute_definition;
    const updates = await next();
    expect(typesOf(updates).sort()).toEqual([
      "customer.custom_attribute_definition.owned.updated",
      "customer.custom_attribute_definition.public.updated",
      "customer.custom_attribute_definition.updated",
      "customer.custom_attribute_definition.visible.updated",
    ]);
    expect(updates[0]!.data.object).toEqual({ custom_attribute_definition: updated });

    // A hidden definition is not announced to other applications (no `public` variant).
    await api("POST", "/v2/customers/custom-attribute-definitions", {
      body: { custom_attribute_definition: { key: "secret", schema: { $ref: STRING } } },
    });
    expect(typesOf(await next()).sort()).toEqual([
      "customer.custom_attribute_definition.created",
      "customer.custom_attribute_definition.owned.created",
      "customer.custom_attribute_definition.visible.created",
    ]);
  });

  it("values: updated on upsert and bulk upsert, deleted with the value as it was", async () => {
    const upserted = (
      await api("POST", `/v2/customers/${customerId}/custom-attributes/drink`, {
        body: { custom_attribute: { value: "Tea" } },
      })
    ).body.custom_attribute;
    const events = await next();
    expect(typesOf(events).sort()).toEqual([
      "customer.custom_attribute.owned.updated",
      "customer.custom_attribute.public.updated",
      "customer.custom_attribute.updated",
      "customer.custom_attribute.visible.updated",
    ]);
    expect(events[0]!.data).toEqual({
      type: "custom_attribute",
      id: `drink:CUSTOMER:${customerId}`,
      object: { custom_attribute: upserted },
    });

    await api("POST", "/v2/customers/custom-attributes/bulk-upsert", {
      body: {
        values: {
          one: { customer_id: customerId, custom_attribute: { key: "drink", value: "Coffee" } },
          bad: { customer_id: "MISSING", custom_attribute: { key: "drink", value: "x" } },
        },
      },
    });
    const bulk = await next();
    expect(bulk).toHaveLength(4);
    expect(bulk.every((x) => (x.data.object as any).custom_attribute.value === "Coffee")).toBe(true);

    await api("DELETE", `/v2/customers/${customerId}/custom-attributes/drink`);
    const deleted = await next();
    expect(typesOf(deleted).sort()).toEqual([
      "customer.custom_attribute.deleted",
      "customer.custom_attribute.owned.deleted",
      "customer.custom_attribute.public.deleted",
      "customer.custom_attribute.visible.deleted",
    ]);
    expect((deleted[0]!.data.object as any).custom_attribute).toMatchObject({
      key: "drink",
      value: "Coffee",
      version: 2,
    });
    expect((deleted[0]!.data as { deleted?: boolean }).deleted).toBe(true);
  });

  it("deleting a definition: its deleted events (its values go with it, unannounced)", async () => {
    await api("POST", `/v2/customers/${customerId}/custom-attributes/drink`, {
      body: { custom_attribute: { value: "Water" } },
    });
    await next();
    await api("DELETE", "/v2/customers/custom-attribute-definitions/drink");
    expect(typesOf(await next()).sort()).toEqual([
      "customer.custom_attribute_definition.deleted",
      "customer.custom_attribute_definition.owned.deleted",
      "customer.custom_attribute_definition.public.deleted",
      "customer.custom_attribute_definition.visible.deleted",
    ]);
  });
});

describe("what publishes nothing", () => {
  it("failed writes, idempotent replays, reads, and cards", async () => {
    const c = await createCustomer(api, { given_name: "Quiet" });
    await next();
    await api("PUT", `/v2/customers/${c.id}`, { body: { note: "x", version: 99 } }); // version mismatch
    await api("POST", "/v2/customers", { body: { email_address: "not-an-email" } }); // invalid
    const body = { given_name: "Once", idempotency_key: "events-once" };
    await api("POST", "/v2/customers", { body });
    expect(typesOf(await next())).toEqual(["customer.created"]);
    await api("POST", "/v2/customers", { body }); // replay: the same answer, no new write
    await api("GET", `/v2/customers/${c.id}`);
    await api("POST", "/v2/customers/search", { body: { query: {} } });
    await api("POST", `/v2/customers/${c.id}/cards`, { body: { card_nonce: "cnon:ok" } });
    expect(await next()).toEqual([]);
  });

  it("every customer event type came from some change above", () => {
    expect([...allTypes].sort()).toEqual(Object.keys(customerEventTypes).sort());
  });
});

describe("subscriptions made through the API", () => {
  it("receive their own merchant's events of their event types, signed with their key", async () => {
    const mine = await receiver();
    const off = await receiver();
    const sub = (
      await api("POST", "/v2/webhooks/subscriptions", {
        body: { subscription: { event_types: ["customer.created"], notification_url: mine.url } },
      })
    ).body.subscription;
    await api("POST", "/v2/webhooks/subscriptions", {
      body: {
        subscription: { event_types: ["customer.created"], notification_url: off.url, enabled: false },
      },
    });
    const other = client(e, "events-b");
    const c = await createCustomer(api, { given_name: "Mine" });
    await api("PUT", `/v2/customers/${c.id}`, { body: { note: "not subscribed" } });
    await createCustomer(other, { given_name: "Theirs" });
    const startup = await next();
    // The startup subscription receives every merchant's events; the merchant's own only its own.
    expect(typesOf(startup).sort()).toEqual(["customer.created", "customer.created", "customer.updated"]);
    expect(new Set(startup.map((x) => x.merchant_id)).size).toBe(2);
    const [delivered, ...rest] = await mine.waitFor(1);
    expect(rest).toEqual([]);
    const event = await verified(delivered!, sub.signature_key, mine.url);
    expect(event.type === "customer.created" && event.data.id).toBe(c.id);
    expect(off.deliveries).toEqual([]);
  });
});
