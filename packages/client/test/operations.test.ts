// Every one of the 39 operations against the emulator over HTTP: a success and a typed-error path each.
import type { Customer, OperationName } from "@square-customers/core";
import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  ConflictError,
  createSquareClient,
  ForbiddenError,
  methodNames,
  NotFoundError,
  UnauthorizedError,
} from "../src/index.js";
import { failure, TOKEN, useEmulator } from "./support.js";

const READ_ONLY = `${TOKEN}-read-only`;
const h = useEmulator({ tokens: [TOKEN, { token: READ_ONLY, scopes: ["CUSTOMERS_READ"] }] });
const STRING_SCHEMA = {
  $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
};

/** Which operations a test exercised, checked against the table at the end. */
const covered = new Set<OperationName>();
const cover = (...names: OperationName[]) => {
  for (const n of names) covered.add(n);
};

describe("customers", () => {
  let amelia: Customer;

  it("create adds an idempotency key; reusing a key with another body is a BadRequestError", async () => {
    const { customer } = await h.square.customers.create({
      given_name: "Amelia",
      email_address: "amelia@example.com",
    });
    expect(customer).toMatchObject({ given_name: "Amelia", creation_source: "THIRD_PARTY", version: 0 });
    amelia = customer!;
    const sent = h.sent.at(-1)!;
    expect(sent.body).toMatchObject({ idempotency_key: expect.any(String) });

    const key = crypto.randomUUID();
    await h.square.customers.create({ given_name: "Once", idempotency_key: key });
    const reused = await failure(h.square.customers.create({ given_name: "Other", idempotency_key: key }));
    expect(reused).toBeInstanceOf(BadRequestError);
    expect((reused as BadRequestError).errors[0]?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    cover("createCustomer");
  });

  it("retrieve, with its raw response; an unknown id is a NotFoundError", async () => {
    const { data, response } = await h.square.customers.retrieve(amelia.id!).withResponse();
    expect(data.customer?.id).toBe(amelia.id);
    expect(response).toMatchObject({ status: 200, attempts: 1, requestId: expect.any(String) });
    const missing = await failure(h.square.customers.retrieve("NO_SUCH_CUSTOMER"));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, kind: "not_found", requestId: expect.any(String) });
    cover("retrieveCustomer");
  });

  it("update bumps the version; a stale version is a ConflictError", async () => {
    const { customer } = await h.square.customers.update(amelia.id!, {
      nickname: "Amy",
      version: amelia.version!,
    });
    expect(customer).toMatchObject({ nickname: "Amy", version: 1 });
    const stale = await failure(h.square.customers.update(amelia.id!, { nickname: "Old", version: 0 }));
    expect(stale).toBeInstanceOf(ConflictError);
    cover("updateCustomer");
  });

  it("list pages with count; a bad cursor is a BadRequestError", async () => {
    const page = await h.square.customers.list({ count: true, sort_field: "CREATED_AT" });
    expect(page.count).toBe(2);
    expect(page.customers?.map((c) => c.given_name)).toEqual(["Amelia", "Once"]);
    const bad = await failure(h.square.customers.list({ cursor: "not-a-cursor" }));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).errors[0]?.code).toBe("INVALID_CURSOR");
    cover("listCustomers");
  });

  it("search filters; a bad cursor is a BadRequestError", async () => {
    const found = await h.square.customers
      .search({ query: { filter: { email_address: { fuzzy: "example.com" } } } })
      .toArray();
    expect(found.map((c) => c.id)).toEqual([amelia.id]);
    expect(await failure(h.square.customers.search({ cursor: "nope" }))).toBeInstanceOf(BadRequestError);
    cover("searchCustomers");
  });

  it("bulk create, retrieve, update and delete answer per entry", async () => {
    const created = await h.square.customers.bulkCreate({
      customers: { k1: { given_name: "Bulk1" }, k2: { given_name: "Bulk2" } },
    });
    const ids = Object.values(created.responses ?? {}).map((r) => r.customer!.id!);
    expect(ids).toHaveLength(2);

    const got = await h.square.customers.bulkRetrieve({ customer_ids: [...ids, "MISSING"] });
    expect(got.responses?.[ids[0]!]?.customer?.given_name).toMatch(/^Bulk/);
    expect(got.responses?.MISSING?.errors?.[0]?.code).toBe("NOT_FOUND");

    const updated = await h.square.customers.bulkUpdate({
      customers: { [ids[0]!]: { nickname: "B" }, MISSING: { nickname: "x" } },
    });
    expect(updated.responses?.[ids[0]!]?.customer?.nickname).toBe("B");
    expect(updated.responses?.MISSING?.errors?.[0]?.code).toBe("NOT_FOUND");

    const deleted = await h.square.customers.bulkDelete({ customer_ids: [...ids, "MISSING"] });
    expect(deleted.responses?.[ids[1]!]).toEqual({});
    expect(deleted.responses?.MISSING?.errors?.[0]?.code).toBe("NOT_FOUND");

    // A whole bulk call the server refuses is a typed error too.
    const readOnly = h.client({ accessToken: READ_ONLY });
    expect(
      await failure(readOnly.customers.bulkCreate({ customers: { k: { given_name: "X" } } })),
    ).toBeInstanceOf(ForbiddenError);
    expect(
      await failure(readOnly.customers.bulkUpdate({ customers: { [ids[0]!]: { note: "x" } } })),
    ).toBeInstanceOf(ForbiddenError);
    expect(await failure(readOnly.customers.bulkDelete({ customer_ids: [ids[0]!] }))).toBeInstanceOf(
      ForbiddenError,
    );
    const unknown = createSquareClient({ accessToken: "not-a-known-token", environment: h.emulator.url });
    expect(await failure(unknown.customers.bulkRetrieve({ customer_ids: ["x"] }))).toBeInstanceOf(
      UnauthorizedError,
    );
    cover("bulkCreateCustomers", "bulkRetrieveCustomers", "bulkUpdateCustomers", "bulkDeleteCustomers");
  });

  it("groups: CRUD and membership; unknown ids are NotFoundErrors", async () => {
    const { group } = await h.square.customers.groups.create({ group: { name: "VIP" } });
    const id = group!.id!;
    expect((await h.square.customers.groups.retrieve(id)).group?.name).toBe("VIP");
    expect((await h.square.customers.groups.update(id, { group: { name: "VVIP" } })).group?.name).toBe(
      "VVIP",
    );
    expect((await h.square.customers.groups.list()).groups?.map((g) => g.id)).toEqual([id]);

    await h.square.customers.groups.add(amelia.id!, id);
    expect((await h.square.customers.retrieve(amelia.id!)).customer?.group_ids).toEqual([id]);
    await h.square.customers.groups.remove(amelia.id!, id);
    expect((await h.square.customers.retrieve(amelia.id!)).customer?.group_ids ?? []).toEqual([]);

    for (const call of [
      () => h.square.customers.groups.retrieve("NOPE"),
      () => h.square.customers.groups.update("NOPE", { group: { name: "x" } }),
      () => h.square.customers.groups.delete("NOPE"),
      () => h.square.customers.groups.add(amelia.id!, "NOPE"),
      () => h.square.customers.groups.remove("NOPE", id),
    ]) {
      expect(await failure(call())).toBeInstanceOf(NotFoundError);
    }
    expect(await failure(h.square.customers.groups.list({ cursor: "bad" }))).toBeInstanceOf(BadRequestError);
    const readOnly = h.client({ accessToken: READ_ONLY });
    expect(await failure(readOnly.customers.groups.create({ group: { name: "No" } }))).toBeInstanceOf(
      ForbiddenError,
    );

    expect(await h.square.customers.groups.delete(id)).toEqual({});
    cover(
      "createCustomerGroup",
      "retrieveCustomerGroup",
      "updateCustomerGroup",
      "listCustomerGroups",
      "addGroupToCustomer",
      "removeGroupFromCustomer",
      "deleteCustomerGroup",
    );
  });

  it("segments are read-only; an unknown one is a NotFoundError", async () => {
    const segments = await h.square.customers.segments.list().toArray();
    expect(segments.length).toBeGreaterThan(0);
    const first = segments[0]!;
    expect((await h.square.customers.segments.retrieve(first.id!)).segment?.name).toBe(first.name);
    expect(await failure(h.square.customers.segments.retrieve("NOPE"))).toBeInstanceOf(NotFoundError);
    expect(await failure(h.square.customers.segments.list({ cursor: "bad" }))).toBeInstanceOf(
      BadRequestError,
    );
    cover("listCustomerSegments", "retrieveCustomerSegment");
  });

  it("cards (deprecated): create and delete; a declined nonce and an unknown card are typed errors", async () => {
    const { card } = await h.square.customers.cards.create(amelia.id!, { card_nonce: "cnon:card-nonce-ok" });
    expect(card?.id).toBeTruthy();
    const declined = await failure(
      h.square.customers.cards.create(amelia.id!, { card_nonce: "cnon:card-nonce-rejected-cvv" }),
    );
    expect(declined).toBeInstanceOf(BadRequestError);
    expect((declined as BadRequestError).errors[0]?.code).toBe("VERIFY_CVV_FAILURE");
    expect(await h.square.customers.cards.delete(amelia.id!, card!.id!)).toEqual({});
    expect(await failure(h.square.customers.cards.delete(amelia.id!, card!.id!))).toBeInstanceOf(
      NotFoundError,
    );
    cover("createCustomerCard", "deleteCustomerCard");
  });

  it("custom attribute definitions: CRUD; a duplicate name is a ConflictError", async () => {
    const defs = h.square.customers.customAttributeDefinitions;
    const { custom_attribute_definition: made } = await defs.create({
      custom_attribute_definition: {
        key: "favourite-colour",
        name: "Favourite colour",
        description: "What they like",
        schema: STRING_SCHEMA,
        visibility: "VISIBILITY_READ_WRITE_VALUES",
      },
    });
    expect(made?.key).toBe("favourite-colour");
    const dup = await failure(
      defs.create({
        custom_attribute_definition: {
          key: "other",
          name: "Favourite colour",
          description: "again",
          schema: STRING_SCHEMA,
          visibility: "VISIBILITY_READ_WRITE_VALUES",
        },
      }),
    );
    expect(dup).toBeInstanceOf(ConflictError);
    expect((await defs.retrieve("favourite-colour")).custom_attribute_definition?.name).toBe(
      "Favourite colour",
    );
    const updated = await defs.update("favourite-colour", {
      custom_attribute_definition: { description: "Their colour" },
    });
    expect(updated.custom_attribute_definition?.description).toBe("Their colour");
    expect((await defs.list().toArray()).map((d) => d.key)).toEqual(["favourite-colour"]);
    expect(await failure(defs.retrieve("nope"))).toBeInstanceOf(NotFoundError);
    expect(
      await failure(defs.update("nope", { custom_attribute_definition: { description: "x" } })),
    ).toBeInstanceOf(NotFoundError);
    expect(await failure(defs.delete("nope"))).toBeInstanceOf(NotFoundError);
    expect(await failure(defs.list({ cursor: "bad" }))).toBeInstanceOf(BadRequestError);
    cover(
      "createCustomerCustomAttributeDefinition",
      "retrieveCustomerCustomAttributeDefinition",
      "updateCustomerCustomAttributeDefinition",
      "listCustomerCustomAttributeDefinitions",
      "deleteCustomerCustomAttributeDefinition",
    );
  });

  it("custom attributes: upsert, retrieve, list, bulk upsert, delete; unknown ones are NotFoundErrors", async () => {
    const attrs = h.square.customers.customAttributes;
    const { custom_attribute: set } = await attrs.upsert(amelia.id!, "favourite-colour", {
      custom_attribute: { value: "green" },
    });
    expect(set?.value).toBe("green");
    expect((await attrs.retrieve(amelia.id!, "favourite-colour")).custom_attribute?.value).toBe("green");
    const listed = await attrs.list(amelia.id!, { with_definitions: true }).toArray();
    expect(listed.map((a) => a.key)).toEqual(["favourite-colour"]);

    const bulk = await attrs.bulkUpsert({
      values: {
        a: { customer_id: amelia.id!, custom_attribute: { key: "favourite-colour", value: "blue" } },
        b: { customer_id: "MISSING", custom_attribute: { key: "favourite-colour", value: "red" } },
      },
    });
    expect(bulk.values?.a?.custom_attribute?.value).toBe("blue");
    expect(bulk.values?.b?.errors?.[0]?.code).toBe("NOT_FOUND");

    expect(await attrs.delete(amelia.id!, "favourite-colour")).toEqual({});
    expect(await failure(attrs.retrieve(amelia.id!, "favourite-colour"))).toBeInstanceOf(NotFoundError);
    expect(await failure(attrs.delete(amelia.id!, "favourite-colour"))).toBeInstanceOf(NotFoundError);
    expect(
      await failure(attrs.upsert(amelia.id!, "no-such-definition", { custom_attribute: { value: "x" } })),
    ).toBeInstanceOf(NotFoundError);
    expect(await failure(attrs.list("MISSING"))).toBeInstanceOf(NotFoundError);
    const readOnly = h.client({ accessToken: READ_ONLY });
    expect(
      await failure(
        readOnly.customers.customAttributes.bulkUpsert({
          values: {
            a: { customer_id: amelia.id!, custom_attribute: { key: "favourite-colour", value: "x" } },
          },
        }),
      ),
    ).toBeInstanceOf(ForbiddenError);

    await h.square.customers.customAttributeDefinitions.delete("favourite-colour");
    cover(
      "upsertCustomerCustomAttribute",
      "retrieveCustomerCustomAttribute",
      "listCustomerCustomAttributes",
      "bulkUpsertCustomerCustomAttributes",
      "deleteCustomerCustomAttribute",
    );
  });

  it("webhooks: event types and a subscription's whole life; a missing one is a NotFoundError", async () => {
    const hooks = h.square.webhooks.subscriptions;
    expect((await h.square.webhooks.eventTypes.list()).event_types).toContain("customer.created");
    // Loopback's discard port: nothing listens, so nothing is delivered anywhere.
    const notification_url = "http://127.0.0.1:9/hooks";
    const { subscription } = await hooks.create({
      subscription: { name: "Ops", event_types: ["customer.created"], notification_url },
    });
    expect(subscription.signature_key).toEqual(expect.any(String));
    expect(h.sent.at(-1)!.body).toMatchObject({ idempotency_key: expect.any(String) });
    expect((await hooks.list().toArray()).map((s) => s.id)).toEqual([subscription.id]);
    expect((await hooks.retrieve(subscription.id)).subscription).not.toHaveProperty("signature_key");
    const { subscription: disabled } = await hooks.update(subscription.id, {
      subscription: { enabled: false },
    });
    expect(disabled.enabled).toBe(false);
    const { signature_key } = await hooks.updateSignatureKey(subscription.id);
    expect(signature_key).not.toBe(subscription.signature_key);
    // Nothing answers the test event: status_code 0.
    expect((await hooks.test(subscription.id)).subscription_test_result.status_code).toBe(0);
    expect(await hooks.delete(subscription.id)).toEqual({});

    for (const missing of [
      () => hooks.retrieve(subscription.id),
      () => hooks.update(subscription.id, { subscription: { name: "x" } }),
      () => hooks.delete(subscription.id),
      () => hooks.updateSignatureKey(subscription.id),
      () => hooks.test(subscription.id),
    ]) {
      expect(await failure(missing())).toBeInstanceOf(NotFoundError);
    }
    const bad = await failure(
      hooks.create({ subscription: { event_types: ["customer.created"], notification_url: "not a url" } }),
    );
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).errors[0]?.field).toBe("subscription.notification_url");
    cover(
      "listWebhookEventTypes",
      "listWebhookSubscriptions",
      "createWebhookSubscription",
      "retrieveWebhookSubscription",
      "updateWebhookSubscription",
      "deleteWebhookSubscription",
      "updateWebhookSubscriptionSignatureKey",
      "testWebhookSubscription",
    );
  });

  it("delete removes the customer; deleting it again is a NotFoundError", async () => {
    expect(await h.square.customers.delete(amelia.id!)).toEqual({});
    expect(await failure(h.square.customers.delete(amelia.id!))).toBeInstanceOf(NotFoundError);
    cover("deleteCustomer");
  });

  it("every operation of the table was exercised, and each friendly name maps to one", () => {
    const mapped = JSON.stringify(methodNames)
      .match(/"[a-zA-Z]+"(?=[,}])/g)!
      .map((s) => JSON.parse(s));
    expect(new Set(mapped).size).toBe(39);
    expect([...covered].sort()).toEqual([...mapped].sort());
  });
});
