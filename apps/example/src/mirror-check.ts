// Checks of a mirror, independent of the rules that keep it (those are core's): does it hold exactly the
// account's customers, field by field, and did any write ever put an older version over a newer one? The
// demo, the convergence tests and the benchmark use them.
import {
  type Customer,
  type MirrorCheckpoint,
  type MirroredCustomer,
  type MirrorMark,
  type MirrorStore,
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
 * A store that passes everything through and counts stale overwrites: a write of an older version than
 * the newest written before for that customer, or bringing back a customer at or below the version it
 * was deleted at. It judges by versions alone, not by core's rules, so it can catch them breaking.
 */
export class StaleWriteWatch implements MirrorStore {
  /** Stale overwrites seen so far. */
  staleWrites = 0;
  /** Writes passed through. */
  writes = 0;
  private readonly newest = new Map<string, { version: number; deleted: boolean }>();

  constructor(readonly inner: MirrorStore) {}

  private watch(id: string, mark: MirrorMark): void {
    this.writes++;
    const before = this.newest.get(id);
    const stale =
      before !== undefined &&
      (mark.version < before.version || (before.deleted && !mark.deleted && mark.version <= before.version));
    if (stale) this.staleWrites++;
    if (before === undefined || mark.version >= before.version) {
      this.newest.set(id, { version: mark.version, deleted: mark.deleted });
    }
  }

  get(id: string) {
    return this.inner.get(id);
  }

  upsert(customer: MirroredCustomer, mark: MirrorMark) {
    this.watch(customer.id, mark);
    return this.inner.upsert(customer, mark);
  }

  delete(id: string, mark: MirrorMark) {
    this.watch(id, mark);
    return this.inner.delete(id, mark);
  }

  live() {
    return this.inner.live();
  }

  hasEvent(eventId: string) {
    return this.inner.hasEvent(eventId);
  }

  rememberEvent(eventId: string, at: number) {
    return this.inner.rememberEvent(eventId, at);
  }

  forgetEventsBefore(at: number) {
    return this.inner.forgetEventsBefore(at);
  }

  readCheckpoint() {
    return this.inner.readCheckpoint();
  }

  writeCheckpoint(checkpoint: MirrorCheckpoint) {
    return this.inner.writeCheckpoint(checkpoint);
  }
}
