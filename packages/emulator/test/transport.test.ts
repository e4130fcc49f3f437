import { connect } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { type Api, client, createCustomer, emulator, errorOf } from "./helpers.js";

const STRING = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String";
let e: Emulator;
let api: Api;
beforeAll(async () => {
  e = await emulator();
  api = client(e, "transport-token");
});

/** Sends raw bytes and returns the raw answer (for requests fetch refuses to make). */
function rawRequest(target: Emulator, text: string): Promise<string> {
  const { port } = new URL(target.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.end(text));
    let out = "";
    socket.on("data", (d) => {
      out += d.toString();
    });
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

describe("auth", () => {
  it("needs a bearer token", async () => {
    for (const headers of [
      {},
      { authorization: "Basic abc" },
      { authorization: "Bearer" },
      { authorization: "Bearer a b" },
    ]) {
      const res = await api("GET", "/v2/customers", { noAuth: true, headers });
      expect(errorOf(res)).toEqual({ status: 401, code: "UNAUTHORIZED", category: "AUTHENTICATION_ERROR" });
    }
  });

  it("accepts only listed tokens when given a list, and checks scopes", async () => {
    const locked = await emulator({
      tokens: ["full", { token: "reader", scopes: ["CUSTOMERS_READ"] }],
    });
    expect((await client(locked, "full")("GET", "/v2/customers")).status).toBe(200);
    expect(errorOf(await client(locked, "stranger")("GET", "/v2/customers")).status).toBe(401);
    const reader = client(locked, "reader");
    expect((await reader("POST", "/v2/customers/search", { body: {} })).status).toBe(200);
    const write = await reader("POST", "/v2/customers", { body: { given_name: "x" } });
    expect(errorOf(write)).toMatchObject({ status: 403, code: "INSUFFICIENT_SCOPES" });
  });
});

describe("tenant isolation", () => {
  it("keeps every token's customers, groups, definitions and attributes apart", async () => {
    const a = client(e, "merchant-a");
    const b = client(e, "merchant-b");
    const customer = await createCustomer(a, { email_address: "only-a@example.com" });
    const group = (await a("POST", "/v2/customers/groups", { body: { group: { name: "A's" } } })).body.group;
    await a("POST", "/v2/customers/custom-attribute-definitions", {
      body: {
        custom_attribute_definition: {
          key: "secret",
          schema: { $ref: STRING },
        },
      },
    });
    await a("POST", `/v2/customers/${customer.id}/custom-attributes/secret`, {
      body: { custom_attribute: { value: "s" } },
    });

    expect((await b("GET", `/v2/customers/${customer.id}`)).status).toBe(404);
    expect((await b("PUT", `/v2/customers/${customer.id}`, { body: { note: "x" } })).status).toBe(404);
    expect((await b("DELETE", `/v2/customers/${customer.id}`)).status).toBe(404);
    expect((await b("GET", "/v2/customers")).body).toEqual({});
    const search = await b("POST", "/v2/customers/search", {
      body: { query: { filter: { email_address: { exact: "only-a@example.com" } } } },
    });
    expect(search.body).toEqual({});
    const bulk = await b("POST", "/v2/customers/bulk-retrieve", { body: { customer_ids: [customer.id] } });
    expect(bulk.body.responses[customer.id].errors[0].code).toBe("NOT_FOUND");
    expect(
      (await b("POST", "/v2/customers/bulk-delete", { body: { customer_ids: [customer.id] } })).body
        .responses[customer.id].errors,
    ).toBeDefined();
    expect((await b("GET", `/v2/customers/groups/${group.id}`)).status).toBe(404);
    expect((await b("GET", "/v2/customers/groups")).body).toEqual({});
    expect((await b("GET", "/v2/customers/custom-attribute-definitions/secret")).status).toBe(404);
    expect((await b("GET", `/v2/customers/${customer.id}/custom-attributes/secret`)).status).toBe(404);
    // Segments have the same names but different ids per merchant.
    const segA = (await a("GET", "/v2/customers/segments")).body.segments[0].id;
    expect((await b("GET", `/v2/customers/segments/${segA}`)).status).toBe(404);
    // Writes aimed at A's data find nothing either.
    const bulkUpdate = await b("POST", "/v2/customers/bulk-update", {
      body: { customers: { [customer.id]: { note: "from b" } } },
    });
    expect(bulkUpdate.body.responses[customer.id].errors[0].code).toBe("NOT_FOUND");
    expect(
      (await b("PUT", `/v2/customers/groups/${group.id}`, { body: { group: { name: "b" } } })).status,
    ).toBe(404);
    expect((await b("DELETE", `/v2/customers/groups/${group.id}`)).status).toBe(404);
    expect((await b("DELETE", "/v2/customers/custom-attribute-definitions/secret")).status).toBe(404);
    const foreignValue = await b("POST", `/v2/customers/${customer.id}/custom-attributes/secret`, {
      body: { custom_attribute: { value: "from b" } },
    });
    expect(foreignValue.status).toBe(404);
    // B may use the same definition key for a definition of its own.
    const own = await b("POST", "/v2/customers/custom-attribute-definitions", {
      body: { custom_attribute_definition: { key: "secret", schema: { $ref: STRING } } },
    });
    expect(own.status).toBe(200);
    // And A still has everything, unchanged.
    const kept = (await a("GET", `/v2/customers/${customer.id}`)).body.customer;
    expect(kept).toEqual(customer);
    expect((await a("GET", `/v2/customers/groups/${group.id}`)).body.group.name).toBe("A's");
    const value = await a("GET", `/v2/customers/${customer.id}/custom-attributes/secret`);
    expect(value.body.custom_attribute.value).toBe("s");
  });
});

describe("Square-Version", () => {
  it("echoes a well-formed version and rejects a malformed one", async () => {
    const res = await api("GET", "/v2/customers", { headers: { "square-version": "2024-01-18" } });
    expect(res.headers.get("square-version")).toBe("2024-01-18");
    for (const v of ["2024-1-18", "latest", "2024-13-01", ""]) {
      const bad = await api("GET", "/v2/customers", { headers: { "square-version": v } });
      expect(errorOf(bad)).toMatchObject({ status: 400, code: "INVALID_SQUARE_VERSION_FORMAT" });
      expect(bad.headers.get("square-version")).toBe("2025-08-20");
    }
  });

  it("sends a request id with every answer", async () => {
    const res = await api("GET", "/v2/nowhere");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("bad requests", () => {
  it("answers unknown paths with 404 and wrong methods with 405", async () => {
    for (const path of [
      "/v2",
      "/v1/customers",
      "/v2/customers/",
      "/v2/customers//groups",
      "/v2/customers/a/b/c/d/e",
    ]) {
      expect(errorOf(await api("GET", path))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    }
    const patch = await api("PATCH", "/v2/customers/ABC");
    expect(errorOf(patch)).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });
    expect(patch.headers.get("allow")).toBe("DELETE, GET, PUT");
    expect((await api("GET", "/v2/customers/search")).status).toBe(405);
    expect((await api("DELETE", "/v2/customers/groups")).status).toBe(405);
  });

  it("answers malformed and non-object JSON", async () => {
    for (const raw of ["{", "not json", "[1,2]", "null", "42", '"str"', "{'a':1}"]) {
      const res = await api("POST", "/v2/customers", {
        raw,
        headers: { "content-type": "application/json" },
      });
      expect(errorOf(res)).toMatchObject({ status: 400, code: "EXPECTED_JSON_BODY" });
    }
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect((await api("POST", "/v2/customers/search", { raw: `{"query":${deep}}` })).status).toBe(400);
    const nested = `{"given_name":"x","address":${'{"a":'.repeat(40)}1${"}".repeat(40)}}`;
    expect(errorOf(await api("POST", "/v2/customers", { raw: nested })).status).toBe(400);
  });

  it("answers wrong types with Square's EXPECTED_* codes and fields", async () => {
    const res = await api("POST", "/v2/customers/search", { body: { limit: "10", query: { filter: [] } } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((x: any) => [x.code, x.field])).toEqual(
      expect.arrayContaining([
        ["EXPECTED_INTEGER", "limit"],
        ["EXPECTED_OBJECT", "query.filter"],
      ]),
    );
  });

  it("answers bodies over 1 MiB with 413 and keeps serving", async () => {
    const big = JSON.stringify({ given_name: "x".repeat(1024 * 1024 + 10) });
    const res = await api("POST", "/v2/customers", { raw: big });
    expect(errorOf(res)).toMatchObject({ status: 413, code: "REQUEST_ENTITY_TOO_LARGE" });
    const huge = await api("POST", "/v2/customers", { raw: "x".repeat(17 * 1024 * 1024) }).catch(
      () => undefined,
    );
    if (huge !== undefined) expect(huge.status).toBe(413); // or the connection was closed mid-upload
    expect((await api("GET", "/v2/customers")).status).toBe(200);
  });

  it("treats ids with odd characters as plain (missing) ids", async () => {
    for (const id of [
      "%00",
      "%E2%9C%93",
      "a%2Fb",
      "'%20OR%201=1--",
      "%22%3Cscript%3E",
      "x".repeat(2000),
      "%F0%9F%98%80",
    ]) {
      const res = await api("GET", `/v2/customers/${id}`);
      expect(errorOf(res)).toMatchObject({ status: 404, code: "NOT_FOUND" });
    }
    expect((await api("GET", "/v2/customers/%E0%A4%A")).status).toBe(404); // broken escape
    expect((await api("GET", "/v2/customers/%20")).status).toBe(400); // blank id
  });

  it("answers requests that are not HTTP with a JSON 400", async () => {
    const out = await rawRequest(e, "HELLO THERE\r\n\r\n");
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('"code":"BAD_REQUEST"');
    expect((await api("GET", "/v2/customers")).status).toBe(200);
  });

  it("reads an empty POST body as {}", async () => {
    const res = await api("POST", "/v2/customers/search", { raw: "" });
    expect(res.status).toBe(200);
  });
});
