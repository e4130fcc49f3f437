// List and search customers: one SQL statement per page (and one for `count`), built from the filter.
// Filters run as plain SQL conditions on the store's derived columns (fuzzy text as substring tests per
// token, see matching.ts); custom-attribute filters call the SQL function that store.ts registers (rules
// in attribute-types.ts). Selective parts of a filter (exact and fuzzy text, groups, segments, creation
// source and time) also name the few customers they can match through an index, and the smallest such
// set drives the statement, so a search for one customer among a million reads a handful of rows.

import type { SQLInputValue } from "node:sqlite";
import type { Customer, CustomerFilter, TimeRange } from "@square-customers/core";
import { parseRfc3339 } from "@square-customers/core/tooling";
import { badRequest } from "../api/errors.js";
import {
  COUNT_ON_EMPTY_RESULT,
  EMPTY_RESULT_ON_UNKNOWN_GROUP,
  TIME_RANGE_INCLUSIVE,
  toE164,
  UNKNOWN_ATTRIBUTE_KEY_IN_FILTER_IS_ERROR,
} from "../square-choices.js";
import { type PreparedAttributeFilter, schemaType } from "./attribute-types.js";
import { decodeCursor, encodeCursor, invalidCursor, type Position } from "./cursor.js";
import type { MembershipKind } from "./customer-row.js";
import { phoneTokens, tokens } from "./matching.js";
import type { Store } from "./store.js";

/** A list or search request, as the handlers pass it. */
export interface CustomerRequest {
  /** "list" or "search": cursors of one cannot be used with the other. */
  readonly scope: "list" | "search";
  readonly filter?: CustomerFilter | null | undefined;
  readonly sortField: "DEFAULT" | "CREATED_AT";
  readonly sortOrder: "ASC" | "DESC";
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly count: boolean;
}

/** A request with its cursor opened: the position after which the page starts. */
export interface CustomerQuery extends Omit<CustomerRequest, "cursor" | "scope"> {
  readonly after?: Position | undefined;
}

export interface CustomerPage {
  customers?: Customer[];
  cursor?: string;
  count?: number;
}

/**
 * A query for the `seq` of every customer that part of a filter may match (a superset is fine: the
 * full conditions still apply), answered from an index rather than by reading profiles.
 */
interface Candidates {
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
}

class Where {
  readonly clauses: string[] = ["c.merchant = ?", "c.listed = 1"];
  readonly params: SQLInputValue[] = [];
  /** Set when a filter can match nothing (e.g. an unknown group id): skip the query altogether. */
  impossible = false;
  /** One candidate query per selective part of the filter; the smallest one may drive the search. */
  readonly candidates: Candidates[] = [];

  constructor(readonly merchant: string) {
    this.params.push(merchant);
  }

  add(clause: string, ...params: SQLInputValue[]): void {
    this.clauses.push(clause);
    this.params.push(...params);
  }

  /** A candidate query: `sql` selects `seq`. */
  candidate(sql: string, ...params: SQLInputValue[]): void {
    this.candidates.push({ sql, params });
  }

  sql(): string {
    return this.clauses.join(" AND ");
  }
}

/**
 * An RFC 3339 bound as epoch milliseconds (core's validateRequest has already rejected malformed ones).
 * The request types also allow a `Date`, which a client sends as its ISO string, so over HTTP it is
 * always a string.
 */
function timeBound(value: string | Date | null | undefined): number | undefined {
  if (value == null) return undefined;
  return value instanceof Date ? value.getTime() : parseRfc3339(value);
}

function addTimeRange(
  where: Where,
  column: "created_ms" | "updated_ms",
  range: TimeRange | undefined,
  sortedByCreation: boolean,
): void {
  if (range == null) return;
  const start = timeBound(range.start_at);
  const end = timeBound(range.end_at);
  const bounds: Array<[string, number]> = [];
  if (start !== undefined) bounds.push([`${column} ${TIME_RANGE_INCLUSIVE ? ">=" : ">"} ?`, start]);
  if (end !== undefined) bounds.push([`${column} ${TIME_RANGE_INCLUSIVE ? "<=" : "<"} ?`, end]);
  for (const [bound, value] of bounds) where.add(`c.${bound}`, value);
  // Only creation time has an index (the CREATED_AT sort index). When the page is sorted by creation
  // time, walking that index already starts at the range, so candidates would only add a sort.
  if (column === "created_ms" && bounds.length > 0 && !sortedByCreation) {
    where.candidate(
      `SELECT seq FROM customers INDEXED BY customers_by_created WHERE merchant = ? AND listed = 1
       AND ${bounds.map(([bound]) => bound).join(" AND ")}`,
      where.merchant,
      ...bounds.map(([, value]) => value),
    );
  }
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

/** all / any / none over the customer's groups or segments (the customer_memberships table). */
function addMembership(
  where: Where,
  kind: MembershipKind,
  f: { all?: string[] | null; any?: string[] | null; none?: string[] | null },
): void {
  const member = `SELECT 1 FROM customer_memberships m
    WHERE m.merchant = c.merchant AND m.kind = '${kind}' AND m.seq = c.seq AND m.member_of`;
  const members = `SELECT seq FROM customer_memberships WHERE merchant = ? AND kind = '${kind}' AND member_of`;
  for (const id of f.all ?? []) {
    where.add(`EXISTS (${member} = ?)`, id);
    where.candidate(`${members} = ?`, where.merchant, id);
  }
  if (f.any != null && f.any.length > 0) {
    where.add(`EXISTS (${member} IN (${placeholders(f.any.length)}))`, ...f.any);
    where.candidate(`${members} IN (${placeholders(f.any.length)})`, where.merchant, ...f.any);
  }
  if (f.none != null && f.none.length > 0) {
    where.add(`NOT EXISTS (${member} IN (${placeholders(f.none.length)}))`, ...f.none);
  }
}

/** The store's index for an exact match on each text column (see store.ts). */
const EXACT_INDEXES = {
  email: "customers_by_email",
  phone: "customers_by_phone",
  reference_id: "customers_by_reference",
} as const;

type TextColumn = keyof typeof EXACT_INDEXES;

/**
 * The trigrams of a fuzzy query token, for the customer_text index: every value containing the token
 * contains each of them. A token shorter than three characters has none (the index cannot help).
 */
function trigrams(token: string): string[] {
  const chars = [...token];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(""));
  return [...out];
}

function buildWhere(store: Store, merchant: string, q: CustomerQuery): Where {
  const filter = q.filter;
  const where = new Where(merchant);
  if (filter == null) return where;
  const base = "query.filter";

  const text = (
    column: TextColumn,
    f: { exact?: string | null; fuzzy?: string | null } | null | undefined,
  ) => {
    if (f == null) return;
    if (f.exact != null) {
      const value = column === "phone" ? toE164(f.exact) : f.exact.toLowerCase();
      where.add(`c.${column} = ?`, value);
      where.candidate(
        `SELECT seq FROM customers INDEXED BY ${EXACT_INDEXES[column]} WHERE merchant = ? AND ${column} = ?`,
        merchant,
        value,
      );
    } else if (f.fuzzy != null) {
      // The columns hold the lower-cased email / reference id and the E.164 phone, so each token is a
      // plain substring test (see fuzzyTokenMatch / fuzzyPhoneMatch in matching.ts).
      const wanted = column === "phone" ? phoneTokens(f.fuzzy) : tokens(f.fuzzy);
      if (wanted.length === 0) where.impossible = true;
      for (const token of wanted) {
        where.add(`instr(c.${column}, ?) > 0`, token);
        // One candidate set per token: one rare token ("4307" in "lena novak 4307") is enough to find
        // the few customers to test, and asking for it alone is far cheaper than intersecting it with
        // common ones. Tokens hold only letters and digits: no escaping needed in an FTS5 string.
        const grams = trigrams(token);
        if (grams.length > 0) {
          where.candidate(
            "SELECT rowid AS seq FROM customer_text WHERE customer_text MATCH ?",
            grams.map((gram) => `${column} : "${gram}"`).join(" AND "),
          );
        }
      }
    }
  };
  text("email", filter.email_address);
  text("phone", filter.phone_number);
  text("reference_id", filter.reference_id);

  const sortedByCreation = q.sortField === "CREATED_AT";
  addTimeRange(where, "created_ms", filter.created_at, sortedByCreation);
  addTimeRange(where, "updated_ms", filter.updated_at, sortedByCreation);

  const source = filter.creation_source;
  if (source?.values != null && source.values.length > 0) {
    const list = placeholders(source.values.length);
    if (source.rule === "EXCLUDE") {
      where.add(`(c.creation_source IS NULL OR c.creation_source NOT IN (${list}))`, ...source.values);
    } else {
      where.add(`c.creation_source IN (${list})`, ...source.values);
      where.candidate(
        `SELECT seq FROM customers INDEXED BY customers_by_source WHERE merchant = ?
         AND creation_source IN (${list})`,
        merchant,
        ...source.values,
      );
    }
  }

  if (filter.group_ids != null) {
    const g = filter.group_ids;
    const ids = [...(g.all ?? []), ...(g.any ?? []), ...(g.none ?? [])];
    if (
      EMPTY_RESULT_ON_UNKNOWN_GROUP &&
      ids.some((id) => store.getObject(merchant, "group", "", id) === undefined)
    ) {
      where.impossible = true;
    }
    addMembership(where, "group", g);
  }

  if (filter.segment_ids != null) {
    const s = filter.segment_ids;
    const ids = [...(s.all ?? []), ...(s.any ?? []), ...(s.none ?? [])];
    // Core's validation has already capped how many segment ids a filter names.
    for (const id of ids) {
      if (store.getObject(merchant, "segment", "", id) === undefined) {
        throw badRequest("BAD_REQUEST", `Segment with ID \`${id}\` not found.`, `${base}.segment_ids`);
      }
    }
    addMembership(where, "segment", s);
  }

  (filter.custom_attribute?.filters ?? []).forEach((f, i) => {
    const field = `${base}.custom_attribute.filters[${i}]`;
    const definitionJson = store.getObject(merchant, "definition", "", f.key);
    if (definitionJson === undefined) {
      if (UNKNOWN_ATTRIBUTE_KEY_IN_FILTER_IS_ERROR) {
        throw badRequest(
          "INVALID_VALUE",
          `No custom attribute definition has the key \`${f.key}\`.`,
          `${field}.key`,
        );
      }
      where.impossible = true;
      return;
    }
    const schema = (JSON.parse(definitionJson) as { schema: Record<string, unknown> }).schema;
    const spec: PreparedAttributeFilter = { type: schemaType(schema) };
    if (f.filter != null) {
      spec.filter = f.filter as Record<string, unknown>;
      const selection = f.filter.selection;
      if (selection != null) {
        // Selection filters name options by display name; stored values hold the options' ids.
        const items = schema.items as { names?: string[]; enum?: string[] } | undefined;
        const idOf = (name: string) => items?.enum?.[items.names?.indexOf(name) ?? -1] ?? `unknown:${name}`;
        if (selection.all != null) spec.selectionAll = selection.all.map(idOf);
        if (selection.any != null) spec.selectionAny = selection.any.map(idOf);
      }
    }
    const from = timeBound(f.updated_at?.start_at);
    const to = timeBound(f.updated_at?.end_at);
    if (from !== undefined) spec.updatedFrom = from;
    if (to !== undefined) spec.updatedTo = to;
    where.add(
      `EXISTS (SELECT 1 FROM objects a WHERE a.merchant = c.merchant AND a.kind = 'attribute' AND a.parent = c.id
         AND a.id = ? AND sq_attribute_matches(a.data, ?))`,
      f.key,
      JSON.stringify(spec),
    );
  });
  return where;
}

/** A candidate set this small is read at once, without looking for a smaller one. */
const FEW_CANDIDATES = 100;

/**
 * The largest candidate set worth reading for a page of `limit`. Walking the sort index finds the
 * `limit + 1` rows a page needs after about (limit + 1) × total / size rows when the filter matches
 * `size` of `total` customers; reading the candidates costs about `size` rows (and a sort). The two
 * meet at size = √((limit + 1) × total): about 1,000 for a page of 100 among 10,000 customers, 10,000
 * among 1,000,000. `total` is the span of customer numbers in the store, which is cheap to know and
 * never less than the merchant's count.
 */
function candidateCap(store: Store, limit: number): number {
  return Math.max(FEW_CANDIDATES, Math.ceil(Math.sqrt((limit + 1) * store.customerSpan())));
}

/**
 * The filter's smallest candidate set, if it has at most `maxSize` rows. Sets are sized by counting
 * their rows only up to a cap, so sizing a huge set costs no more than a small one: first up to
 * FEW_CANDIDATES (cheap for every set, and usually enough), then up to `maxSize`. (The FTS5 index is
 * shared by all merchants, so its sets count other merchants' customers too; the merchant is checked
 * on the rows they lead to.)
 */
function smallestCandidates(
  store: Store,
  where: Where,
  maxSize: number,
): { candidates: Candidates; size: number } | undefined {
  if (where.candidates.length === 0) return undefined;
  for (const cap of [FEW_CANDIDATES, maxSize]) {
    let best: { candidates: Candidates; size: number } | undefined;
    for (const candidates of where.candidates) {
      const size = store.countUpTo(candidates.sql, candidates.params, cap + 1);
      if (best === undefined || size < best.size) best = { candidates, size };
    }
    if (best !== undefined && best.size <= cap) return best;
  }
  return undefined;
}

/** How a search reads its rows: chosen per search ("auto", the default), or forced (for tests). */
export interface PlanOption {
  readonly plan?: "auto" | "walk" | "candidates";
}

/** One SQL statement and its parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: SQLInputValue[];
}

/** The statements that read one page (and the count) of a list or search, or "empty". */
export interface CustomerStatements {
  readonly page: Statement;
  readonly count: Statement;
  readonly column: "created_ms" | "sort_default";
}

/**
 * Builds the statements for a page. Both ways of reading give the same rows in the same order (the
 * same conditions and ORDER BY apply); they differ only in where SQLite starts: from a small candidate
 * set out of an index (then sorted), or by walking the sort index and testing each profile in turn.
 * `plan` forces one way ("walk", or "candidates" whenever the filter has a candidate set): tests compare
 * them.
 */
export function customerStatements(
  store: Store,
  merchant: string,
  q: CustomerQuery,
  options: PlanOption = {},
): CustomerStatements | "empty" {
  const column = q.sortField === "CREATED_AT" ? "created_ms" : "sort_default";
  const where = buildWhere(store, merchant, q);
  if (where.impossible) return "empty";
  const maxSize = options.plan === "candidates" ? Number.MAX_SAFE_INTEGER - 1 : candidateCap(store, q.limit);
  const driver = options.plan === "walk" ? undefined : smallestCandidates(store, where, maxSize);
  if (driver?.size === 0) return "empty";
  const from =
    driver === undefined
      ? "customers c"
      : `(SELECT DISTINCT seq FROM (${driver.candidates.sql})) k CROSS JOIN customers c ON c.seq = k.seq`;
  const fromParams = driver === undefined ? [] : [...driver.candidates.params];

  const dir = q.sortOrder === "DESC" ? "DESC" : "ASC";
  const params = [...fromParams, ...where.params];
  let keyset = "";
  if (q.after !== undefined) {
    if (typeof q.after.value !== (column === "created_ms" ? "number" : "string")) throw invalidCursor();
    keyset = ` AND (c.${column}, c.seq) ${dir === "ASC" ? ">" : "<"} (?, ?)`;
    params.push(q.after.value as string | number, q.after.seq);
  }
  return {
    column,
    page: {
      sql: `SELECT c.seq AS seq, c.data AS data, c.${column} AS k FROM ${from}
        WHERE ${where.sql()}${keyset} ORDER BY c.${column} ${dir}, c.seq ${dir} LIMIT ?`,
      params: [...params, q.limit + 1],
    },
    count: {
      sql: `SELECT COUNT(*) AS n FROM ${from} WHERE ${where.sql()}`,
      params: [...fromParams, ...where.params],
    },
  };
}

/** One page of customers for list or search (`plan`: see customerStatements). */
export function findCustomers(
  store: Store,
  merchant: string,
  query: CustomerRequest,
  options: PlanOption = {},
): CustomerPage {
  const scope = `customers:${query.scope}:${query.sortField}:${query.sortOrder}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(store.cursorKey, scope, query.cursor);
  const statements = customerStatements(store, merchant, { ...query, after }, options);
  const page: CustomerPage = {};
  if (statements === "empty") {
    if (query.count && COUNT_ON_EMPTY_RESULT) page.count = 0;
    return page;
  }
  const rows = store.all(statements.page.sql, statements.page.params) as Array<{
    seq: number;
    data: string;
    k: string | number;
  }>;
  const shown = rows.slice(0, query.limit);
  if (shown.length > 0) page.customers = shown.map((r) => JSON.parse(r.data) as Customer);
  const last = shown.at(-1);
  if (rows.length > query.limit && last !== undefined)
    page.cursor = encodeCursor(store.cursorKey, scope, { value: last.k, seq: last.seq });
  if (query.count) {
    const n = Number(store.all(statements.count.sql, statements.count.params)[0]?.n ?? 0);
    if (n > 0 || COUNT_ON_EMPTY_RESULT) page.count = n;
  }
  return page;
}
