// The emulator is at least as strict as Square's spec about what it accepts, over real HTTP: a body not
// declared as JSON, an Accept that leaves JSON out, a parameter or field the spec does not define, or a
// body sent where none is taken, each gets a Square error envelope and changes nothing.
import { request as httpRequest } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { type Api, client, createCustomer, emulator, errorOf } from "./helpers.js";

let e: Emulator;
let api: Api;
const token = "negotiation-token";
beforeAll(async () => {
  e = await emulator();
  api = client(e, token);
});

/** A raw request with exactly these headers (fetch would add a Content-Type to a string body). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, e.url),
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The customers of this test's merchant, by given name. */
async function names(): Promise<string[]> {
  const res = await api("GET", "/v2/customers");
  return (res.body.customers ?? []).map((c: { given_name?: string }) => c.given_name);
}

const error = (res: { status: number; body: any }) => ({
  status: res.status,
  code: res.body.errors?.[0]?.code,
  category: res.body.errors?.[0]?.category,
  field: res.body.errors?.[0]?.field,
});

describe("a body not declared as JSON", () => {
  it("is 415 UNSUPPORTED_MEDIA_TYPE, whatever it holds, and creates nothing", async () => {
    const json = '{"given_name":"A"}';
    for (const [type, body] of [
      ["application/x-www-form-urlencoded", "given_name=A"],
      ["text/plain", json],
      ["text/plain;charset=UTF-8", json],
      ["application/jsonp", json],
      [undefined, json],
    ] as const) {
      const res = await send(
        "POST",
        "/v2/customers",
        type === undefined ? {} : { "content-type": type },
        body,
      );
      expect(error(res), String(type)).toEqual({
        status: 415,
        code: "UNSUPPORTED_MEDIA_TYPE",
        category: "INVALID_REQUEST_ERROR",
        field: undefined,
      });
    }
    expect(await names()).toEqual([]);
  });

  it("is 400 INVALID_CONTENT_TYPE when the header is no media type, or JSON not in UTF-8", async () => {
    for (const type of ["json", "application/json; charset", "application/json; charset=iso-8859-1"]) {
      const res = await send("POST", "/v2/customers", { "content-type": type }, '{"given_name":"A"}');
      expect(error(res), type).toMatchObject({ status: 400, code: "INVALID_CONTENT_TYPE" });
    }
    expect(await names()).toEqual([]);
  });

  it("is taken when declared as JSON, with or without a UTF-8 charset, in any case", async () => {
    for (const [type, name] of [
      ["application/json", "Plain"],
      ["application/json; charset=utf-8", "Charset"],
      ['Application/JSON;Charset="UTF-8"', "Cased"],
    ] as const) {
      const res = await send(
        "POST",
        "/v2/customers",
        { "content-type": type },
        JSON.stringify({ given_name: name }),
      );
      expect(res.status, type).toBe(200);
    }
    expect((await names()).sort()).toEqual(["Cased", "Charset", "Plain"]);
  });

  it("an empty body with no Content-Type is {} (a choice); declared as something else it is refused", async () => {
    expect((await send("POST", "/v2/customers/search", {})).status).toBe(200);
    expect(
      error(await send("POST", "/v2/customers/search", { "content-type": "text/plain" }, "")),
    ).toMatchObject({
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
    });
  });
});

describe("an Accept header", () => {
  it("that leaves JSON out is 406 NOT_ACCEPTABLE, and changes nothing", async () => {
    const before = await names();
    for (const accept of ["text/html", "application/xml, text/*", "application/json;q=0", "image/*"]) {
      const res = await send(
        "POST",
        "/v2/customers",
        { "content-type": "application/json", accept },
        '{"given_name":"Refused"}',
      );
      expect(error(res), accept).toMatchObject({ status: 406, code: "NOT_ACCEPTABLE" });
    }
    expect(error(await send("GET", "/v2/customers", { accept: "text/csv" }))).toMatchObject({ status: 406 });
    expect(await names()).toEqual(before);
  });

  it("that admits JSON, by name, by wildcard or among others, is served", async () => {
    for (const accept of [
      "application/json",
      "*/*",
      "application/*",
      "text/html, application/json;q=0.1",
      "",
    ]) {
      expect((await send("GET", "/v2/customers", { accept })).status, accept).toBe(200);
    }
  });
});

describe("what the spec does not define", () => {
  it("an unknown body field is 400 UNKNOWN_BODY_PARAMETER, named with the field it most likely means", async () => {
    const res = await api("POST", "/v2/customers", { body: { given_name: "Typo", nickanme: "T" } });
    expect(errorOf(res)).toMatchObject({ status: 400, code: "UNKNOWN_BODY_PARAMETER", field: "nickanme" });
    expect(res.body.errors[0].detail).toBe(
      'nickanme is not a field of CreateCustomerRequest (did you mean "nickname"?)',
    );
    expect(await names()).not.toContain("Typo");
  });

  it("a typo in a search filter is refused, never a search of everyone", async () => {
    await createCustomer(api, { given_name: "Someone", email_address: "someone@example.com" });
    const res = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { emial: { exact: "nobody@example.com" } } } },
    });
    expect(errorOf(res)).toMatchObject({
      status: 400,
      code: "UNKNOWN_BODY_PARAMETER",
      field: "query.filter.emial",
    });
    expect(res.body.customers).toBeUndefined();
  });

  it("a query parameter an operation with a body does not take is 400 UNKNOWN_QUERY_PARAMETER", async () => {
    const res = await api("POST", "/v2/customers", {
      body: { given_name: "Query" },
      query: { dry_run: true },
    });
    expect(errorOf(res)).toMatchObject({ status: 400, code: "UNKNOWN_QUERY_PARAMETER", field: "dry_run" });
    expect(await names()).not.toContain("Query");
  });

  it("a query parameter given twice is 400 CONFLICTING_PARAMETERS", async () => {
    const res = await send("GET", "/v2/customers?limit=1&limit=50", {});
    expect(error(res)).toMatchObject({ status: 400, code: "CONFLICTING_PARAMETERS", field: "limit" });
  });

  it("a body sent to an operation that takes none is 400 BAD_REQUEST, and nothing is deleted", async () => {
    const customer = await createCustomer(api, { given_name: "Kept" });
    const res = await send(
      "DELETE",
      `/v2/customers/${customer.id}`,
      { "content-type": "application/json" },
      '{"version":0}',
    );
    expect(error(res)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(res.body.errors[0].detail).toBe("DELETE /v2/customers/{customer_id} takes no request body.");
    expect((await api("GET", `/v2/customers/${customer.id}`)).status).toBe(200);
  });
});
