// What a customer filter means in SQL. Each part becomes plain conditions on the store's derived columns
// (fuzzy text as substring tests per token, see matching.ts; custom-attribute filters through the SQL
// function the store registers, rules in attribute-types.ts). Each selective part (exact and fuzzy text,
// groups, segments, creation source and time) also becomes a candidate query: the few customers it can
// match, named through an index, from which search.ts may start instead of testing every profile.
import type { SQLInputValue } from "node:sqlite";
import type {
  CustomerCreationSourceFilter,
  CustomerCustomAttributeFilter,
  CustomerFilter,
  FilterValue,
  TimeRange,
} from "@square-customers/core";
import { parseRfc3339 } from "@square-customers/core/tooling";
import { badRequest } from "../api/errors.js";
import {
  EMPTY_RESULT_ON_UNKNOWN_GROUP,
  TIME_RANGE_INCLUSIVE,
  toE164,
  UNKNOWN_ATTRIBUTE_KEY_IN_FILTER_IS_ERROR,
} from "../square-choices.js";
import { type PreparedAttributeFilter, schemaType } from "./attribute-types.js";
import type { MembershipKind } from "./customer-row.js";
import { phoneTokens, tokens } from "./matching.js";
import type { Store } from "./store.js";

/** Where a filter's field paths start, in the error a bad part of it gets. */
const FILTER_FIELD = "query.filter";

/**
 * A query for the `seq` of every customer that part of a filter may match (a superset is fine: the
 * full conditions still apply), answered from an index rather than by reading profiles.
 */
export interface Candidates {
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
}

/** The conditions of a filter, their parameters, and its candidate queries. */
export class Where {
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
export function timeBound(value: string | Date | null | undefined): number | undefined {
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

/** The index for an exact match on each text column (schema.ts). */
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

/**
 * The conditions and candidate queries of a filter of `merchant`'s customers. `sortField` is the page's
 * order: a range of creation times drives no candidates when the page walks the creation-time index anyway.
 */
export function filterWhere(
  store: Store,
  merchant: string,
  filter: CustomerFilter | null | undefined,
  sortField: "DEFAULT" | "CREATED_AT",
): Where {
  const where = new Where(merchant);
  if (filter == null) return where;
  addText(where, "email", filter.email_address);
  addText(where, "phone", filter.phone_number);
  addText(where, "reference_id", filter.reference_id);
  const sortedByCreation = sortField === "CREATED_AT";
  addTimeRange(where, "created_ms", filter.created_at, sortedByCreation);
  addTimeRange(where, "updated_ms", filter.updated_at, sortedByCreation);
  addCreationSource(where, filter.creation_source);
  if (filter.group_ids != null) addGroups(where, store, filter.group_ids);
  if (filter.segment_ids != null) addSegments(where, store, filter.segment_ids);
  (filter.custom_attribute?.filters ?? []).forEach((f, i) => {
    addAttributeFilter(where, store, f, `${FILTER_FIELD}.custom_attribute.filters[${i}]`);
  });
  return where;
}

/** An exact or fuzzy filter on one text column. */
function addText(
  where: Where,
  column: TextColumn,
  f: { exact?: string | null; fuzzy?: string | null } | null | undefined,
): void {
  if (f == null) return;
  if (f.exact != null) {
    const value = column === "phone" ? toE164(f.exact) : f.exact.toLowerCase();
    where.add(`c.${column} = ?`, value);
    where.candidate(
      `SELECT seq FROM customers INDEXED BY ${EXACT_INDEXES[column]} WHERE merchant = ? AND ${column} = ?`,
      where.merchant,
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
}

/** Creation sources to include (the default rule) or exclude. */
function addCreationSource(where: Where, source: CustomerCreationSourceFilter | null | undefined): void {
  if (source?.values == null || source.values.length === 0) return;
  const list = placeholders(source.values.length);
  if (source.rule === "EXCLUDE") {
    where.add(`(c.creation_source IS NULL OR c.creation_source NOT IN (${list}))`, ...source.values);
  } else {
    where.add(`c.creation_source IN (${list})`, ...source.values);
    where.candidate(
      `SELECT seq FROM customers INDEXED BY customers_by_source WHERE merchant = ?
         AND creation_source IN (${list})`,
      where.merchant,
      ...source.values,
    );
  }
}

/** Group membership; a group the merchant does not have matches nothing (a choice, square-choices.ts). */
function addGroups(where: Where, store: Store, g: FilterValue): void {
  const ids = [...(g.all ?? []), ...(g.any ?? []), ...(g.none ?? [])];
  if (
    EMPTY_RESULT_ON_UNKNOWN_GROUP &&
    ids.some((id) => store.getObject(where.merchant, "group", "", id) === undefined)
  ) {
    where.impossible = true;
  }
  addMembership(where, "group", g);
}

/** Segment membership; a segment the merchant does not have is a 400. */
function addSegments(where: Where, store: Store, s: FilterValue): void {
  const ids = [...(s.all ?? []), ...(s.any ?? []), ...(s.none ?? [])];
  // Core's validation has already capped how many segment ids a filter names.
  for (const id of ids) {
    if (store.getObject(where.merchant, "segment", "", id) === undefined) {
      throw badRequest("BAD_REQUEST", `Segment with ID \`${id}\` not found.`, `${FILTER_FIELD}.segment_ids`);
    }
  }
  addMembership(where, "segment", s);
}

/** One custom attribute filter, tested by the SQL function with the definition's type (`field`: its path). */
function addAttributeFilter(
  where: Where,
  store: Store,
  f: CustomerCustomAttributeFilter,
  field: string,
): void {
  const definitionJson = store.getObject(where.merchant, "definition", "", f.key);
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
}
