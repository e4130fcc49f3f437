import { describe, expect, it } from "vitest";
import { validateRequest } from "../src/index.js";
import { normalizeBirthday, parseQuery } from "../src/tooling.js";

const codes = (issues: ReturnType<typeof validateRequest>) =>
  issues.map(({ field, code }) => ({ field, code }));

describe("validateRequest", () => {
  it("accepts a valid create", () => {
    expect(
      validateRequest("createCustomer", [], { given_name: "Amelia", email_address: "amelia@example.com" }),
    ).toEqual([]);
  });

  it("needs at least one of the identity fields to create", () => {
    expect(codes(validateRequest("createCustomer", [], { note: "no name" }))).toEqual([
      { field: "body", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(codes(validateRequest("createCustomer", [], { given_name: "  " }))).toEqual([
      { field: "body", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(validateRequest("createCustomer", [], { phone_number: "+1 212 555 4240" })).toEqual([]);
    const bulk = validateRequest("bulkCreateCustomers", [], {
      customers: { k1: { given_name: "A" }, k2: { note: "x" } },
    });
    expect(codes(bulk)).toEqual([{ field: "customers.k2", code: "MISSING_REQUIRED_PARAMETER" }]);
  });

  it("enforces the length limits the spec states only in prose", () => {
    const cases: Array<[string, number]> = [
      ["given_name", 300],
      ["family_name", 300],
      ["company_name", 500],
      ["nickname", 100],
      ["reference_id", 100],
    ];
    for (const [field, max] of cases) {
      expect(validateRequest("createCustomer", [], { given_name: "A", [field]: "x".repeat(max) })).toEqual(
        [],
      );
      expect(
        codes(validateRequest("createCustomer", [], { given_name: "A", [field]: "x".repeat(max + 1) })),
      ).toEqual([{ field, code: "VALUE_TOO_LONG" }]);
      expect(codes(validateRequest("updateCustomer", ["id"], { [field]: "x".repeat(max + 1) }))).toEqual([
        { field, code: "VALUE_TOO_LONG" },
      ]);
    }
    const longEmail = `${"a".repeat(243)}@example.com`; // 255 characters
    expect(codes(validateRequest("createCustomer", [], { email_address: longEmail }))).toEqual([
      { field: "email_address", code: "VALUE_TOO_LONG" },
    ]);
    expect(
      codes(validateRequest("createCustomer", [], { given_name: "A", tax_ids: { eu_vat: "x".repeat(21) } })),
    ).toEqual([{ field: "tax_ids.eu_vat", code: "VALUE_TOO_LONG" }]);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(validateRequest("createCustomer", [], { given_name: "😀".repeat(300) })).toEqual([]);
  });

  it("says why a birthday is wrong: its form, or a date that does not exist", () => {
    const message = (birthday: string) =>
      validateRequest("createCustomer", [], { given_name: "A", birthday })[0]?.message;
    expect(message("1990-02-30")).toBe("birthday 1990-02-30 does not exist: February 1990 has 28 days");
    expect(message("1992-02-29")).toBeUndefined();
    expect(message("02-29")).toBeUndefined();
    expect(message("04-31")).toBe("birthday 04-31 does not exist: April has 30 days");
    expect(message("1990-13-01")).toBe("birthday 1990-13-01 does not exist: there is no month 13");
    expect(message("30/02/1990")).toBe("birthday must be YYYY-MM-DD or MM-DD");
  });

  it("shows the enum value given, with the accepted values or a hint of their form", () => {
    const message = (input: object) =>
      validateRequest("createCustomer", [], { given_name: "A", ...input })[0]?.message;
    expect(message({ address: { country: "XX" } })).toBe(
      'address.country is "XX", not a two-letter country code (ISO 3166-1 alpha-2, such as US, GB or DE)',
    );
    expect(validateRequest("listCustomers", [], { sort_field: "NAME" as never })[0]?.message).toBe(
      'sort_field is "NAME", not one of DEFAULT, CREATED_AT',
    );
  });

  it("checks email, phone and birthday formats", () => {
    expect(codes(validateRequest("createCustomer", [], { email_address: "not-an-email" }))).toEqual([
      { field: "email_address", code: "INVALID_EMAIL_ADDRESS" },
    ]);
    expect(codes(validateRequest("createCustomer", [], { phone_number: "12345" }))).toEqual([
      { field: "phone_number", code: "INVALID_PHONE_NUMBER" },
    ]);
    expect(codes(validateRequest("createCustomer", [], { phone_number: "+12345678901234567" }))).toEqual([
      { field: "phone_number", code: "INVALID_PHONE_NUMBER" },
    ]);
    expect(codes(validateRequest("createCustomer", [], { given_name: "A", birthday: "1990-02-30" }))).toEqual(
      [{ field: "birthday", code: "INVALID_TIME" }],
    );
    expect(
      codes(
        validateRequest("bulkUpdateCustomers", [], {
          customers: { c1: { email_address: "bad@", version: 1 } },
        }),
      ),
    ).toEqual([{ field: "customers.c1.email_address", code: "INVALID_EMAIL_ADDRESS" }]);
  });

  it("lets an update clear a nullable field with null, but not a create", () => {
    expect(validateRequest("updateCustomer", ["id"], { given_name: null, address: null })).toEqual([]);
    expect(codes(validateRequest("createCustomer", [], { given_name: null, family_name: "B" }))).toEqual([
      { field: "given_name", code: "EXPECTED_STRING" },
    ]);
  });

  it("reports wrong types with their field path", () => {
    expect(codes(validateRequest("createCustomer", [], { given_name: 7 }))).toEqual([
      { field: "given_name", code: "EXPECTED_STRING" },
      { field: "body", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(codes(validateRequest("updateCustomer", ["id"], { version: 1.5 }))).toEqual([
      { field: "version", code: "EXPECTED_INTEGER" },
    ]);
    expect(
      codes(validateRequest("createCustomer", [], { given_name: "A", address: { country: "QQ" } })),
    ).toEqual([{ field: "address.country", code: "INVALID_ENUM_VALUE" }]);
    expect(codes(validateRequest("bulkRetrieveCustomers", [], { customer_ids: ["a", 2] }))).toEqual([
      { field: "customer_ids[1]", code: "EXPECTED_STRING" },
    ]);
    expect(codes(validateRequest("createCustomer", [], "text"))).toEqual([
      { field: "body", code: "EXPECTED_OBJECT" },
    ]);
  });

  it("requires required body fields", () => {
    expect(codes(validateRequest("createCustomerGroup", [], {}))).toEqual([
      { field: "group", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(codes(validateRequest("createCustomerGroup", [], { group: {} }))).toEqual([
      { field: "group.name", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
  });

  it("bounds bulk sizes", () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `id${i}`);
    expect(validateRequest("bulkDeleteCustomers", [], { customer_ids: ids(100) })).toEqual([]);
    expect(codes(validateRequest("bulkDeleteCustomers", [], { customer_ids: ids(101) }))).toEqual([
      { field: "customer_ids", code: "ARRAY_LENGTH_TOO_LONG" },
    ]);
    expect(codes(validateRequest("bulkRetrieveCustomers", [], { customer_ids: [] }))).toEqual([
      { field: "customer_ids", code: "ARRAY_EMPTY" },
    ]);
    expect(codes(validateRequest("bulkCreateCustomers", [], { customers: {} }))).toEqual([
      { field: "customers", code: "VALUE_EMPTY" },
    ]);
    const many = Object.fromEntries(ids(101).map((id) => [id, { given_name: "A" }]));
    expect(codes(validateRequest("bulkCreateCustomers", [], { customers: many }))).toEqual([
      { field: "customers", code: "TOO_MANY_MAP_ENTRIES" },
    ]);
    const upsert = (n: number) =>
      Object.fromEntries(
        ids(n).map((id) => [id, { customer_id: "c", custom_attribute: { key: "k", value: 1 } }]),
      );
    expect(validateRequest("bulkUpsertCustomerCustomAttributes", [], { values: upsert(25) })).toEqual([]);
    expect(codes(validateRequest("bulkUpsertCustomerCustomAttributes", [], { values: upsert(26) }))).toEqual([
      { field: "values", code: "TOO_MANY_MAP_ENTRIES" },
    ]);
  });

  it("bounds idempotency keys where the spec does", () => {
    expect(
      codes(
        validateRequest("upsertCustomerCustomAttribute", ["c", "k"], {
          custom_attribute: { value: "v" },
          idempotency_key: "x".repeat(46),
        }),
      ),
    ).toEqual([{ field: "idempotency_key", code: "VALUE_TOO_LONG" }]);
  });

  it("checks query limit ranges, types, enums and unknown parameters", () => {
    expect(validateRequest("listCustomers", [], { limit: 100, sort_field: "CREATED_AT" })).toEqual([]);
    expect(codes(validateRequest("listCustomers", [], { limit: 0 }))).toEqual([
      { field: "limit", code: "VALUE_TOO_LOW" },
    ]);
    expect(codes(validateRequest("listCustomers", [], { limit: 101 }))).toEqual([
      { field: "limit", code: "VALUE_TOO_HIGH" },
    ]);
    expect(codes(validateRequest("listCustomerGroups", [], { limit: 51 }))).toEqual([
      { field: "limit", code: "VALUE_TOO_HIGH" },
    ]);
    expect(codes(validateRequest("listCustomers", [], { sort_order: "UP" }))).toEqual([
      { field: "sort_order", code: "INVALID_ENUM_VALUE" },
    ]);
    expect(codes(validateRequest("listCustomers", [], { limit: "10" }))).toEqual([
      { field: "limit", code: "EXPECTED_INTEGER" },
    ]);
    expect(codes(validateRequest("listCustomers", [], { sortField: "DEFAULT" }))).toEqual([
      { field: "sortField", code: "UNKNOWN_QUERY_PARAMETER" },
    ]);
    expect(codes(validateRequest("searchCustomers", [], { limit: 101 }))).toEqual([
      { field: "limit", code: "VALUE_TOO_HIGH" },
    ]);
  });

  it("requires every path parameter", () => {
    expect(codes(validateRequest("retrieveCustomer", [""]))).toEqual([
      { field: "customer_id", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(codes(validateRequest("addGroupToCustomer", ["c"]))).toEqual([
      { field: "group_id", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(validateRequest("addGroupToCustomer", ["c", "g"])).toEqual([]);
  });

  it("rejects exact and fuzzy together, wherever a text filter appears", () => {
    const filter = { email_address: { exact: "a@b.co", fuzzy: "b.co" } };
    expect(codes(validateRequest("searchCustomers", [], { query: { filter } }))).toEqual([
      { field: "query.filter.email_address", code: "CONFLICTING_PARAMETERS" },
    ]);
    const custom = {
      custom_attribute: { filters: [{ key: "k", filter: { text: { exact: "a", fuzzy: "a" } } }] },
    };
    expect(codes(validateRequest("searchCustomers", [], { query: { filter: custom } }))).toEqual([
      { field: "query.filter.custom_attribute.filters[0].filter.text", code: "CONFLICTING_PARAMETERS" },
    ]);
  });

  it("caps segment ids in a search filter at 3", () => {
    const three = { segment_ids: { all: ["s1"], any: ["s2"], none: ["s3"] } };
    expect(validateRequest("searchCustomers", [], { query: { filter: three } })).toEqual([]);
    const four = { segment_ids: { any: ["s1", "s2", "s3", "s4"] } };
    expect(codes(validateRequest("searchCustomers", [], { query: { filter: four } }))).toEqual([
      { field: "query.filter.segment_ids", code: "BAD_REQUEST" },
    ]);
  });

  it("needs key and schema for a new definition, and a name and description unless it is hidden", () => {
    const schema = {
      $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
    };
    const create = (definition: object) =>
      codes(
        validateRequest("createCustomerCustomAttributeDefinition", [], {
          custom_attribute_definition: definition,
        }),
      );
    expect(create({ key: "favorite", schema })).toEqual([]);
    expect(create({ schema })).toEqual([
      { field: "custom_attribute_definition.key", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(create({ key: "favorite" })).toEqual([
      { field: "custom_attribute_definition.schema", code: "MISSING_REQUIRED_PARAMETER" },
    ]);
    expect(create({ key: "favorite", schema, visibility: "VISIBILITY_READ_ONLY", name: "Favorite" })).toEqual(
      [{ field: "custom_attribute_definition.description", code: "MISSING_REQUIRED_PARAMETER" }],
    );
  });

  it("checks time ranges and caps custom attribute filters at 10", () => {
    expect(
      codes(
        validateRequest("searchCustomers", [], {
          query: { filter: { created_at: { start_at: "yesterday" } } },
        }),
      ),
    ).toEqual([{ field: "query.filter.created_at.start_at", code: "INVALID_TIME" }]);
    const range = { start_at: "2025-02-01T00:00:00Z", end_at: "2025-01-01T00:00:00Z" };
    expect(
      codes(validateRequest("searchCustomers", [], { query: { filter: { updated_at: range } } })),
    ).toEqual([{ field: "query.filter.updated_at", code: "INVALID_TIME_RANGE" }]);
    const filters = Array.from({ length: 11 }, () => ({ key: "k" }));
    expect(
      codes(validateRequest("searchCustomers", [], { query: { filter: { custom_attribute: { filters } } } })),
    ).toEqual([{ field: "query.filter.custom_attribute.filters", code: "ARRAY_LENGTH_TOO_LONG" }]);
  });
});

describe("unknown keys", () => {
  it("refuses a search filter key the spec does not define, naming it and the key it most likely means", () => {
    const issues = validateRequest("searchCustomers", [], {
      query: { filter: { emial: { exact: "a@example.com" } } },
    });
    expect(issues).toEqual([
      {
        field: "query.filter.emial",
        code: "UNKNOWN_BODY_PARAMETER",
        message: 'query.filter.emial is not a field of CustomerFilter (did you mean "email_address"?)',
      },
    ]);
    expect(
      codes(
        validateRequest("searchCustomers", [], {
          query: { filter: { email_address: { exakt: "a" } }, sort: { feild: "DEFAULT" } },
          limt: 5,
        }),
      ),
    ).toEqual([
      { field: "query.filter.email_address.exakt", code: "UNKNOWN_BODY_PARAMETER" },
      { field: "query.sort.feild", code: "UNKNOWN_BODY_PARAMETER" },
      { field: "limt", code: "UNKNOWN_BODY_PARAMETER" },
    ]);
  });

  it("refuses unknown fields in every body and in bulk entries, relative to the entry", () => {
    expect(validateRequest("updateCustomer", ["C1"], { nickanme: "Amy" }).map((i) => i.message)).toEqual([
      'nickanme is not a field of UpdateCustomerRequest (did you mean "nickname"?)',
    ]);
    expect(
      codes(validateRequest("bulkCreateCustomers", [], { customers: { k1: { given_name: "A", id: "C1" } } })),
    ).toEqual([{ field: "customers.k1.id", code: "UNKNOWN_BODY_PARAMETER" }]);
    // `__proto__` as a JSON key is an own key too, and just as unknown.
    expect(
      codes(validateRequest("createCustomer", [], JSON.parse('{"given_name":"A","__proto__":{}}'))),
    ).toEqual([{ field: "__proto__", code: "UNKNOWN_BODY_PARAMETER" }]);
    expect(codes(validateRequest("createCustomer", [], { given_name: "A", constructor: "x" }))).toEqual([
      { field: "constructor", code: "UNKNOWN_BODY_PARAMETER" },
    ]);
  });

  it("leaves the objects the spec leaves open alone: caller-keyed maps and free-form values", () => {
    expect(
      validateRequest("upsertCustomerCustomAttribute", ["C1", "tier"], {
        custom_attribute: { value: { anything: true, nested: { at: 1 } } },
      }),
    ).toEqual([]);
    expect(
      validateRequest("createCustomerCustomAttributeDefinition", [], {
        custom_attribute_definition: {
          key: "tier",
          schema: {
            $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
          },
        },
      }),
    ).toEqual([]);
    expect(validateRequest("bulkDeleteCustomers", [], { customer_ids: ["a"] })).toEqual([]);
    // Fields Square sets (read-only) are still fields: sending an object back as it came is not a typo.
    expect(
      validateRequest("updateCustomerGroup", ["G1"], {
        group: { id: "G1", name: "VIP", created_at: "2025-01-01T00:00:00Z" },
      }),
    ).toEqual([]);
  });

  it("suggests the query parameter a caller most likely meant", () => {
    expect(validateRequest("listCustomers", [], { limt: 5 })[0]?.message).toBe(
      'unknown query parameter limt (did you mean "limit"?)',
    );
    expect(codes(validateRequest("listCustomers", [], { constructor: 1 }))).toEqual([
      { field: "constructor", code: "UNKNOWN_QUERY_PARAMETER" },
    ]);
  });
});

describe("parseQuery", () => {
  it("reads wire strings into typed values and reports bad ones", () => {
    expect(
      parseQuery("listCustomers", [
        ["limit", "10"],
        ["count", "true"],
        ["cursor", "abc"],
      ]),
    ).toEqual({
      query: { limit: 10, count: true, cursor: "abc" },
      issues: [],
    });
    const { issues } = parseQuery("listCustomers", [
      ["limit", "ten"],
      ["count", "yes"],
      ["x", "1"],
    ]);
    expect(issues.map((i) => [i.field, i.code])).toEqual([
      ["limit", "EXPECTED_INTEGER"],
      ["count", "EXPECTED_BOOLEAN"],
      ["x", "UNKNOWN_QUERY_PARAMETER"],
    ]);
  });

  it("refuses a parameter given twice, and names only the operation's own parameters", () => {
    expect(
      parseQuery("listCustomers", [
        ["limit", "1"],
        ["limit", "2"],
        ["constructor", "x"],
      ]).issues.map((i) => [i.field, i.code]),
    ).toEqual([
      ["limit", "CONFLICTING_PARAMETERS"],
      ["constructor", "UNKNOWN_QUERY_PARAMETER"],
    ]);
  });
});

describe("normalizeBirthday", () => {
  it("fills in year 0000 and keeps full dates", () => {
    expect(normalizeBirthday("1990-07-04")).toBe("1990-07-04");
    expect(normalizeBirthday("07-04")).toBe("0000-07-04");
    expect(normalizeBirthday("02-29")).toBe("0000-02-29");
    expect(normalizeBirthday("2024-02-29")).toBe("2024-02-29");
    expect(normalizeBirthday("2023-02-29")).toBeUndefined();
    expect(normalizeBirthday("13-01")).toBeUndefined();
    expect(normalizeBirthday("July 4")).toBeUndefined();
  });
});
