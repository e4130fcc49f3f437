// Snapshots of the emulator's state: every merchant's data, or one merchant's, as a documented JSON file
// (README, "Snapshots") that an emulator loads at start to go on exactly where the snapshot was taken:
// the same data in the same order, the same idempotency answers, the same next ids (each merchant's id
// sequence, ids.ts) and, with a manual clock, the same time.
//
// The text is written by hand rather than by one JSON.stringify: one record per line (readable, and a
// fixture in git diffs by record), in a fixed order, so that taking, loading and taking again gives the
// same bytes. Records go out as the store holds them (their JSON text), so a large snapshot costs no
// parse-and-stringify per record.
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type {
  Card,
  CustomAttributeDefinition,
  Customer,
  CustomerGroup,
  CustomerSegment,
  WebhookSubscription,
} from "@square-customers/core";
import { parseRfc3339 } from "@square-customers/core/tooling";
import { newSignatureKey, type StoredSubscription, saveSubscription } from "../webhooks/subscriptions.js";
import { toRow } from "./customer-records.js";
import type { ObjectKind, Store } from "./store.js";

/** What every snapshot says it is. */
export const SNAPSHOT_FORMAT = "square-customers-emulator-snapshot";
/** The format version this emulator writes (and the newest it reads). */
export const SNAPSHOT_VERSION = 1;

/** A snapshot of the emulator's state (format version 1). */
export interface Snapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  /** The clock when the snapshot was taken: a manual clock's time, so a manual clock can go on from it. */
  readonly clock: { readonly mode: "system" } | { readonly mode: "manual"; readonly now: string };
  /** Whether webhook subscriptions hold their signature keys (see `SnapshotOptions.secrets`). */
  readonly secrets: "omitted" | "included";
  readonly merchants: readonly SnapshotMerchant[];
}

/** One merchant's state. Every list is in the order the API lists it (creation order). */
export interface SnapshotMerchant {
  readonly id: string;
  /** SHA-256 (hex) of the merchant's access token: the same token reaches it after loading. */
  readonly tokenHash: string;
  readonly createdAt: string;
  /** The merchant's id sequence: the ids its next requests create follow from these. */
  readonly idSequence: { readonly salt: string; readonly next: number };
  readonly customers: readonly Customer[];
  readonly groups: readonly CustomerGroup[];
  readonly segments: readonly CustomerSegment[];
  readonly customAttributeDefinitions: readonly CustomAttributeDefinition[];
  /** Custom attribute values as stored: key, value, version and timestamps, by customer. */
  readonly customAttributes: readonly {
    readonly customerId: string;
    readonly customAttribute: StoredAttribute;
  }[];
  /** Cards on file (each names its customer in `customer_id`). */
  readonly cards: readonly Card[];
  /** Webhook subscriptions, with `signature_key` only when `secrets` is `included`. */
  readonly webhookSubscriptions: readonly WebhookSubscription[];
  /** The first answer to each idempotency key, by the operation (`scope`) it was given to. */
  readonly idempotency: readonly IdempotencyRecord[];
}

export interface StoredAttribute {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** The request's content key: a repeat with another request is refused. */
  readonly fingerprint: string;
  readonly response: unknown;
}

export interface SnapshotOptions {
  /** Only this merchant (its id); default every merchant. */
  readonly merchant?: string;
  /**
   * Webhook signature keys are secrets: by default a snapshot leaves them out (and the idempotency
   * answers that showed one), and loading it gives each subscription a fresh key, which a rotation
   * (`updateSignatureKey`) reveals. `"include"` keeps them, so receivers configured with the keys go on
   * verifying deliveries after a load; such a file holds secrets, so keep it as you would keep them.
   */
  readonly secrets?: "omit" | "include";
}

/** A snapshot that cannot be loaded: the message names the place and the problem. */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
}

/** A snapshot's clock, as the emulator's clock reports it. */
export type SnapshotClock = Snapshot["clock"];

// ---- taking ----------------------------------------------------------------------------------------

/** The object kinds a snapshot holds, by their field, in the order they are written. */
const OBJECT_FIELDS = [
  ["groups", "group"],
  ["segments", "segment"],
  ["customAttributeDefinitions", "definition"],
  ["customAttributes", "attribute"],
  ["cards", "card"],
  ["webhookSubscriptions", "subscription"],
] as const satisfies ReadonlyArray<readonly [keyof SnapshotMerchant, ObjectKind]>;

interface MerchantRow {
  readonly token_hash: string;
  readonly merchant_id: string;
  readonly created_at: string;
  readonly id_salt: string | null;
  readonly id_next: number;
}

/** The snapshot's text, in pieces (write them in order; joined, they are the whole file). */
export function* snapshotText(
  store: Store,
  clock: SnapshotClock,
  options: SnapshotOptions = {},
): Generator<string> {
  const include = options.secrets === "include";
  yield `{\n  "format": ${JSON.stringify(SNAPSHOT_FORMAT)},\n  "version": ${SNAPSHOT_VERSION},\n`;
  yield `  "clock": ${JSON.stringify(clock)},\n  "secrets": ${JSON.stringify(include ? "included" : "omitted")},\n`;
  yield '  "merchants": [';
  const merchants = store.all(
    `SELECT token_hash, merchant_id, created_at, id_salt, id_next FROM merchants
     ${options.merchant === undefined ? "" : "WHERE merchant_id = ?"} ORDER BY merchant_id`,
    options.merchant === undefined ? [] : [options.merchant],
  ) as unknown as MerchantRow[];
  let first = true;
  for (const m of merchants) {
    yield `${first ? "" : ","}\n    {\n`;
    first = false;
    yield* merchantText(store, m, include);
    yield "    }";
  }
  yield `${merchants.length > 0 ? "\n  " : ""}]\n}\n`;
}

function* merchantText(store: Store, m: MerchantRow, includeSecrets: boolean): Generator<string> {
  const merchant = m.merchant_id;
  // A merchant from a database file older than id sequences has no salt until its next id; its
  // sequence would start at 0 with the salt it then gets, which the loaded copy gets now instead.
  const idSequence = { salt: m.id_salt ?? store.takeIdNumbers(merchant, 0).salt, next: Number(m.id_next) };
  yield `      "id": ${JSON.stringify(merchant)},\n      "tokenHash": ${JSON.stringify(m.token_hash)},\n`;
  yield `      "createdAt": ${JSON.stringify(m.created_at)},\n      "idSequence": ${JSON.stringify(idSequence)},\n`;
  yield* list(
    "customers",
    (
      store.all("SELECT data FROM customers WHERE merchant = ? ORDER BY seq", [merchant]) as Array<{
        data: string;
      }>
    ).map((r) => r.data),
  );
  for (const [field, kind] of OBJECT_FIELDS) {
    const rows = store.all("SELECT parent, data FROM objects WHERE merchant = ? AND kind = ? ORDER BY seq", [
      merchant,
      kind,
    ]) as Array<{ parent: string; data: string }>;
    yield ",\n";
    yield* list(
      field,
      rows.map((r) =>
        kind === "attribute"
          ? `{"customerId":${JSON.stringify(r.parent)},"customAttribute":${r.data}}`
          : kind === "subscription" && !includeSecrets
            ? withoutSignatureKey(r.data)
            : r.data,
      ),
    );
  }
  const idempotency = store.all(
    "SELECT scope, key, fingerprint, response FROM idempotency WHERE merchant = ? ORDER BY scope, key",
    [merchant],
  ) as Array<{ scope: string; key: string; fingerprint: string; response: string }>;
  yield ",\n";
  yield* list(
    "idempotency",
    idempotency
      // An answer that showed a signature key (a subscription's creation, a rotation) holds a secret.
      .filter((r) => includeSecrets || !r.response.includes('"signature_key"'))
      .map(
        (r) =>
          `{"scope":${JSON.stringify(r.scope)},"key":${JSON.stringify(r.key)},` +
          `"fingerprint":${JSON.stringify(r.fingerprint)},"response":${r.response}}`,
      ),
  );
  yield "\n";
}

/** A field holding a list of records, one per line. */
function* list(field: string, records: readonly string[]): Generator<string> {
  if (records.length === 0) {
    yield `      ${JSON.stringify(field)}: []`;
    return;
  }
  yield `      ${JSON.stringify(field)}: [\n`;
  for (let i = 0; i < records.length; i++)
    yield `        ${records[i]}${i + 1 < records.length ? ",\n" : "\n"}`;
  yield "      ]";
}

function withoutSignatureKey(json: string): string {
  const { signature_key: _, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Writes a snapshot to a file, whole or not at all (a temporary file renamed into place). */
export async function writeSnapshotFile(file: string, text: Iterable<string>): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  try {
    await pipeline(Readable.from(text), createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

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
