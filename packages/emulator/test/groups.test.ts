import { beforeAll, describe, expect, it } from "vitest";
import { type Api, client, createCustomer, emulator, errorOf } from "./helpers.js";

let api: Api;
beforeAll(async () => {
  api = client(await emulator({ seed: 20 }), "groups-token");
});

async function createGroup(name: string): Promise<any> {
  return (await api("POST", "/v2/customers/groups", { body: { group: { name } } })).body.group;
}

async function searchIds(filter: object): Promise<string[]> {
  const res = await api("POST", "/v2/customers/search", { body: { query: { filter } } });
  expect(res.status).toBe(200);
  return (res.body.customers ?? []).map((c: any) => c.id);
}

describe("groups", () => {
  it("creates, retrieves, updates, lists and deletes groups", async () => {
    const g = await createGroup("VIP");
    expect(g).toMatchObject({ name: "VIP" });
    expect(g.id).toMatch(/^[0-9A-Z]{26}$/);
    expect((await api("GET", `/v2/customers/groups/${g.id}`)).body.group).toEqual(g);
    const upd = await api("PUT", `/v2/customers/groups/${g.id}`, { body: { group: { name: "Very VIP" } } });
    expect(upd.body.group).toMatchObject({ id: g.id, name: "Very VIP", created_at: g.created_at });
    const list = await api("GET", "/v2/customers/groups");
    expect(list.body.groups.map((x: any) => x.id)).toContain(g.id);
    expect((await api("DELETE", `/v2/customers/groups/${g.id}`)).body).toEqual({});
    expect(errorOf(await api("GET", `/v2/customers/groups/${g.id}`))).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
    expect((await api("DELETE", `/v2/customers/groups/${g.id}`)).status).toBe(404);
    expect(
      (await api("PUT", `/v2/customers/groups/${g.id}`, { body: { group: { name: "x" } } })).status,
    ).toBe(404);
  });

  it("needs a name and is idempotent by key", async () => {
    const res = await api("POST", "/v2/customers/groups", { body: { group: {} } });
    expect(errorOf(res)).toMatchObject({
      status: 400,
      code: "MISSING_REQUIRED_PARAMETER",
      field: "group.name",
    });
    const body = { idempotency_key: "group-once", group: { name: "Once" } };
    const a = await api("POST", "/v2/customers/groups", { body });
    const b = await api("POST", "/v2/customers/groups", { body });
    expect(b.body.group.id).toBe(a.body.group.id);
  });

  it("pages groups with limit 1..50", async () => {
    for (let i = 0; i < 3; i++) await createGroup(`Page ${i}`);
    const first = await api("GET", "/v2/customers/groups", { query: { limit: 2 } });
    expect(first.body.groups).toHaveLength(2);
    const second = await api("GET", "/v2/customers/groups", {
      query: { limit: 2, cursor: first.body.cursor },
    });
    expect(second.body.groups[0].id).not.toBe(first.body.groups[1].id);
    expect(errorOf(await api("GET", "/v2/customers/groups", { query: { limit: 51 } })).code).toBe(
      "VALUE_TOO_HIGH",
    );
    expect(errorOf(await api("GET", "/v2/customers/groups", { query: { cursor: "x" } })).code).toBe(
      "INVALID_CURSOR",
    );
  });

  it("adds and removes members, reflected in group_ids and in search", async () => {
    const vip = await createGroup("Members A");
    const other = await createGroup("Members B");
    const c = await createCustomer(api, { given_name: "Member" });
    const d = await createCustomer(api, { given_name: "Both" });
    expect((await api("PUT", `/v2/customers/${c.id}/groups/${vip.id}`)).body).toEqual({});
    await api("PUT", `/v2/customers/${c.id}/groups/${vip.id}`); // adding twice changes nothing
    await api("PUT", `/v2/customers/${d.id}/groups/${vip.id}`);
    await api("PUT", `/v2/customers/${d.id}/groups/${other.id}`);
    const got = (await api("GET", `/v2/customers/${c.id}`)).body.customer;
    expect(got.group_ids).toEqual([vip.id]);
    expect(got.version).toBe(0);

    expect((await searchIds({ group_ids: { any: [vip.id] } })).sort()).toEqual([c.id, d.id].sort());
    expect(await searchIds({ group_ids: { all: [vip.id, other.id] } })).toEqual([d.id]);
    expect(await searchIds({ group_ids: { all: [vip.id], none: [other.id] } })).toEqual([c.id]);
    expect(await searchIds({ group_ids: { any: ["NO-SUCH-GROUP", vip.id] } })).toEqual([]);

    expect((await api("DELETE", `/v2/customers/${c.id}/groups/${vip.id}`)).status).toBe(200);
    expect((await api("GET", `/v2/customers/${c.id}`)).body.customer).not.toHaveProperty("group_ids");

    // Deleting a group removes it from its members.
    await api("DELETE", `/v2/customers/groups/${other.id}`);
    expect((await api("GET", `/v2/customers/${d.id}`)).body.customer.group_ids).toEqual([vip.id]);
  });

  it("404s membership changes for unknown customers or groups", async () => {
    const g = await createGroup("Lonely");
    const c = await createCustomer(api);
    expect(errorOf(await api("PUT", `/v2/customers/NOPE/groups/${g.id}`))).toMatchObject({
      status: 404,
      field: "customer_id",
    });
    expect(errorOf(await api("PUT", `/v2/customers/${c.id}/groups/NOPE`))).toMatchObject({
      status: 404,
      field: "group_id",
    });
    expect((await api("DELETE", `/v2/customers/${c.id}/groups/NOPE`)).status).toBe(404);
  });
});

describe("segments", () => {
  it("lists and retrieves the seeded read-only segments", async () => {
    const list = await api("GET", "/v2/customers/segments");
    expect(list.body.segments.map((s: any) => s.name)).toEqual(["Reachable", "Loyal", "Lapsed"]);
    const [first] = list.body.segments;
    expect((await api("GET", `/v2/customers/segments/${first.id}`)).body.segment).toEqual(first);
    expect(errorOf(await api("GET", "/v2/customers/segments/NOPE"))).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
    const paged = await api("GET", "/v2/customers/segments", { query: { limit: 2 } });
    expect(paged.body.segments).toHaveLength(2);
    const rest = await api("GET", "/v2/customers/segments", {
      query: { limit: 2, cursor: paged.body.cursor },
    });
    expect(rest.body.segments.map((s: any) => s.name)).toEqual(["Lapsed"]);
    expect(rest.body).not.toHaveProperty("cursor");
    expect(errorOf(await api("GET", "/v2/customers/segments", { query: { limit: 51 } }))).toMatchObject({
      status: 400,
      code: "VALUE_TOO_HIGH",
      field: "limit",
    });
    expect(errorOf(await api("GET", "/v2/customers/segments", { query: { cursor: "junk" } }))).toMatchObject({
      status: 400,
      code: "INVALID_CURSOR",
    });
    expect((await api("POST", "/v2/customers/segments", { body: {} })).status).toBe(405);
  });

  it("shows membership in segment_ids and filters by it", async () => {
    const [reachable, loyal] = (await api("GET", "/v2/customers/segments")).body.segments;
    const inLoyal = await searchIds({ segment_ids: { all: [loyal.id] } });
    expect(inLoyal).toHaveLength(4); // seeded customers 0, 5, 10, 15
    for (const id of inLoyal) {
      expect((await api("GET", `/v2/customers/${id}`)).body.customer.segment_ids).toContain(loyal.id);
    }
    const both = await searchIds({ segment_ids: { all: [reachable.id, loyal.id] } });
    expect(both).toHaveLength(2); // 0 and 10
    const notReachable = await searchIds({
      segment_ids: { none: [reachable.id] },
      creation_source: { values: ["THIRD_PARTY"], rule: "EXCLUDE" },
    });
    expect(notReachable.length).toBeGreaterThan(0);
    const unknown = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { segment_ids: { any: ["NOPE"] } } } },
    });
    expect(errorOf(unknown)).toMatchObject({
      status: 400,
      code: "BAD_REQUEST",
      field: "query.filter.segment_ids",
    });
    const tooMany = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { segment_ids: { any: ["a", "b"], none: ["c", "d"] } } } },
    });
    expect(errorOf(tooMany).status).toBe(400);
  });
});

describe("cards (deprecated)", () => {
  it("creates a card idempotently by nonce and deletes it", async () => {
    const c = await createCustomer(api);
    const body = { card_nonce: "cnon:card-nonce-ok", cardholder_name: "Amelia Earhart" };
    const first = await api("POST", `/v2/customers/${c.id}/cards`, { body });
    expect(first.status).toBe(200);
    expect(first.body.card).toMatchObject({
      customer_id: c.id,
      card_brand: "VISA",
      last_4: "1111",
      enabled: true,
    });
    const again = await api("POST", `/v2/customers/${c.id}/cards`, { body });
    expect(again.body.card.id).toBe(first.body.card.id);

    const other = await createCustomer(api);
    const reused = await api("POST", `/v2/customers/${other.id}/cards`, { body });
    expect(errorOf(reused)).toMatchObject({ status: 400, code: "CARD_TOKEN_USED" });

    expect((await api("DELETE", `/v2/customers/${c.id}/cards/${first.body.card.id}`)).body).toEqual({});
    expect(errorOf(await api("DELETE", `/v2/customers/${c.id}/cards/${first.body.card.id}`))).toMatchObject({
      status: 404,
      field: "card_id",
    });
  });

  it("answers Square's failing sandbox nonces and missing customers", async () => {
    const c = await createCustomer(api);
    const cvv = await api("POST", `/v2/customers/${c.id}/cards`, {
      body: { card_nonce: "cnon:card-nonce-rejected-cvv" },
    });
    expect(errorOf(cvv)).toMatchObject({
      status: 400,
      code: "VERIFY_CVV_FAILURE",
      category: "PAYMENT_METHOD_ERROR",
    });
    expect(errorOf(await api("POST", `/v2/customers/${c.id}/cards`, { body: {} })).code).toBe(
      "MISSING_REQUIRED_PARAMETER",
    );
    expect((await api("POST", "/v2/customers/NOPE/cards", { body: { card_nonce: "cnon:x" } })).status).toBe(
      404,
    );
    expect((await api("DELETE", "/v2/customers/NOPE/cards/ccof:x")).status).toBe(404);
  });

  it("removes cards with their customer", async () => {
    const c = await createCustomer(api);
    const card = (await api("POST", `/v2/customers/${c.id}/cards`, { body: { card_nonce: "cnon:gone" } }))
      .body.card;
    await api("DELETE", `/v2/customers/${c.id}`);
    // The nonce is free again because its card went with the customer.
    const other = await createCustomer(api);
    const res = await api("POST", `/v2/customers/${other.id}/cards`, { body: { card_nonce: "cnon:gone" } });
    expect(res.body.card.id).toBe(card.id);
  });
});
