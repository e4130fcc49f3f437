import { beforeAll, describe, expect, it } from "vitest";
import { type Api, client, createCustomer, emulator, errorOf } from "./helpers.js";

let api: Api;
const ids: Record<string, string> = {};

async function search(body: object): Promise<string[]> {
  const res = await api("POST", "/v2/customers/search", { body });
  expect(res.status).toBe(200);
  return (res.body.customers ?? []).map((c: any) => c.id);
}

beforeAll(async () => {
  api = client(await emulator(), "search-token");
  const people: Array<[string, Record<string, unknown>]> = [
    [
      "steven",
      {
        given_name: "Steven",
        family_name: "Jones",
        email_address: "steven.jones@gmail.com",
        phone_number: "+1-415-212-1200",
        reference_id: "NYC_M_35_JOHNSON",
      },
    ],
    [
      "bakery",
      {
        given_name: undefined,
        company_name: "Stevens Bakery",
        email_address: "mygmail@stevensbakery.com",
        phone_number: "+1 (212) 415-1234",
        reference_id: "NYC_27_MURRAY",
      },
    ],
    [
      "zoe",
      {
        given_name: "zoe",
        family_name: "Adams",
        email_address: "Zoe@Example.com",
        phone_number: "+44 20 7946 0958",
      },
    ],
    ["adam", { given_name: "Adam", family_name: "Zed", phone_number: "(551) 234-1567" }],
  ];
  for (const [name, fields] of people) ids[name] = (await createCustomer(api, fields)).id;
});

describe("list", () => {
  it("sorts by name by default, case-insensitively, and by creation time on request", async () => {
    const byName = (await api("GET", "/v2/customers")).body.customers.map((c: any) => c.id);
    expect(byName).toEqual([ids.bakery, ids.adam, ids.steven, ids.zoe]);
    const desc = await api("GET", "/v2/customers", { query: { sort_order: "DESC" } });
    expect(desc.body.customers.map((c: any) => c.id)).toEqual([ids.zoe, ids.steven, ids.adam, ids.bakery]);
    const byTime = await api("GET", "/v2/customers", {
      query: { sort_field: "CREATED_AT", sort_order: "ASC" },
    });
    expect(byTime.body.customers.map((c: any) => c.id)).toEqual([ids.steven, ids.bakery, ids.zoe, ids.adam]);
  });

  it("pages with opaque cursors and counts", async () => {
    const first = await api("GET", "/v2/customers", { query: { limit: 3, count: true } });
    expect(first.body.customers).toHaveLength(3);
    expect(first.body.count).toBe(4);
    expect(typeof first.body.cursor).toBe("string");
    expect(Buffer.from(first.body.cursor, "base64url").toString()).not.toMatch(/steven|zoe/i);
    const second = await api("GET", "/v2/customers", { query: { limit: 3, cursor: first.body.cursor } });
    expect(second.body.customers).toHaveLength(1);
    expect(second.body).not.toHaveProperty("cursor");
  });

  it("answers junk and foreign cursors with INVALID_CURSOR", async () => {
    for (const cursor of ["junk", "AAAA", "%%%", "a".repeat(9000)]) {
      const res = await api("GET", "/v2/customers", { query: { cursor } });
      expect(errorOf(res)).toMatchObject({ status: 400, code: "INVALID_CURSOR", field: "cursor" });
    }
    const page = await api("GET", "/v2/customers", { query: { limit: 1 } });
    const other = await api("GET", "/v2/customers", {
      query: { limit: 1, cursor: page.body.cursor, sort_field: "CREATED_AT" },
    });
    expect(errorOf(other).code).toBe("INVALID_CURSOR");
    const inSearch = await api("POST", "/v2/customers/search", { body: { cursor: page.body.cursor } });
    expect(errorOf(inSearch).code).toBe("INVALID_CURSOR");
  });

  it("checks limit, sort_field and sort_order", async () => {
    expect(errorOf(await api("GET", "/v2/customers", { query: { limit: 0 } }))).toMatchObject({
      code: "VALUE_TOO_LOW",
      field: "limit",
    });
    expect(errorOf(await api("GET", "/v2/customers", { query: { limit: 101 } })).code).toBe("VALUE_TOO_HIGH");
    expect(errorOf(await api("GET", "/v2/customers", { query: { limit: "ten" } })).code).toBe(
      "EXPECTED_INTEGER",
    );
    expect(errorOf(await api("GET", "/v2/customers", { query: { sort_field: "NAME" } })).code).toBe(
      "INVALID_ENUM_VALUE",
    );
    expect(errorOf(await api("GET", "/v2/customers", { query: { count: "yes" } })).code).toBe(
      "EXPECTED_BOOLEAN",
    );
  });

  it("answers an empty merchant with {}", async () => {
    const empty = client(await emulator(), "nobody-here");
    expect((await empty("GET", "/v2/customers")).body).toEqual({});
    expect((await empty("POST", "/v2/customers/search", { body: {} })).body).toEqual({});
  });
});

describe("search filters", () => {
  it("matches email exactly (case-insensitive) and fuzzily by tokens", async () => {
    expect(await search({ query: { filter: { email_address: { exact: "zoe@example.COM" } } } })).toEqual([
      ids.zoe,
    ]);
    const fuzzy = await search({ query: { filter: { email_address: { fuzzy: "Steven gmail" } } } });
    expect(fuzzy.sort()).toEqual([ids.steven, ids.bakery].sort());
    expect(await search({ query: { filter: { email_address: { fuzzy: "stevenjones" } } } })).toEqual([]);
  });

  it("matches phone numbers in E.164 and by digit tokens", async () => {
    expect(await search({ query: { filter: { phone_number: { exact: "+14152121200" } } } })).toEqual([
      ids.steven,
    ]);
    expect(await search({ query: { filter: { phone_number: { exact: "+1 (551) 234-1567" } } } })).toEqual([
      ids.adam,
    ]);
    const one = await search({ query: { filter: { phone_number: { fuzzy: "415" } } } });
    expect(one.sort()).toEqual([ids.steven, ids.bakery, ids.adam].sort());
    // Square's own example: "415 123" matches +1-212-415-1234 and +1 (551) 234-1567, not +1-415-212-1200.
    const two = await search({ query: { filter: { phone_number: { fuzzy: "415 123" } } } });
    expect(two.sort()).toEqual([ids.bakery, ids.adam].sort());
  });

  it("matches reference ids exactly and fuzzily", async () => {
    expect(await search({ query: { filter: { reference_id: { exact: "nyc_27_murray" } } } })).toEqual([
      ids.bakery,
    ]);
    const fuzzy = await search({ query: { filter: { reference_id: { fuzzy: "NYC M" } } } });
    expect(fuzzy.sort()).toEqual([ids.steven, ids.bakery].sort());
  });

  it("rejects exact together with fuzzy", async () => {
    const res = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { email_address: { exact: "a@b.co", fuzzy: "a" } } } },
    });
    expect(errorOf(res)).toMatchObject({ status: 400, field: "query.filter.email_address" });
  });

  it("filters by created_at / updated_at with inclusive bounds", async () => {
    const steven = (await api("GET", `/v2/customers/${ids.steven}`)).body.customer;
    const zoe = (await api("GET", `/v2/customers/${ids.zoe}`)).body.customer;
    const range = { start_at: steven.created_at, end_at: zoe.created_at };
    const found = await search({ query: { filter: { created_at: range }, sort: { field: "CREATED_AT" } } });
    expect(found).toEqual([ids.steven, ids.bakery, ids.zoe]);
    const after = await search({ query: { filter: { updated_at: { start_at: zoe.updated_at } } } });
    expect(after.sort()).toEqual([ids.zoe, ids.adam].sort());
    const bad = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { created_at: { start_at: "yesterday" } } } },
    });
    expect(errorOf(bad)).toMatchObject({
      status: 400,
      code: "INVALID_TIME",
      field: "query.filter.created_at.start_at",
    });
  });

  it("filters by creation source with INCLUDE and EXCLUDE", async () => {
    const include = await search({ query: { filter: { creation_source: { values: ["THIRD_PARTY"] } } } });
    expect(include).toHaveLength(4);
    const exclude = await search({
      query: { filter: { creation_source: { values: ["THIRD_PARTY"], rule: "EXCLUDE" } } },
    });
    expect(exclude).toEqual([]);
  });

  it("sorts search results and pages them with a body cursor", async () => {
    const body = { limit: 2, query: { sort: { field: "CREATED_AT", order: "DESC" } }, count: true };
    const first = await api("POST", "/v2/customers/search", { body });
    expect(first.body.customers.map((c: any) => c.id)).toEqual([ids.adam, ids.zoe]);
    expect(first.body.count).toBe(4);
    const second = await api("POST", "/v2/customers/search", {
      body: { ...body, cursor: first.body.cursor },
    });
    expect(second.body.customers.map((c: any) => c.id)).toEqual([ids.bakery, ids.steven]);
    expect(second.body.cursor).toBeUndefined();
  });

  it("checks the search limit", async () => {
    expect(errorOf(await api("POST", "/v2/customers/search", { body: { limit: 0 } })).code).toBe(
      "VALUE_TOO_LOW",
    );
    expect(errorOf(await api("POST", "/v2/customers/search", { body: { limit: 101 } })).code).toBe(
      "VALUE_TOO_HIGH",
    );
  });
});

describe("paging under concurrent inserts", () => {
  it("neither skips nor repeats an item while others insert, in list and search", async () => {
    const e = await emulator({ seed: 120 });
    const reader = client(e, "paging-token");
    const writer = client(e, "paging-token");

    /** Follows cursors to the end, running `between` after each page; the ids in the order seen. */
    const walk = async (page: (cursor?: string) => Promise<any>, between?: () => Promise<unknown>) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const body = await page(cursor);
        ids.push(...(body.customers ?? []).map((c: any) => c.id));
        cursor = body.cursor;
        await between?.();
      } while (cursor !== undefined);
      return ids;
    };
    const list = (field: string, order: string, limit: number) => async (cursor?: string) =>
      (
        await reader("GET", "/v2/customers", {
          query: { limit, sort_field: field, sort_order: order, ...(cursor ? { cursor } : {}) },
        })
      ).body;
    const search = (field: string, order: string, limit: number) => async (cursor?: string) =>
      (
        await reader("POST", "/v2/customers/search", {
          body: { limit, query: { sort: { field, order } }, ...(cursor ? { cursor } : {}) },
        })
      ).body;
    // Between pages another client inserts names that sort before, among and after the pages.
    const insert = () =>
      Promise.all(
        ["Aaron", "Mia", "Zed"].map((given_name) =>
          writer("POST", "/v2/customers", { body: { given_name } }),
        ),
      );

    for (const [pages, field, order] of [
      [list, "DEFAULT", "ASC"],
      [list, "CREATED_AT", "DESC"],
      [list, "CREATED_AT", "ASC"],
      [search, "DEFAULT", "DESC"],
      [search, "CREATED_AT", "ASC"],
    ] as const) {
      const before = await walk(pages(field, order, 100));
      const seen = await walk(pages(field, order, 7), insert);
      expect(new Set(seen).size, `${field} ${order}`).toBe(seen.length); // nothing repeated
      expect(
        before.filter((id) => !seen.includes(id)),
        `${field} ${order}`,
      ).toEqual([]); // nothing that was there is skipped
    }
    // A few thousand requests: seconds on an idle machine, much longer on a loaded 2-core one.
  }, 120_000);
});
