// Customer records: building them from requests, applying sparse updates, and keeping the store's
// sort/filter columns in step with the JSON. (The HTTP handlers for customers are api/handlers/customers.ts.)
import type { Address, Customer } from "@square-customers/core";
import { CUSTOMER_IDENTITY_FIELDS, normalizeBirthday, requestSchemas } from "@square-customers/core/tooling";
import { ApiError, notFound } from "../api/errors.js";
import {
  API_CREATION_SOURCE,
  defaultSortKey,
  EMPTY_STRING_IS_ABSENT,
  MEMBERSHIP_CHANGES_BUMP_VERSION,
  REPLACE_NESTED_OBJECTS_ON_UPDATE,
  toE164,
  VERSION_BUMPS_ON_NOOP_UPDATE,
  VERSION_MISMATCH,
} from "../square-choices.js";
import type { CustomerRow } from "./customer-row.js";
import type { Store } from "./store.js";

/** Fields a client may write (create, update, bulk): the create request's, less its idempotency key. */
type Writable = Exclude<keyof typeof requestSchemas.CreateCustomerRequest.properties, "idempotency_key">;
const WRITABLE = Object.keys(requestSchemas.CreateCustomerRequest.properties).filter(
  (key): key is Writable => key !== "idempotency_key",
);

/** Key order of a customer as Square prints it. */
const ORDER: readonly (keyof Customer)[] = [
  "id",
  "created_at",
  "updated_at",
  "given_name",
  "family_name",
  "nickname",
  "company_name",
  "email_address",
  "address",
  "phone_number",
  "birthday",
  "reference_id",
  "note",
  "preferences",
  "creation_source",
  "group_ids",
  "segment_ids",
  "version",
  "tax_ids",
];

/** A copy of `c` with keys in Square's order and empty optional parts left out. */
function shape(c: Customer): Customer {
  const out: Record<string, unknown> = {};
  for (const key of ORDER) {
    const v = c[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[key] = v;
  }
  return out as Customer;
}

/** Drops empty members of an address / tax ids object; an object left empty counts as absent. */
function compact<T extends object>(value: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined || (EMPTY_STRING_IS_ABSENT && v === "")) continue;
    out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : (out as T);
}

/** Writes one field from a (validated) request onto a customer; `null` (or "") clears it. */
function setField(c: Record<string, unknown>, field: Writable, value: unknown): void {
  if (value === null || (EMPTY_STRING_IS_ABSENT && value === "")) {
    delete c[field];
  } else if (field === "birthday") {
    c[field] = normalizeBirthday(value as string);
  } else if (field === "address" || field === "tax_ids") {
    const base = REPLACE_NESTED_OBJECTS_ON_UPDATE ? {} : ((c[field] as object | undefined) ?? {});
    const v = compact({ ...base, ...(value as Address) });
    if (v === undefined) delete c[field];
    else c[field] = v;
  } else {
    c[field] = value;
  }
}

/** A new customer from create / bulk-create data (already validated by core). */
export function newCustomer(
  input: Partial<Record<Writable, unknown>>,
  nowMs: number,
  extra: { id: string; creationSource?: Customer["creation_source"]; segmentIds?: string[] },
): Customer {
  const at = new Date(nowMs).toISOString();
  const c: Record<string, unknown> = {
    id: extra.id,
    created_at: at,
    updated_at: at,
    preferences: { email_unsubscribed: false },
    creation_source: extra.creationSource ?? API_CREATION_SOURCE,
    version: 0,
  };
  for (const field of WRITABLE) {
    if (input[field] !== undefined) setField(c, field, input[field]);
  }
  if (extra.segmentIds !== undefined && extra.segmentIds.length > 0) c.segment_ids = extra.segmentIds;
  return shape(c as Customer);
}

/** The customer after a sparse update: absent = unchanged, null = cleared; `version` + 1. */
export function updatedCustomer(current: Customer, input: Partial<Record<Writable, unknown>>, nowMs: number) {
  const c: Record<string, unknown> = { ...current };
  let changed = false;
  for (const field of WRITABLE) {
    if (input[field] === undefined) continue;
    setField(c, field, input[field]);
    changed = true;
  }
  if (changed || VERSION_BUMPS_ON_NOOP_UPDATE) {
    c.version = (current.version ?? 0) + 1;
    c.updated_at = new Date(nowMs).toISOString();
  }
  return shape(c as Customer);
}

/** Throws VERSION_MISMATCH when the request names a version other than the current one. */
export function checkVersion(kind: string, id: string, current: number, given: unknown, field: string): void {
  if (given === undefined || given === null || given === current) return;
  throw new ApiError(VERSION_MISMATCH.status, [
    {
      category: VERSION_MISMATCH.category,
      code: VERSION_MISMATCH.code,
      detail: `${kind} \`${id}\` is at version ${current}, not ${String(given)}.`,
      field,
    },
  ]);
}

/** The store row (JSON plus derived columns) for a customer. */
export function toRow(c: Customer): CustomerRow {
  return {
    id: c.id!,
    data: JSON.stringify(c),
    // Profiles with none of these are left out of list and search (spec/BEHAVIOUR.md).
    listed: CUSTOMER_IDENTITY_FIELDS.some((f) => typeof c[f] === "string" && c[f] !== "") ? 1 : 0,
    sort_default: defaultSortKey(c),
    created_ms: Date.parse(c.created_at!),
    updated_ms: Date.parse(c.updated_at!),
    email: c.email_address?.toLowerCase() ?? null,
    phone: c.phone_number == null ? null : toE164(c.phone_number),
    reference_id: c.reference_id?.toLowerCase() ?? null,
    creation_source: c.creation_source ?? null,
    group_ids: c.group_ids ?? [],
    segment_ids: c.segment_ids ?? [],
  };
}

export function loadCustomer(store: Store, merchant: string, id: string): Customer | undefined {
  const json = store.getCustomerJson(merchant, id);
  return json === undefined ? undefined : (JSON.parse(json) as Customer);
}

/** The customer, or a 404 naming it. */
export function requireCustomer(store: Store, merchant: string, id: string, field?: string): Customer {
  const c = loadCustomer(store, merchant, id);
  if (c === undefined) throw notFound("Customer", id, field);
  return c;
}

export function insertCustomer(store: Store, merchant: string, c: Customer): void {
  store.insertCustomer(merchant, toRow(c));
}

/** Rewrites a customer; returns it as stored (and as the API and its events show it). */
export function saveCustomer(store: Store, merchant: string, c: Customer): Customer {
  const shaped = shape(c);
  store.updateCustomer(merchant, toRow(shaped));
  return shaped;
}

/** Adds or removes one id in a customer's `group_ids`; returns false when nothing changed. */
export function setMembership(c: Customer, groupId: string, member: boolean, nowMs: number): boolean {
  const ids = c.group_ids ?? [];
  const has = ids.includes(groupId);
  if (has === member) return false;
  c.group_ids = member ? [...ids, groupId] : ids.filter((g) => g !== groupId);
  if (MEMBERSHIP_CHANGES_BUMP_VERSION) {
    c.version = (c.version ?? 0) + 1;
    c.updated_at = new Date(nowMs).toISOString();
  }
  return true;
}
