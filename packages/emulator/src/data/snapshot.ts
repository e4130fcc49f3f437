// Snapshots of the emulator's state: every merchant's data, or one merchant's, as a documented JSON file
// (README, "Snapshots") that an emulator loads at start to go on exactly where the snapshot was taken:
// the same data in the same order, the same idempotency answers, the same next ids (each merchant's id
// sequence, ids.ts) and, with a manual clock, the same time. Here: the format, and taking a snapshot;
// reading, checking and loading one is snapshot-load.ts.
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

/** The object kinds a snapshot holds, by their field, in the order they are written. */
export const OBJECT_FIELDS = [
  ["groups", "group"],
  ["segments", "segment"],
  ["customAttributeDefinitions", "definition"],
  ["customAttributes", "attribute"],
  ["cards", "card"],
  ["webhookSubscriptions", "subscription"],
] as const satisfies ReadonlyArray<readonly [keyof SnapshotMerchant, ObjectKind]>;

// ---- taking ----------------------------------------------------------------------------------------

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
