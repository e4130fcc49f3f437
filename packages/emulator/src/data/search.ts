// List and search customers: one SQL statement per page (and one for `count`), built from the filter
// (search-filter.ts: its conditions, and the candidate queries of its selective parts). The smallest
// candidate set, when it is small enough, drives the statement, so a search for one customer among a
// million reads a handful of rows; otherwise the statement walks the sort index. Pages continue from a
// sealed cursor (cursor.ts).

import type { SQLInputValue } from "node:sqlite";
import type { Customer, CustomerFilter } from "@square-customers/core";
import { COUNT_ON_EMPTY_RESULT } from "../square-choices.js";
import { decodeCursor, encodeCursor, invalidCursor, type Position } from "./cursor.js";
import { type Candidates, filterWhere, type Where } from "./search-filter.js";
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
  const where = filterWhere(store, merchant, q.filter, q.sortField);
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
