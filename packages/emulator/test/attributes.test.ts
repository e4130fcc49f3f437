import { beforeAll, describe, expect, it } from "vitest";
import { type Api, client, createCustomer, emulator, errorOf } from "./helpers.js";

const COMMON = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.";
let api: Api;

beforeAll(async () => {
  api = client(await emulator(), "attributes-token");
});

async function define(key: string, type: string, extra: object = {}): Promise<any> {
  const res = await api("POST", "/v2/customers/custom-attribute-definitions", {
    body: { custom_attribute_definition: { key, schema: { $ref: COMMON + type }, ...extra } },
  });
  expect(res.status, res.text).toBe(200);
  return res.body.custom_attribute_definition;
}

async function upsert(customerId: string, key: string, value: unknown, extra: object = {}) {
  return api("POST", `/v2/customers/${customerId}/custom-attributes/${key}`, {
    body: { custom_attribute: { value, ...extra } },
  });
}

describe("custom attribute definitions", () => {
  it("creates, retrieves, updates, lists and deletes", async () => {
    const d = await define("favorite-movie", "String", {
      name: "Favorite Movie",
      description: "The customer's favorite movie",
      visibility: "VISIBILITY_READ_WRITE_VALUES",
    });
    expect(d).toMatchObject({
      key: "favorite-movie",
      version: 1,
      visibility: "VISIBILITY_READ_WRITE_VALUES",
    });
    const path = "/v2/customers/custom-attribute-definitions/favorite-movie";
    expect((await api("GET", path)).body.custom_attribute_definition).toEqual(d);
    expect(errorOf(await api("GET", path, { query: { version: 5 } })).code).toBe("BAD_REQUEST");

    const upd = await api("PUT", path, {
      body: { custom_attribute_definition: { description: "New", version: 1 } },
    });
    expect(upd.body.custom_attribute_definition).toMatchObject({ description: "New", version: 2 });
    const stale = await api("PUT", path, {
      body: { custom_attribute_definition: { name: "X", version: 1 } },
    });
    expect(errorOf(stale)).toMatchObject({ status: 400, code: "VERSION_MISMATCH" });

    const list = await api("GET", "/v2/customers/custom-attribute-definitions");
    expect(list.body.custom_attribute_definitions.map((x: any) => x.key)).toContain("favorite-movie");
    expect((await api("DELETE", path)).body).toEqual({});
    expect((await api("GET", path)).status).toBe(404);
    expect((await api("DELETE", path)).status).toBe(404);
  });

  it("checks key, schema, name rules and duplicates", async () => {
    const url = "/v2/customers/custom-attribute-definitions";
    const noSchema = await api("POST", url, { body: { custom_attribute_definition: { key: "no-schema" } } });
    expect(errorOf(noSchema)).toMatchObject({ status: 400, field: "custom_attribute_definition.schema" });
    const badKey = await api("POST", url, {
      body: { custom_attribute_definition: { key: "bad key!", schema: { $ref: `${COMMON}String` } } },
    });
    expect(errorOf(badKey)).toMatchObject({ status: 400, field: "custom_attribute_definition.key" });
    const badRef = await api("POST", url, {
      body: { custom_attribute_definition: { key: "bad-ref", schema: { $ref: "https://example.com/x" } } },
    });
    expect(errorOf(badRef)).toMatchObject({ status: 400, code: "INVALID_VALUE" });
    const visibleNoName = await api("POST", url, {
      body: {
        custom_attribute_definition: {
          key: "vis",
          schema: { $ref: `${COMMON}String` },
          visibility: "VISIBILITY_READ_ONLY",
        },
      },
    });
    expect(errorOf(visibleNoName)).toMatchObject({ status: 400, field: "custom_attribute_definition.name" });
    await define("dup", "Boolean", { name: "Dup" });
    const dupKey = await api("POST", url, {
      body: { custom_attribute_definition: { key: "dup", schema: { $ref: `${COMMON}Boolean` } } },
    });
    expect(errorOf(dupKey)).toMatchObject({ status: 409, code: "CONFLICT" });
    const dupName = await api("POST", url, {
      body: {
        custom_attribute_definition: { key: "dup2", name: "Dup", schema: { $ref: `${COMMON}Boolean` } },
      },
    });
    expect(errorOf(dupName)).toMatchObject({ status: 409, field: "custom_attribute_definition.name" });
    const typeChange = await api("PUT", `${url}/dup`, {
      body: { custom_attribute_definition: { schema: { $ref: `${COMMON}String` } } },
    });
    expect(errorOf(typeChange)).toMatchObject({ status: 400, code: "INVALID_VALUE" });
  });

  it("answers list errors and updates of unknown keys", async () => {
    const url = "/v2/customers/custom-attribute-definitions";
    expect(errorOf(await api("GET", url, { query: { limit: 101 } }))).toMatchObject({
      status: 400,
      code: "VALUE_TOO_HIGH",
      field: "limit",
    });
    expect(errorOf(await api("GET", url, { query: { cursor: "junk" } }))).toMatchObject({
      status: 400,
      code: "INVALID_CURSOR",
    });
    const missing = await api("PUT", `${url}/no-such-key`, {
      body: { custom_attribute_definition: { description: "x" } },
    });
    expect(errorOf(missing)).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("keeps the definition rules on update: visible needs a name, names stay unique", async () => {
    await define("rule-a", "String", { name: "Taken" });
    await define("rule-b", "String");
    const url = "/v2/customers/custom-attribute-definitions";
    const visible = await api("PUT", `${url}/rule-b`, {
      body: { custom_attribute_definition: { visibility: "VISIBILITY_READ_ONLY" } },
    });
    expect(errorOf(visible)).toMatchObject({
      status: 400,
      code: "MISSING_REQUIRED_PARAMETER",
      field: "custom_attribute_definition.name",
    });
    const taken = await api("PUT", `${url}/rule-b`, {
      body: { custom_attribute_definition: { name: "Taken" } },
    });
    expect(errorOf(taken)).toMatchObject({
      status: 409,
      code: "CONFLICT",
      field: "custom_attribute_definition.name",
    });
    const own = await api("PUT", `${url}/rule-a`, {
      body: { custom_attribute_definition: { name: "Taken", description: "Its own name again" } },
    });
    expect(own.body.custom_attribute_definition).toMatchObject({ name: "Taken", version: 2 });
  });

  it("answers a repeated idempotency key with the first result, for definitions and values", async () => {
    const url = "/v2/customers/custom-attribute-definitions";
    const body = {
      custom_attribute_definition: { key: "idem-def", schema: { $ref: `${COMMON}String` } },
      idempotency_key: "idem-def-1",
    };
    const first = await api("POST", url, { body });
    const again = await api("POST", url, { body });
    expect(again.status).toBe(200); // not a 409 for the key the first call created
    expect(again.body).toEqual(first.body);
    const reused = await api("POST", url, {
      body: {
        ...body,
        custom_attribute_definition: { key: "other-def", schema: { $ref: `${COMMON}String` } },
      },
    });
    expect(errorOf(reused)).toMatchObject({ status: 400, code: "IDEMPOTENCY_KEY_REUSED" });

    const c = await createCustomer(api);
    const value = { custom_attribute: { value: "v" }, idempotency_key: "idem-upsert-1" };
    const path = `/v2/customers/${c.id}/custom-attributes/idem-def`;
    const u1 = await api("POST", path, { body: value });
    const u2 = await api("POST", path, { body: value });
    expect(u2.body).toEqual(u1.body);
    expect((await api("GET", path)).body.custom_attribute.version).toBe(1); // the repeat changed nothing
  });

  it("gives Selection options ids and keeps them on update", async () => {
    const res = await api("POST", "/v2/customers/custom-attribute-definitions", {
      body: {
        custom_attribute_definition: {
          key: "colour",
          schema: { type: "array", items: { names: ["Red", "Blue"] }, maxItems: 1 },
        },
      },
    });
    const schema = res.body.custom_attribute_definition.schema;
    expect(schema.items.enum).toHaveLength(2);
    const upd = await api("PUT", "/v2/customers/custom-attribute-definitions/colour", {
      body: {
        custom_attribute_definition: {
          schema: { type: "array", items: { names: ["Red", "Blue", "Green"] } },
        },
      },
    });
    const next = upd.body.custom_attribute_definition.schema.items;
    expect(next.enum.slice(0, 2)).toEqual(schema.items.enum);
    expect(next.enum).toHaveLength(3);
  });
});

describe("custom attributes", () => {
  it("upserts, retrieves, lists with definitions, and deletes", async () => {
    await define("nickname-x", "String");
    await define("vip", "Boolean");
    const c = await createCustomer(api);
    const first = await upsert(c.id, "nickname-x", "Ace");
    expect(first.body.custom_attribute).toMatchObject({ key: "nickname-x", value: "Ace", version: 1 });
    const second = await upsert(c.id, "nickname-x", "Ace 2", { version: 1 });
    expect(second.body.custom_attribute).toMatchObject({ value: "Ace 2", version: 2 });
    expect(errorOf(await upsert(c.id, "nickname-x", "stale", { version: 1 })).code).toBe("VERSION_MISMATCH");
    await upsert(c.id, "vip", true);

    const one = await api("GET", `/v2/customers/${c.id}/custom-attributes/nickname-x`, {
      query: { with_definition: true },
    });
    expect(one.body.custom_attribute).toMatchObject({ value: "Ace 2", definition: { key: "nickname-x" } });
    const list = await api("GET", `/v2/customers/${c.id}/custom-attributes`, {
      query: { with_definitions: true },
    });
    expect(list.body.custom_attributes.map((a: any) => [a.key, a.value, a.definition.key])).toEqual([
      ["nickname-x", "Ace 2", "nickname-x"],
      ["vip", true, "vip"],
    ]);
    const paged = await api("GET", `/v2/customers/${c.id}/custom-attributes`, { query: { limit: 1 } });
    expect(paged.body.custom_attributes).toHaveLength(1);
    const rest = await api("GET", `/v2/customers/${c.id}/custom-attributes`, {
      query: { cursor: paged.body.cursor },
    });
    expect(rest.body.custom_attributes[0].key).toBe("vip");

    expect((await api("DELETE", `/v2/customers/${c.id}/custom-attributes/vip`)).body).toEqual({});
    expect((await api("GET", `/v2/customers/${c.id}/custom-attributes/vip`)).status).toBe(404);
    expect((await api("DELETE", `/v2/customers/${c.id}/custom-attributes/vip`)).status).toBe(404);
  });

  it.each([
    ["String", 42],
    ["Email", "not-an-email"],
    ["PhoneNumber", "415 555 0100"],
    ["Date", "2024-02-30"],
    ["Boolean", "yes"],
    ["Number", "1.234567"],
    ["Address", { planet: "Mars" }],
  ])("rejects a value that does not fit %s", async (type, value) => {
    const key = `typed-${type.toLowerCase()}`;
    await define(key, type);
    const c = await createCustomer(api);
    const res = await upsert(c.id, key, value);
    expect(errorOf(res)).toMatchObject({
      status: 400,
      code: "INVALID_VALUE",
      field: "custom_attribute.value",
    });
  });

  it("404s for unknown customers and keys", async () => {
    const c = await createCustomer(api);
    expect(errorOf(await upsert(c.id, "no-such-key", "x"))).toMatchObject({ status: 404 });
    expect((await upsert("NOPE", "vip", true)).status).toBe(404);
    expect((await api("GET", "/v2/customers/NOPE/custom-attributes")).status).toBe(404);
  });

  it("bulk-upserts with per-entry results (1..25)", async () => {
    await define("bulk-num", "Number");
    const c = await createCustomer(api);
    const res = await api("POST", "/v2/customers/custom-attributes/bulk-upsert", {
      body: {
        values: {
          ok: { customer_id: c.id, custom_attribute: { key: "bulk-num", value: "10.5" } },
          bad: { customer_id: c.id, custom_attribute: { key: "bulk-num", value: "ten" } },
          nokey: { customer_id: c.id, custom_attribute: { value: "1" } },
          nocustomer: { customer_id: "NOPE", custom_attribute: { key: "bulk-num", value: "1" } },
        },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.values.ok).toMatchObject({
      customer_id: c.id,
      custom_attribute: { value: "10.5", version: 1 },
    });
    expect(res.body.values.bad.errors[0].code).toBe("INVALID_VALUE");
    expect(res.body.values.nokey.errors[0].field).toBe("custom_attribute.key");
    expect(res.body.values.nocustomer.errors[0].code).toBe("NOT_FOUND");
    const many = Object.fromEntries(
      Array.from({ length: 26 }, (_, i) => [
        `e${i}`,
        { customer_id: c.id, custom_attribute: { key: "bulk-num", value: "1" } },
      ]),
    );
    expect(
      (await api("POST", "/v2/customers/custom-attributes/bulk-upsert", { body: { values: many } })).status,
    ).toBe(400);
  });

  it("removes values with their definition", async () => {
    await define("temp", "String");
    const c = await createCustomer(api);
    await upsert(c.id, "temp", "x");
    await api("DELETE", "/v2/customers/custom-attribute-definitions/temp");
    expect((await api("GET", `/v2/customers/${c.id}/custom-attributes/temp`)).status).toBe(404);
  });
});

describe("search by custom attribute", () => {
  it("filters by text, number, boolean, date, email, phone, selection, address and updated_at", async () => {
    const e = client(await emulator(), "attribute-search");
    const def = async (key: string, schema: object) =>
      e("POST", "/v2/customers/custom-attribute-definitions", {
        body: { custom_attribute_definition: { key, schema } },
      });
    await def("movie", { $ref: `${COMMON}String` });
    await def("age", { $ref: `${COMMON}Number` });
    await def("member", { $ref: `${COMMON}Boolean` });
    await def("joined", { $ref: `${COMMON}Date` });
    await def("backup-email", { $ref: `${COMMON}Email` });
    await def("backup-phone", { $ref: `${COMMON}PhoneNumber` });
    await def("home", { $ref: `${COMMON}Address` });
    const colour = (
      await def("colour", { type: "array", items: { names: ["Red", "Blue", "Green"] }, maxItems: 2 })
    ).body.custom_attribute_definition.schema.items;
    const [red, blue] = colour.enum;

    const a = await createCustomer(e, { given_name: "A" });
    const b = await createCustomer(e, { given_name: "B" });
    const set = (id: string, key: string, value: unknown) =>
      e("POST", `/v2/customers/${id}/custom-attributes/${key}`, { body: { custom_attribute: { value } } });
    await set(a.id, "movie", "The Quick Brown Fox");
    await set(b.id, "movie", "Dune");
    await set(a.id, "age", "31.5");
    await set(b.id, "age", 40);
    await set(a.id, "member", true);
    await set(b.id, "member", false);
    await set(a.id, "joined", "2020-05-01");
    await set(b.id, "joined", "2023-01-10");
    await set(a.id, "backup-email", "a.backup@example.com");
    await set(b.id, "backup-phone", "+14155550100");
    await set(a.id, "home", { postal_code: "94103", country: "US" });
    await set(a.id, "colour", [red]);
    const late = await set(b.id, "colour", [red, blue]);

    const find = async (...filters: object[]) => {
      const res = await e("POST", "/v2/customers/search", {
        body: { query: { filter: { custom_attribute: { filters } } } },
      });
      expect(res.status, res.text).toBe(200);
      return (res.body.customers ?? []).map((c: any) => c.given_name);
    };
    expect(await find({ key: "movie", filter: { text: { fuzzy: "brown quick" } } })).toEqual(["A"]);
    expect(await find({ key: "movie", filter: { text: { fuzzy: "qui" } } })).toEqual([]);
    expect(await find({ key: "movie", filter: { text: { exact: "dune" } } })).toEqual(["B"]);
    expect(await find({ key: "age", filter: { number: { start_at: "35" } } })).toEqual(["B"]);
    expect(await find({ key: "age", filter: { number: { start_at: "31.5", end_at: "40" } } })).toEqual([
      "A",
      "B",
    ]);
    expect(await find({ key: "member", filter: { boolean: true } })).toEqual(["A"]);
    // Square also takes plain YYYY-MM-DD bounds here, but core's TimeRange rule accepts RFC 3339 only.
    expect(await find({ key: "joined", filter: { date: { end_at: "2021-01-01T00:00:00Z" } } })).toEqual([
      "A",
    ]);
    expect(await find({ key: "backup-email", filter: { email: { fuzzy: "backup" } } })).toEqual(["A"]);
    expect(await find({ key: "backup-phone", filter: { phone: { exact: "+14155550100" } } })).toEqual(["B"]);
    expect(
      await find({ key: "home", filter: { address: { postal_code: { exact: "94103" }, country: "US" } } }),
    ).toEqual(["A"]);
    expect(await find({ key: "colour", filter: { selection: { all: ["Red", "Blue"] } } })).toEqual(["B"]);
    expect(await find({ key: "colour", filter: { selection: { any: ["Blue", "Green"] } } })).toEqual(["B"]);
    expect(
      await find({ key: "colour", updated_at: { start_at: late.body.custom_attribute.updated_at } }),
    ).toEqual(["B"]);
    expect(await find({ key: "movie" }, { key: "member", filter: { boolean: false } })).toEqual(["B"]);
    const unknown = await e("POST", "/v2/customers/search", {
      body: { query: { filter: { custom_attribute: { filters: [{ key: "nope" }] } } } },
    });
    expect(errorOf(unknown)).toMatchObject({
      status: 400,
      field: "query.filter.custom_attribute.filters[0].key",
    });
  });
});
