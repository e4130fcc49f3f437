// What the dashboard reads: merchants, a merchant's customers (newest first, with a free-text search),
// one customer with its custom attribute values and cards, and its groups, segments and custom
// attribute definitions. Read-only SQL over the store; nothing here is part of Square's API.
import type {
  Card,
  CustomAttribute,
  CustomAttributeDefinition,
  Customer,
  CustomerGroup,
  CustomerSegment,
} from "@square-customers/core";
import type { MembershipKind } from "../data/customer-row.js";
import { tokens } from "../data/matching.js";
import type { Store } from "../data/store.js";

/** A merchant as the dashboard shows it: identified by a short hash of its token, never the token. */
export interface MerchantView {
  readonly id: string;
  /** The first 12 hex digits of the token's SHA-256 (the store keeps only the hash). */
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly customers: number;
}

const TOKEN_HASH_DIGITS = 12;

/** Largest page of customers, and most groups / segments / definitions, one answer holds. */
export const MAX_ADMIN_PAGE = 200;

export function merchantViews(store: Store): MerchantView[] {
  const rows = store.all(
    `SELECT m.merchant_id AS id, m.token_hash AS hash, m.created_at AS createdAt,
       (SELECT COUNT(*) FROM customers c WHERE c.merchant = m.merchant_id) AS customers
     FROM merchants m ORDER BY m.created_at, m.merchant_id`,
    [],
  ) as Array<{ id: string; hash: string; createdAt: string; customers: number }>;
  return rows.map((r) => ({
    id: r.id,
    tokenHash: r.hash.slice(0, TOKEN_HASH_DIGITS),
    createdAt: r.createdAt,
    customers: Number(r.customers),
  }));
}

export function merchantExists(store: Store, id: string): boolean {
  return store.all("SELECT 1 FROM merchants WHERE merchant_id = ? LIMIT 1", [id]).length > 0;
}

/** A page of a merchant's customers, newest first; `next` continues after the page. */
export interface CustomerPageView {
  readonly customers: Customer[];
  readonly next?: string;
}

/**
 * A merchant's customers, newest first. `query` keeps those where every word occurs (case-insensitive)
 * in the name, company, email, phone, reference id or id. Unlike the API's search this tests every
 * profile in turn: it is a convenience for people looking at a few thousand test customers.
 */
export function customerPageView(
  store: Store,
  merchant: string,
  query: string,
  before: number | undefined,
  limit: number,
): CustomerPageView {
  const conditions = ["merchant = ?"];
  const params: Array<string | number> = [merchant];
  if (before !== undefined) {
    conditions.push("seq < ?");
    params.push(before);
  }
  for (const word of tokens(query)) {
    conditions.push(
      "instr(sort_default || char(1) || coalesce(reference_id, '') || char(1) || lower(id), ?) > 0",
    );
    params.push(word);
  }
  const rows = store.all(
    `SELECT seq, data FROM customers WHERE ${conditions.join(" AND ")} ORDER BY seq DESC LIMIT ?`,
    [...params, limit + 1],
  ) as Array<{ seq: number; data: string }>;
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    customers: shown.map((r) => JSON.parse(r.data) as Customer),
    ...(rows.length > limit && last !== undefined ? { next: String(last.seq) } : {}),
  };
}

/** One customer with what hangs off it. */
export interface CustomerView {
  readonly customer: Customer;
  readonly custom_attributes: CustomAttribute[];
  readonly cards: Card[];
}

export function customerView(store: Store, merchant: string, id: string): CustomerView | undefined {
  const json = store.getCustomerJson(merchant, id);
  if (json === undefined) return undefined;
  const attached = (kind: "attribute" | "card") =>
    (
      store.all("SELECT data FROM objects WHERE merchant = ? AND kind = ? AND parent = ? ORDER BY seq", [
        merchant,
        kind,
        id,
      ]) as Array<{ data: string }>
    ).map((r) => JSON.parse(r.data));
  return {
    customer: JSON.parse(json) as Customer,
    custom_attributes: attached("attribute"),
    cards: attached("card"),
  };
}

/** Some of a merchant's objects: at most MAX_ADMIN_PAGE, `more` when there are others. */
export interface ObjectsView<T> {
  readonly items: T[];
  readonly more: boolean;
}

/** What each kind of object looks like in the admin API (groups and segments with their sizes). */
export interface ObjectViews {
  readonly group: CustomerGroup & { readonly members: number };
  readonly segment: CustomerSegment & { readonly members: number };
  readonly definition: CustomAttributeDefinition;
}

/** A merchant's groups, segments or custom attribute definitions. */
export function objectViews<K extends keyof ObjectViews>(
  store: Store,
  merchant: string,
  kind: K,
): ObjectsView<ObjectViews[K]> {
  const membership: MembershipKind | undefined = kind === "definition" ? undefined : kind;
  const members =
    membership === undefined
      ? ""
      : `, (SELECT COUNT(*) FROM customer_memberships m
           WHERE m.merchant = o.merchant AND m.kind = '${membership}' AND m.member_of = o.id) AS members`;
  const rows = store.all(
    `SELECT o.data AS data${members} FROM objects o
     WHERE o.merchant = ? AND o.kind = ? AND o.parent = '' ORDER BY o.seq LIMIT ?`,
    [merchant, kind, MAX_ADMIN_PAGE + 1],
  ) as Array<{ data: string; members?: number }>;
  return {
    items: rows.slice(0, MAX_ADMIN_PAGE).map(
      (r) =>
        ({
          ...(JSON.parse(r.data) as object),
          ...(r.members === undefined ? {} : { members: Number(r.members) }),
        }) as ObjectViews[K],
    ),
    more: rows.length > MAX_ADMIN_PAGE,
  };
}
