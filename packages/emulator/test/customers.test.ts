import { beforeAll, describe, expect, it } from "vitest";
import { type Api, client, createCustomer, emulator, errorOf } from "./helpers.js";

let api: Api;
beforeAll(async () => {
  api = client(await emulator());
});

describe("create", () => {
  it("creates a customer with Square's read-only fields and normalised birthday", async () => {
    const res = await api("POST", "/v2/customers", {
      body: {
        given_name: "Amelia",
        family_name: "Earhart",
        email_address: "Amelia.Earhart@example.com",
        phone_number: "+1-212-555-4240",
        birthday: "07-24",
        address: {
          address_line_1: "500 Electric Ave",
          locality: "New York",
          country: "US",
          postal_code: null,
        },
        tax_ids: { eu_vat: "IE3426675K" },
        note: "a note",
        reference_id: "YOUR_REFERENCE_ID",
      },
    });
    expect(res.status).toBe(200);
    const c = res.body.customer;
    expect(c.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(c.version).toBe(0);
    expect(c.creation_source).toBe("THIRD_PARTY");
    expect(c.birthday).toBe("0000-07-24");
    expect(c.created_at).toBe(c.updated_at);
    expect(c.address).toEqual({ address_line_1: "500 Electric Ave", locality: "New York", country: "US" });
    expect(c.preferences).toEqual({ email_unsubscribed: false });
    expect(res.headers.get("square-version")).toBe("2025-08-20");
  });

  it("needs one of the identity fields", async () => {
    const res = await api("POST", "/v2/customers", { body: { nickname: "nobody", note: "x" } });
    expect(errorOf(res)).toMatchObject({ status: 400, code: "MISSING_REQUIRED_PARAMETER" });
  });

  it.each([
    [{ given_name: "x".repeat(301) }, "VALUE_TOO_LONG", "given_name"],
    [{ company_name: "x".repeat(501) }, "VALUE_TOO_LONG", "company_name"],
    [{ given_name: "A", nickname: "x".repeat(101) }, "VALUE_TOO_LONG", "nickname"],
    [{ email_address: "not-an-email" }, "INVALID_EMAIL_ADDRESS", "email_address"],
    [{ phone_number: "12" }, "INVALID_PHONE_NUMBER", "phone_number"],
    [{ given_name: "A", birthday: "1990-02-30" }, "INVALID_TIME", "birthday"],
    [{ given_name: 42 }, "EXPECTED_STRING", "given_name"],
    [{ given_name: "A", tax_ids: { eu_vat: "x".repeat(21) } }, "VALUE_TOO_LONG", "tax_ids.eu_vat"],
  ])("rejects %j with %s", async (body, code, field) => {
    const res = await api("POST", "/v2/customers", { body });
    expect(errorOf(res)).toEqual({ status: 400, code, category: "INVALID_REQUEST_ERROR", field });
  });

  it("returns the first result again for a repeated idempotency key", async () => {
    const body = { given_name: "Once", idempotency_key: "create-once-1" };
    const first = await api("POST", "/v2/customers", { body });
    const second = await api("POST", "/v2/customers", { body });
    expect(second.body).toEqual(first.body);
    const found = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { created_at: { start_at: first.body.customer.created_at } } }, count: true },
    });
    expect(found.body.customers.filter((c: any) => c.given_name === "Once")).toHaveLength(1);
  });

  it("rejects a reused idempotency key with a different body", async () => {
    await api("POST", "/v2/customers", { body: { given_name: "A", idempotency_key: "reuse-1" } });
    const res = await api("POST", "/v2/customers", { body: { given_name: "B", idempotency_key: "reuse-1" } });
    expect(errorOf(res)).toMatchObject({ status: 400, code: "IDEMPOTENCY_KEY_REUSED" });
  });
});

describe("retrieve, update, delete", () => {
  it("retrieves by id and 404s for unknown ids", async () => {
    const c = await createCustomer(api);
    expect((await api("GET", `/v2/customers/${c.id}`)).body.customer).toEqual(c);
    const missing = await api("GET", "/v2/customers/NOPE");
    expect(errorOf(missing)).toEqual({ status: 404, code: "NOT_FOUND", category: "INVALID_REQUEST_ERROR" });
    expect(missing.body.errors[0].detail).toBe("Customer with ID `NOPE` not found.");
  });

  it("updates sparsely: absent keeps, null clears, version + 1", async () => {
    const c = await createCustomer(api, {
      family_name: "Keep",
      nickname: "Nick",
      email_address: "a@example.com",
    });
    const res = await api("PUT", `/v2/customers/${c.id}`, {
      body: { nickname: null, company_name: "Co", birthday: "1990-01-02", version: 0 },
    });
    expect(res.status).toBe(200);
    const u = res.body.customer;
    expect(u).toMatchObject({ family_name: "Keep", company_name: "Co", birthday: "1990-01-02", version: 1 });
    expect(u).not.toHaveProperty("nickname");
    expect(u.created_at).toBe(c.created_at);
    expect(Date.parse(u.updated_at)).toBeGreaterThan(Date.parse(c.updated_at));
    expect((await api("PUT", `/v2/customers/${c.id}`, { body: { note: "n" } })).body.customer.version).toBe(
      2,
    );
  });

  it("rejects a stale version on update and delete", async () => {
    const c = await createCustomer(api);
    await api("PUT", `/v2/customers/${c.id}`, { body: { note: "v1" } });
    const update = await api("PUT", `/v2/customers/${c.id}`, { body: { note: "stale", version: 0 } });
    expect(errorOf(update)).toMatchObject({ status: 400, code: "VERSION_MISMATCH", field: "version" });
    const del = await api("DELETE", `/v2/customers/${c.id}`, { query: { version: 0 } });
    expect(errorOf(del)).toMatchObject({ status: 400, code: "VERSION_MISMATCH" });
    expect((await api("DELETE", `/v2/customers/${c.id}`, { query: { version: 1 } })).status).toBe(200);
  });

  it("validates updates like creates", async () => {
    const c = await createCustomer(api);
    const res = await api("PUT", `/v2/customers/${c.id}`, { body: { email_address: "nope" } });
    expect(errorOf(res)).toMatchObject({
      status: 400,
      code: "INVALID_EMAIL_ADDRESS",
      field: "email_address",
    });
    const missing = await api("PUT", "/v2/customers/MISSING", { body: { note: "x" } });
    expect(errorOf(missing)).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("deletes, after which the id is 404", async () => {
    const c = await createCustomer(api);
    const res = await api("DELETE", `/v2/customers/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await api("GET", `/v2/customers/${c.id}`)).status).toBe(404);
    expect((await api("DELETE", `/v2/customers/${c.id}`)).status).toBe(404);
  });

  it("hides a profile without name, company, email or phone from list and search", async () => {
    const c = await createCustomer(api, { given_name: "Ghost", nickname: "G" });
    await api("PUT", `/v2/customers/${c.id}`, { body: { given_name: null } });
    expect((await api("GET", `/v2/customers/${c.id}`)).status).toBe(200);
    const all = await api("POST", "/v2/customers/search", { body: { limit: 100 } });
    expect((all.body.customers ?? []).map((x: any) => x.id)).not.toContain(c.id);
  });
});

describe("bulk", () => {
  it("bulk-creates with per-entry results and errors", async () => {
    const res = await api("POST", "/v2/customers/bulk-create", {
      body: {
        customers: {
          "key-1": { given_name: "Bulk", email_address: "bulk1@example.com" },
          "key-2": { email_address: "broken" },
          "key-3": { note: "nobody" },
        },
      },
    });
    expect(res.status).toBe(200);
    const r = res.body.responses;
    expect(r["key-1"].customer.given_name).toBe("Bulk");
    expect(r["key-2"].errors[0]).toMatchObject({ code: "INVALID_EMAIL_ADDRESS", field: "email_address" });
    expect(r["key-3"].errors[0].code).toBe("MISSING_REQUIRED_PARAMETER");
  });

  it("treats bulk-create keys as idempotency keys", async () => {
    const body = { customers: { "bulk-idem-1": { given_name: "Idem" } } };
    const first = await api("POST", "/v2/customers/bulk-create", { body });
    const second = await api("POST", "/v2/customers/bulk-create", { body });
    expect(second.body.responses["bulk-idem-1"].customer.id).toBe(
      first.body.responses["bulk-idem-1"].customer.id,
    );
  });

  it("enforces 1..100 entries", async () => {
    const empty = await api("POST", "/v2/customers/bulk-create", { body: { customers: {} } });
    expect(errorOf(empty)).toMatchObject({ status: 400, field: "customers" });
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, { given_name: "x" }]));
    expect((await api("POST", "/v2/customers/bulk-create", { body: { customers: many } })).status).toBe(400);
    const ids = Array.from({ length: 101 }, (_, i) => `id${i}`);
    expect((await api("POST", "/v2/customers/bulk-retrieve", { body: { customer_ids: ids } })).status).toBe(
      400,
    );
    expect((await api("POST", "/v2/customers/bulk-delete", { body: { customer_ids: [] } })).status).toBe(400);
    expect((await api("POST", "/v2/customers/bulk-update", { body: {} })).status).toBe(400);
  });

  it("bulk-retrieves, bulk-updates and bulk-deletes per id", async () => {
    const a = await createCustomer(api, { given_name: "A" });
    const b = await createCustomer(api, { given_name: "B" });
    const got = await api("POST", "/v2/customers/bulk-retrieve", {
      body: { customer_ids: [a.id, "MISSING"] },
    });
    expect(got.body.responses[a.id].customer.id).toBe(a.id);
    expect(got.body.responses.MISSING.errors[0].code).toBe("NOT_FOUND");

    const upd = await api("POST", "/v2/customers/bulk-update", {
      body: {
        customers: {
          [a.id]: { nickname: "AA", version: 0 },
          [b.id]: { nickname: "BB", version: 7 },
          MISSING: { nickname: "x" },
        },
      },
    });
    expect(upd.body.responses[a.id].customer).toMatchObject({ nickname: "AA", version: 1 });
    expect(upd.body.responses[b.id].errors[0].code).toBe("VERSION_MISMATCH");
    expect(upd.body.responses.MISSING.errors[0].code).toBe("NOT_FOUND");

    const del = await api("POST", "/v2/customers/bulk-delete", { body: { customer_ids: [a.id, "MISSING"] } });
    expect(del.body.responses[a.id]).toEqual({});
    expect(del.body.responses.MISSING.errors[0].code).toBe("NOT_FOUND");
    expect((await api("GET", `/v2/customers/${a.id}`)).status).toBe(404);
    expect((await api("GET", `/v2/customers/${b.id}`)).status).toBe(200);
  });

  it("keeps map keys that look like object internals as plain keys", async () => {
    const res = await api("POST", "/v2/customers/bulk-create", {
      raw: '{"customers":{"__proto__":{"given_name":"Proto"},"constructor":{"given_name":"C"}}}',
    });
    expect(res.status).toBe(200);
    const own = (key: string) => Object.getOwnPropertyDescriptor(res.body.responses, key)?.value;
    expect(own("__proto__").customer.given_name).toBe("Proto");
    expect(own("constructor").customer.given_name).toBe("C");
  });
});
