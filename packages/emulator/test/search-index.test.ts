// Search that starts from an index must find exactly what testing every profile finds, in the same
// order, page after page. The store here is filled directly (no HTTP) with customers whose fields are
// drawn from small vocabularies, so filters match anything from nothing to most of them; then every
// filter is run both ways (plan "candidates" / "walk"; "auto" picks one of them) and the pages compared.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Customer, CustomerFilter } from "@square-customers/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  insertCustomer,
  loadCustomer,
  newCustomer,
  saveCustomer,
  setMembership,
} from "../src/data/customer-records.js";
import { type CustomerRequest, customerStatements, findCustomers } from "../src/data/search.js";
import { Store } from "../src/data/store.js";
import { seededRandom } from "../src/random.js";

const GROUPS = ["G-BIG", "G-MID", "G-ONE", "G-NONE"];
const SEGMENTS = ["S-A", "S-B"];
const SOURCES = ["THIRD_PARTY", "DIRECTORY", "IMPORT", "MERGE"] as const;
const WORDS = ["amelia", "ben", "zoë", "lindqvist", "okafor", "x"];
const DOMAINS = ["example.com", "gmail.com", "bakery.co"];

let store: Store;
// A file rather than memory: the same SQL, and the migration case below needs one anyway.
const dir = mkdtempSync(join(tmpdir(), "search-index-"));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A merchant's customers with varied, overlapping fields; some updated, regrouped or deleted after. */
function fill(store: Store, merchant: string, count: number, seed: number): void {
  const random = seededRandom(seed);
  for (const id of GROUPS) store.putObject(merchant, "group", "", id, JSON.stringify({ id, name: id }));
  for (const id of SEGMENTS) store.putObject(merchant, "segment", "", id, JSON.stringify({ id, name: id }));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const input: Record<string, unknown> = {};
    if (random() < 0.9) input.given_name = pick(random, WORDS);
    if (random() < 0.5) input.family_name = pick(random, WORDS);
    if (random() < 0.7) input.email_address = `${pick(random, WORDS)}.${i % 37}@${pick(random, DOMAINS)}`;
    if (random() < 0.6) input.phone_number = `+1 (415) 555-${String(1000 + (i % 250)).padStart(4, "0")}`;
    if (random() < 0.5) input.reference_id = `REF-${pick(random, WORDS)}-${i % 11}`;
    // Some profiles have none of name, company, email and phone: never listed.
    if (random() < 0.05) {
      for (const key of Object.keys(input)) delete input[key];
      input.note = "unlisted";
    }
    const segments = SEGMENTS.filter(() => random() < 0.3);
    const c = newCustomer(input, Date.UTC(2024, 0, 1) + Math.floor(random() * 40) * 60_000, {
      id: `${merchant}-${i}`,
      creationSource: pick(random, SOURCES),
      segmentIds: segments,
    });
    const groups = random() < 0.6 ? ["G-BIG"] : [];
    if (random() < 0.1) groups.push("G-MID");
    if (i === 7) groups.push("G-ONE");
    for (const g of groups) setMembership(c, g, true, 0);
    insertCustomer(store, merchant, c);
    ids.push(c.id!);
  }
  // Updates move text and memberships; deletes remove customers: the indexes must follow.
  for (const id of ids.filter(() => random() < 0.15)) {
    const c = loadCustomer(store, merchant, id)!;
    if (random() < 0.5) c.email_address = `moved.${pick(random, WORDS)}@${pick(random, DOMAINS)}`;
    else delete c.email_address;
    setMembership(c, "G-BIG", random() < 0.5, 0);
    setMembership(c, "G-MID", random() < 0.5, 0);
    saveCustomer(store, merchant, c);
  }
  for (const id of ids.filter(() => random() < 0.05)) store.deleteCustomer(merchant, id);
}

const filters: Array<[string, CustomerFilter]> = [
  ["no filter", {}],
  ["exact email", { email_address: { exact: "Amelia.3@EXAMPLE.com" } }],
  ["fuzzy email, one rare token", { email_address: { fuzzy: "amelia 36" } }],
  ["fuzzy email, common token", { email_address: { fuzzy: "example" } }],
  ["fuzzy email, short tokens only", { email_address: { fuzzy: "x 3" } }],
  ["fuzzy email, non-ASCII", { email_address: { fuzzy: "zoë" } }],
  ["fuzzy email, nothing matches", { email_address: { fuzzy: "nobody-here" } }],
  ["fuzzy email after updates", { email_address: { fuzzy: "moved" } }],
  ["exact phone", { phone_number: { exact: "4155551007" } }],
  ["fuzzy phone", { phone_number: { fuzzy: "555 1012" } }],
  ["exact reference id", { reference_id: { exact: "ref-ben-3" } }],
  ["fuzzy reference id", { reference_id: { fuzzy: "okafor 10" } }],
  ["email and phone", { email_address: { fuzzy: "gmail" }, phone_number: { fuzzy: "1001" } }],
  ["group all", { group_ids: { all: ["G-MID"] } }],
  ["group all, two", { group_ids: { all: ["G-BIG", "G-MID"] } }],
  ["group any", { group_ids: { any: ["G-ONE", "G-MID"] } }],
  ["group none", { group_ids: { none: ["G-BIG"] } }],
  ["group without members", { group_ids: { any: ["G-NONE"] } }],
  ["segment all", { segment_ids: { all: ["S-A"] } }],
  ["segment any and none", { segment_ids: { any: ["S-A", "S-B"], none: ["S-B"] } }],
  ["creation source", { creation_source: { values: ["MERGE"] } }],
  ["creation source, two", { creation_source: { values: ["MERGE", "IMPORT"], rule: "INCLUDE" } }],
  ["creation source excluded", { creation_source: { values: ["THIRD_PARTY"], rule: "EXCLUDE" } }],
  ["created range", { created_at: { start_at: "2024-01-01T00:10:00Z", end_at: "2024-01-01T00:12:00Z" } }],
  ["created from", { created_at: { start_at: "2024-01-01T00:35:00Z" } }],
  [
    "mixed",
    {
      email_address: { fuzzy: "ben" },
      group_ids: { all: ["G-BIG"] },
      creation_source: { values: ["IMPORT", "DIRECTORY"] },
      created_at: { end_at: "2024-01-01T00:30:00Z" },
    },
  ],
];

/** Every page of a search, following cursors: the ids in order, and the count of the first page. */
function walk(
  store: Store,
  merchant: string,
  filter: CustomerFilter,
  sort: Pick<CustomerRequest, "sortField" | "sortOrder">,
  plan: "walk" | "candidates",
) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let count: number | undefined;
  do {
    const page = findCustomers(
      store,
      merchant,
      { scope: "search", filter, ...sort, limit: 23, cursor, count: cursor === undefined },
      { plan },
    );
    count ??= page.count;
    ids.push(...(page.customers ?? []).map((c: Customer) => c.id!));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { ids, count };
}

beforeAll(() => {
  store = new Store(join(dir, "search.sqlite"));
  store.transaction(() => {
    fill(store, "M1", 1500, 11);
    fill(store, "M2", 300, 12);
  });
});

describe("search from an index", () => {
  it("finds the same customers in the same order as testing every profile, on every page", () => {
    const sorts = [
      { sortField: "DEFAULT", sortOrder: "ASC" },
      { sortField: "DEFAULT", sortOrder: "DESC" },
      { sortField: "CREATED_AT", sortOrder: "ASC" },
      { sortField: "CREATED_AT", sortOrder: "DESC" },
    ] as const;
    let nonEmpty = 0;
    for (const [name, filter] of filters) {
      for (const sort of sorts) {
        const walked = walk(store, "M1", filter, sort, "walk");
        const indexed = walk(store, "M1", filter, sort, "candidates");
        expect(indexed, `${name}, ${sort.sortField} ${sort.sortOrder}`).toEqual(walked);
        expect(walked.count).toBe(walked.ids.length);
        if (walked.ids.length > 0) nonEmpty++;
        // The other merchant's customers never show up, though the text index is shared.
        expect(indexed.ids.every((id) => id.startsWith("M1-"))).toBe(true);
      }
    }
    // The vocabulary is meant to give most filters some matches; a generator change must not hollow
    // the comparison out.
    expect(nonEmpty).toBeGreaterThan(filters.length * 4 * 0.75);
  });

  it("starts selective filters from an index instead of reading every profile", () => {
    const plan = (filter: CustomerFilter) => {
      const statements = customerStatements(store, "M1", {
        filter,
        sortField: "DEFAULT",
        sortOrder: "ASC",
        limit: 100,
        count: false,
      });
      if (statements === "empty") return "empty";
      const rows = store.all(`EXPLAIN QUERY PLAN ${statements.page.sql}`, statements.page.params);
      return rows.map((r) => String(r.detail)).join("\n");
    };
    for (const filter of [
      { email_address: { exact: "amelia.3@example.com" } },
      { email_address: { fuzzy: "amelia 36" } },
      { phone_number: { fuzzy: "5551012" } },
      { reference_id: { fuzzy: "okafor 10" } },
      { group_ids: { all: ["G-ONE"] } },
      { creation_source: { values: ["MERGE"] } },
    ] satisfies CustomerFilter[]) {
      const text = plan(filter);
      expect(text, JSON.stringify(filter)).toMatch(/SEARCH c USING INTEGER PRIMARY KEY/);
      expect(text, JSON.stringify(filter)).not.toMatch(/SCAN c\b/);
    }
    // A filter that matches no customer at all is answered without a page query.
    expect(plan({ email_address: { fuzzy: "nobody-here" } })).toBe("empty");
    // Filters without an index (or a list) walk the sort index, as before.
    expect(plan({})).toMatch(/customers_by_default/);
  });

  it("keeps group and segment memberships in step with the customers' JSON", () => {
    for (const [kind, ids, field] of [
      ["group", GROUPS, "group_ids"],
      ["segment", SEGMENTS, "segment_ids"],
    ] as const) {
      for (const id of ids) {
        const fromJson = (
          store.all("SELECT data FROM customers WHERE merchant = 'M1' ORDER BY seq", []) as Array<{
            data: string;
          }>
        )
          .map((r) => JSON.parse(r.data) as Customer)
          .filter((c) => (c[field] ?? []).includes(id))
          .map((c) => c.id);
        expect(store.customersIn("M1", kind, id), `${kind} ${id}`).toEqual(fromJson);
      }
    }
  });

  it("builds the search index for a database file written before it existed", () => {
    const file = join(dir, "old.sqlite");
    const old = new Store(file);
    old.transaction(() => fill(old, "M3", 200, 13));
    const amelias = { email_address: { fuzzy: "amelia" } };
    const expected = walk(old, "M3", amelias, { sortField: "DEFAULT", sortOrder: "ASC" }, "walk");
    // What an older emulator left behind: the same tables without the search index.
    old.all("DROP TABLE customer_text", []);
    old.all("DROP TABLE customer_memberships", []);
    old.close();
    const reopened = new Store(file);
    try {
      const page = findCustomers(reopened, "M3", {
        scope: "search",
        filter: { email_address: { fuzzy: "amelia" }, group_ids: { any: ["G-BIG"] } },
        sortField: "DEFAULT",
        sortOrder: "ASC",
        limit: 100,
        count: true,
      });
      const sort = { sortField: "DEFAULT", sortOrder: "ASC" } as const;
      expect(walk(reopened, "M3", amelias, sort, "candidates")).toEqual(expected);
      expect(page.count).toBeGreaterThan(0);
      expect(page.customers?.every((c) => c.group_ids?.includes("G-BIG"))).toBe(true);
    } finally {
      reopened.close();
    }
  });
});
