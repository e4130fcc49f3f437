// List and search customers: one SQL statement per page (and one for `count`), built from the filter.
// Filters run as plain SQL conditions on the store's derived columns (fuzzy text as substring tests per
// token, see matching.ts); custom-attribute filters call the SQL function that store.ts registers (rules
// in attribute-types.ts).
import type { Customer, CustomerFilter, TimeRange } from "@square-customers/core";
import { parseRfc3339 } from "@square-customers/core/tooling";
import { type PreparedAttributeFilter, schemaType } from "./attribute-types.js";
import { decodeCursor, encodeCursor, invalidCursor } from "./cursor.js";
import { badRequest } from "./errors.js";
import { phoneTokens, tokens } from "./matching.js";
import {
  COUNT_ON_EMPTY_RESULT,
  EMPTY_RESULT_ON_UNKNOWN_GROUP,
  TIME_RANGE_INCLUSIVE,
  toE164,
  UNKNOWN_ATTRIBUTE_KEY_IN_FILTER_IS_ERROR,
} from "./square-choices.js";
import type { Store } from "./store.js";

export interface CustomerQuery {
  /** "list" or "search": cursors of one cannot be used with the other. */
  readonly scope: "list" | "search";
  readonly filter?: CustomerFilter | null | undefined;
  readonly sortField: "DEFAULT" | "CREATED_AT";
  readonly sortOrder: "ASC" | "DESC";
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly count: boolean;
}

export interface CustomerPage {
  customers?: Customer[];
  cursor?: string;
  count?: number;
}

class Where {
  readonly clauses: string[] = ["c.merchant = ?", "c.listed = 1"];
  readonly params: Array<string | number> = [];
  /** Set when a filter can match nothing (e.g. an unknown group id): skip the query altogether. */
  impossible = false;
  /**
   * An index to use instead of the one that serves the sort order. Without statistics SQLite prefers
   * walking the sort index and filtering, which for an exact email on 100,000 profiles scans them all.
   */
  index: string | undefined;

  constructor(merchant: string) {
    this.params.push(merchant);
  }

  add(clause: string, ...params: Array<string | number>): void {
    this.clauses.push(clause);
    this.params.push(...params);
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

function addTimeRange(where: Where, column: string, range: TimeRange | undefined): void {
  if (range == null) return;
  const start = timeBound(range.start_at);
  const end = timeBound(range.end_at);
  if (start !== undefined) where.add(`c.${column} ${TIME_RANGE_INCLUSIVE ? ">=" : ">"} ?`, start);
  if (end !== undefined) where.add(`c.${column} ${TIME_RANGE_INCLUSIVE ? "<=" : "<"} ?`, end);
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

/** all / any / none over the customer's `group_ids` or `segment_ids` array. */
function addMembership(
  where: Where,
  path: "group_ids" | "segment_ids",
  f: { all?: string[] | null; any?: string[] | null; none?: string[] | null },
): void {
  const member = `SELECT 1 FROM json_each(c.data, '$.${path}') m WHERE m.value`;
  for (const id of f.all ?? []) where.add(`EXISTS (${member} = ?)`, id);
  if (f.any != null && f.any.length > 0)
    where.add(`EXISTS (${member} IN (${placeholders(f.any.length)}))`, ...f.any);
  if (f.none != null && f.none.length > 0) {
    where.add(`NOT EXISTS (${member} IN (${placeholders(f.none.length)}))`, ...f.none);
  }
}

/** The store's index for an exact match on each text column (see store.ts). */
const EXACT_INDEXES: Record<string, string> = {
  email: "customers_by_email",
  phone: "customers_by_phone",
  reference_id: "customers_by_reference",
};

function buildWhere(store: Store, merchant: string, filter: CustomerFilter | null | undefined): Where {
  const where = new Where(merchant);
  if (filter == null) return where;
  const base = "query.filter";

  const text = (column: string, f: { exact?: string | null; fuzzy?: string | null } | null | undefined) => {
    if (f == null) return;
    if (f.exact != null) {
      where.add(`c.${column} = ?`, column === "phone" ? toE164(f.exact) : f.exact.toLowerCase());
      where.index ??= EXACT_INDEXES[column];
    } else if (f.fuzzy != null) {
      // The columns hold the lower-cased email / reference id and the E.164 phone, so each token is a
      // plain substring test (see fuzzyTokenMatch / fuzzyPhoneMatch in matching.ts).
      const wanted = column === "phone" ? phoneTokens(f.fuzzy) : tokens(f.fuzzy);
      if (wanted.length === 0) where.impossible = true;
      for (const token of wanted) where.add(`instr(c.${column}, ?) > 0`, token);
    }
  };
  text("email", filter.email_address);
  text("phone", filter.phone_number);
  text("reference_id", filter.reference_id);

  addTimeRange(where, "created_ms", filter.created_at);
  addTimeRange(where, "updated_ms", filter.updated_at);

  const source = filter.creation_source;
  if (source?.values != null && source.values.length > 0) {
    const list = placeholders(source.values.length);
    if (source.rule === "EXCLUDE") {
      where.add(`(c.creation_source IS NULL OR c.creation_source NOT IN (${list}))`, ...source.values);
    } else {
      where.add(`c.creation_source IN (${list})`, ...source.values);
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
    addMembership(where, "group_ids", g);
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
    addMembership(where, "segment_ids", s);
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

/** One page of customers for list or search. */
export function findCustomers(store: Store, merchant: string, q: CustomerQuery): CustomerPage {
  const column = q.sortField === "CREATED_AT" ? "created_ms" : "sort_default";
  const scope = `customers:${q.scope}:${q.sortField}:${q.sortOrder}`;
  const after = q.cursor === undefined ? undefined : decodeCursor(store.cursorKey, scope, q.cursor);
  const where = buildWhere(store, merchant, q.filter);
  const page: CustomerPage = {};
  if (where.impossible) {
    if (q.count && COUNT_ON_EMPTY_RESULT) page.count = 0;
    return page;
  }

  const dir = q.sortOrder === "DESC" ? "DESC" : "ASC";
  const conditions = where.sql();
  const params = [...where.params];
  let keyset = "";
  if (after !== undefined) {
    if (typeof after.value !== (column === "created_ms" ? "number" : "string")) {
      throw invalidCursor();
    }
    keyset = ` AND (c.${column}, c.seq) ${dir === "ASC" ? ">" : "<"} (?, ?)`;
    params.push(after.value as string | number, after.seq);
  }
  const rows = store.all(
    `SELECT c.seq AS seq, c.data AS data, c.${column} AS k
     FROM customers c${where.index === undefined ? "" : ` INDEXED BY ${where.index}`}
     WHERE ${conditions}${keyset} ORDER BY c.${column} ${dir}, c.seq ${dir} LIMIT ?`,
    [...params, q.limit + 1],
  ) as Array<{ seq: number; data: string; k: string | number }>;

  const shown = rows.slice(0, q.limit);
  if (shown.length > 0) page.customers = shown.map((r) => JSON.parse(r.data) as Customer);
  const last = shown.at(-1);
  if (rows.length > q.limit && last !== undefined)
    page.cursor = encodeCursor(store.cursorKey, scope, { value: last.k, seq: last.seq });
  if (q.count) {
    const total = store.all(`SELECT COUNT(*) AS n FROM customers c WHERE ${conditions}`, where.params)[0]?.n;
    const n = Number(total ?? 0);
    if (n > 0 || COUNT_ON_EMPTY_RESULT) page.count = n;
  }
  return page;
}
