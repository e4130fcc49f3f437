// Reading a snapshot (a file's text, or an object already parsed) and checking it, naming the first
// problem by its path, then loading it into a store in place of everything the store held. The format
// itself, and taking a snapshot, are snapshot.ts.
import type { WebhookSubscription } from "@square-customers/core";
import { parseRfc3339 } from "@square-customers/core/tooling";
import { newSignatureKey, type StoredSubscription, saveSubscription } from "../webhooks/subscriptions.js";
import { toRow } from "./customer-records.js";
import {
  OBJECT_FIELDS,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type Snapshot,
  SnapshotError,
  type SnapshotMerchant,
} from "./snapshot.js";
import type { ObjectKind, Store } from "./store.js";

// ---- reading -----------------------------------------------------------------------------------------

/**
 * Migrations from older format versions, each to the next one. Version 1 is the first format, so there
 * is none yet; a snapshot of an older version is refused with a message saying so.
 */
const MIGRATIONS: Readonly<Record<number, (snapshot: Record<string, unknown>) => Record<string, unknown>>> =
  {};

/** Parses and checks a snapshot file's text (or an object already parsed). */
export function readSnapshot(input: unknown, source = "snapshot"): Snapshot {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new SnapshotError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isRecord(value) || value.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(
      `${source} is not an emulator snapshot: it has no "format": "${SNAPSHOT_FORMAT}" (take one with ` +
        "emulator.snapshot(), GET /_emulator/snapshot or --save-snapshot-on-exit)",
    );
  }
  let snapshot = value;
  const version = snapshot.version;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new SnapshotError(
      `${source} has format version ${JSON.stringify(version)}: this emulator reads versions 1 to ` +
        `${SNAPSHOT_VERSION}; version 1 is the first there is`,
    );
  }
  if ((version as number) > SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `${source} has format version ${version}, newer than this emulator reads (${SNAPSHOT_VERSION}): ` +
        "load it with the emulator version that wrote it, or a newer one",
    );
  }
  for (let v = version as number; v < SNAPSHOT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (migrate === undefined) {
      throw new SnapshotError(`${source} has format version ${v}, which this emulator can no longer read`);
    }
    snapshot = migrate(snapshot);
  }
  return checkSnapshot(snapshot, source);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What each kind of object record needs, to be loaded. */
const OBJECT_NEEDS: Record<(typeof OBJECT_FIELDS)[number][0], (o: Record<string, unknown>) => boolean> = {
  groups: (o) => typeof o.id === "string",
  segments: (o) => typeof o.id === "string",
  customAttributeDefinitions: (o) => typeof o.key === "string",
  customAttributes: (o) =>
    typeof o.customerId === "string" &&
    isRecord(o.customAttribute) &&
    typeof o.customAttribute.key === "string",
  cards: (o) => typeof o.id === "string" && typeof o.customer_id === "string",
  webhookSubscriptions: (o) =>
    typeof o.id === "string" &&
    typeof o.notification_url === "string" &&
    Array.isArray(o.event_types) &&
    (o.signature_key === undefined || typeof o.signature_key === "string"),
};

/** Checks the shape of a snapshot of the current version, naming the first problem by its path. */
function checkSnapshot(s: Record<string, unknown>, source: string): Snapshot {
  function fail(path: string, problem: string): never {
    throw new SnapshotError(`${source}: ${path}: ${problem}`);
  }
  const clock = s.clock;
  if (!isRecord(clock) || (clock.mode !== "system" && clock.mode !== "manual")) {
    fail("clock", 'expected { "mode": "system" } or { "mode": "manual", "now": … }');
  }
  if (clock.mode === "manual" && !isTimestamp(clock.now)) fail("clock.now", "expected an RFC 3339 timestamp");
  if (s.secrets !== "omitted" && s.secrets !== "included")
    fail("secrets", 'expected "omitted" or "included"');
  if (!Array.isArray(s.merchants)) fail("merchants", "expected a list");
  const tokens = new Set<unknown>();
  const merchantIds = new Set<unknown>();
  for (const [i, m] of (s.merchants as unknown[]).entries()) {
    const at = `merchants[${i}]`;
    if (!isRecord(m)) fail(at, "expected an object");
    for (const field of ["id", "tokenHash", "createdAt"]) {
      if (typeof m[field] !== "string" || m[field] === "")
        fail(`${at}.${field}`, "expected a non-empty string");
    }
    if (tokens.has(m.tokenHash)) fail(`${at}.tokenHash`, "another merchant has the same token");
    if (merchantIds.has(m.id)) fail(`${at}.id`, "another merchant has the same id");
    tokens.add(m.tokenHash);
    merchantIds.add(m.id);
    const ids = m.idSequence;
    if (
      !isRecord(ids) ||
      typeof ids.salt !== "string" ||
      !Number.isSafeInteger(ids.next) ||
      (ids.next as number) < 0
    ) {
      fail(`${at}.idSequence`, 'expected { "salt": text, "next": a whole number }');
    }
    for (const field of ["customers", ...OBJECT_FIELDS.map(([f]) => f), "idempotency"]) {
      if (!Array.isArray(m[field])) fail(`${at}.${field}`, "expected a list");
    }
    const customerIds = new Set<unknown>();
    for (const [j, c] of (m.customers as unknown[]).entries()) {
      const path = `${at}.customers[${j}]`;
      if (!isRecord(c) || typeof c.id !== "string" || c.id === "")
        fail(path, "expected a customer with an id");
      if (customerIds.has(c.id)) fail(`${path}.id`, `another customer of the merchant has the id ${c.id}`);
      customerIds.add(c.id);
      for (const field of ["created_at", "updated_at"]) {
        if (!isTimestamp(c[field])) fail(`${path}.${field}`, "expected an RFC 3339 timestamp");
      }
      if (!Number.isSafeInteger(c.version)) fail(`${path}.version`, "expected a whole number");
    }
    for (const [field, kind] of OBJECT_FIELDS) {
      for (const [j, o] of (m[field] as unknown[]).entries()) {
        if (!isRecord(o) || !OBJECT_NEEDS[field](o)) fail(`${at}.${field}[${j}]`, `not a ${kind} record`);
      }
    }
    for (const [j, r] of (m.idempotency as unknown[]).entries()) {
      if (
        !isRecord(r) ||
        typeof r.scope !== "string" ||
        typeof r.key !== "string" ||
        typeof r.fingerprint !== "string"
      ) {
        fail(`${at}.idempotency[${j}]`, "expected { scope, key, fingerprint, response }");
      }
    }
  }
  return s as unknown as Snapshot;
}

function isTimestamp(value: unknown): boolean {
  return typeof value === "string" && parseRfc3339(value) !== undefined;
}

// ---- loading -----------------------------------------------------------------------------------------

/**
 * Replaces everything the store holds with the snapshot's merchants, in one transaction. Subscriptions
 * without a signature key (a snapshot that omitted secrets) get a fresh one.
 */
export function loadSnapshot(store: Store, snapshot: Snapshot): void {
  store.transaction(() => {
    store.reset();
    store.insertCustomersInBulk(
      snapshot.merchants.flatMap((m) =>
        m.customers.map((customer) => ({ merchant: m.id, row: toRow(customer) })),
      ),
    );
    for (const m of snapshot.merchants) loadMerchant(store, m);
  });
}

/** A merchant's row and everything but its customers (loaded in bulk, before). */
function loadMerchant(store: Store, m: SnapshotMerchant): void {
  store
    .stmt(
      "INSERT INTO merchants (token_hash, merchant_id, created_at, id_salt, id_next) VALUES (?, ?, ?, ?, ?)",
    )
    .run(m.tokenHash, m.id, m.createdAt, m.idSequence.salt, m.idSequence.next);
  const put = (kind: ObjectKind, parent: string, id: string, data: unknown) =>
    store.putObject(m.id, kind, parent, id, JSON.stringify(data));
  for (const g of m.groups) put("group", "", g.id!, g);
  for (const s of m.segments) put("segment", "", s.id!, s);
  for (const d of m.customAttributeDefinitions) put("definition", "", d.key!, d);
  for (const a of m.customAttributes)
    put("attribute", a.customerId, a.customAttribute.key, a.customAttribute);
  for (const c of m.cards) put("card", c.customer_id!, c.id!, c);
  for (const s of m.webhookSubscriptions) {
    const stored = s as Partial<StoredSubscription> & WebhookSubscription;
    saveSubscription(store, m.id, {
      ...stored,
      id: s.id,
      signature_key: stored.signature_key ?? newSignatureKey(),
    });
  }
  for (const r of m.idempotency) {
    store.putIdempotent(m.id, r.scope, r.key, r.fingerprint, JSON.stringify(r.response));
  }
}
