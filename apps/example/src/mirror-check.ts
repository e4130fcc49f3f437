// Checks of a mirror, independent of the rules that keep it (those are core's): does it hold exactly the
// account's customers, field by field, and did any write ever put an older version over a newer one? The
// demo, the convergence tests and the benchmark use them.

import type { DatabaseSync } from "node:sqlite";
import {
  type Customer,
  type MaybePromise,
  type MirroredCustomer,
  type MirrorMark,
  type MirrorStore,
  type MirrorTransaction,
  mirroredCustomer,
} from "@square-customers/core";

/** One way the mirror differs from the account. */
export interface MirrorDifference {
  readonly id: string;
  /** A field name, or `(missing)` (in the account, not the mirror) or `(extra)` (the other way). */
  readonly field: string;
  readonly account: unknown;
  readonly mirror: unknown;
}

export interface MirrorComparison {
  /** Customers in the account. */
  readonly customers: number;
  /** Fields compared (customer by customer, the union of both sides' fields). */
  readonly fields: number;
  readonly differences: readonly MirrorDifference[];
}

/** JSON with object keys sorted, so that equal values have equal text whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Compares the account's customers (as list returns them) with the mirror's, field by field. The mirror
 * never keeps `segment_ids` (events do not carry it), so that field is left out of the account's side.
 */
export function compareMirror(
  account: Iterable<Customer>,
  mirror: Iterable<MirroredCustomer>,
): MirrorComparison {
  const mirrored = new Map<string, MirroredCustomer>();
  for (const customer of mirror) mirrored.set(customer.id, customer);
  const differences: MirrorDifference[] = [];
  let customers = 0;
  let fields = 0;
  for (const full of account) {
    customers++;
    const expected = mirroredCustomer(full) as Record<string, unknown>;
    const actual = mirrored.get(full.id) as Record<string, unknown> | undefined;
    mirrored.delete(full.id);
    if (actual === undefined) {
      differences.push({ id: full.id, field: "(missing)", account: expected, mirror: undefined });
      continue;
    }
    for (const field of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      fields++;
      if (canonical(expected[field]) !== canonical(actual[field])) {
        differences.push({ id: full.id, field, account: expected[field], mirror: actual[field] });
      }
    }
  }
  for (const [id, extra] of mirrored)
    differences.push({ id, field: "(extra)", account: undefined, mirror: extra });
  return { customers, fields, differences };
}

/**
 * A store that passes everything through and counts stale overwrites: a write that left a customer at an
 * older version than it had, or brought back a customer at or below the version it was deleted at. It
 * reads each customer's mark before and after every write (`markOf`, inside the same transaction) and
 * judges by versions alone, not by core's rules, so it can catch them breaking.
 */
export class StaleWriteWatch implements MirrorStore {
  /** Stale overwrites seen so far. */
  staleWrites = 0;
  /** Customer states written. */
  writes = 0;

  constructor(
    readonly inner: MirrorStore,
    private readonly markOf: (merchantId: string, id: string) => MirrorMark | undefined,
  ) {}

  transaction<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): Promise<T> {
    return this.inner.transaction((tx) =>
      work({
        ...tx,
        write: async (op) => {
          const before = op.writes.map((w) => this.markOf(op.merchantId, w.id));
          const written = await tx.write(op);
          for (const [i, w] of op.writes.entries()) this.watch(before[i], this.markOf(op.merchantId, w.id));
          this.writes += written;
          return written;
        },
        applyEvent: async (op) => {
          const before = op.write && this.markOf(op.merchantId, op.write.id);
          const result = await tx.applyEvent(op);
          if (op.write) this.watch(before, this.markOf(op.merchantId, op.write.id));
          if (result.written) this.writes++;
          return result;
        },
      }),
    );
  }

  private watch(before: MirrorMark | undefined, after: MirrorMark | undefined): void {
    if (before === undefined || after === undefined) return;
    const stale =
      after.version < before.version || (before.deleted && !after.deleted && after.version <= before.version);
    if (stale) this.staleWrites++;
  }
}

/** The mark of a customer in a SQLite mirror, read with plain SQL (for `StaleWriteWatch`). */
export function sqliteMarkOf(db: DatabaseSync): (merchantId: string, id: string) => MirrorMark | undefined {
  const read = db.prepare(
    "SELECT version, observed_at, deleted_at FROM square_customers WHERE merchant_id = ? AND id = ?",
  );
  return (merchantId, id) => {
    const row = read.get(merchantId, id) as
      | { version: number; observed_at: number; deleted_at: string | null }
      | undefined;
    return row && { version: row.version, at: row.observed_at, deleted: row.deleted_at !== null };
  };
}
