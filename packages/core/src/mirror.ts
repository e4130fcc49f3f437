// The customer mirror: a copy of a merchant's customers in the user's own storage, filled by a full load
// (list everything), kept current by webhook events, and checked by a reconcile pass (search what changed
// lately) for anything events missed. Every rule of it is here, as pure functions; the two clients only
// list, search and read and write the store, in the order these functions say
// (packages/client/src/mirror.ts, packages/client-effect/src/mirror.ts).
//
// The facts it rests on (spec/BEHAVIOUR.md, "Webhooks"): deliveries come more than once and out of order;
// a customer's `version` orders its states; a delete is final for every version up to the deleted one;
// Square retries a failed delivery for up to 72 hours. Two of the project's own choices follow from them:
// - A customer's state in the mirror carries a mark: its version, when it was observed (an event's
//   `created_at`; for a list or search read, when the read started, less a safety margin), and whether it
//   is a tombstone. A change is written only if its mark supersedes the stored one (`supersedes`). The time
//   breaks ties between states of the same version: a group membership change is announced as
//   `customer.updated` but need not raise the version, so two events of one version can differ.
// - Segment membership is never carried by events, so the mirror does not keep `segment_ids` at all.
import type { Customer, SearchCustomersRequest } from "./generated/models.js";
import type { ListCustomersQuery } from "./generated/parameters.js";
import type { WebhookEvent } from "./webhooks.js";

/** A value, or a promise of it: a store may be synchronous (node:sqlite) or not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * How far back a read is trusted less, and how far before the last reconcile the next one searches:
 * covers clocks that differ between Square and this machine, and search results that lag behind writes.
 */
export const MIRROR_SAFETY_MARGIN_MS = 5 * 60_000;

/** Square retries a failed delivery for up to 72 hours; no event id can come again after that. */
export const WEBHOOK_RETRY_WINDOW_MS = 72 * 60 * 60_000;

/** Customers per list or search page (the most Square gives). */
export const MIRROR_PAGE_SIZE = 100;

/** The event types that change what a mirror keeps: a subscription for a mirror needs only these. */
export const MIRROR_EVENT_TYPES = ["customer.created", "customer.updated", "customer.deleted"] as const;

/** A customer as the mirror keeps it: as Square returns it, without `segment_ids` (events never carry it). */
export type MirroredCustomer = Omit<Customer, "segment_ids">;

/** What the mirror knows of one customer's state, enough to order it against another. */
export interface MirrorMark {
  readonly version: number;
  /** When the state was observed, in ms since the epoch (see `supersedes`). */
  readonly at: number;
  /** A tombstone: the customer was deleted at `version`. */
  readonly deleted: boolean;
}

/** Where a mirror stands between runs. */
export interface MirrorCheckpoint {
  /** When the last complete full load started (RFC 3339). */
  readonly loadedAt: string;
  /**
   * When the last full load or reconcile pass started (RFC 3339): every change committed before this,
   * less the safety margin, has been read.
   */
  readonly reconciledAt: string;
}

/**
 * The storage behind a mirror: one implementation per database, defined once for both clients. Any method
 * may answer at once or with a promise. A store is written by one mirror at a time; the mirror runs its
 * steps one after another, so a store needs no locking of its own.
 */
export interface MirrorStore {
  /** The mark of a customer, live or tombstone; undefined when the mirror has never seen it. */
  get(id: string): MaybePromise<MirrorMark | undefined>;
  /** Keeps a customer in the state of `mark`, replacing whatever was there (a tombstone included). */
  upsert(customer: MirroredCustomer, mark: MirrorMark): MaybePromise<void>;
  /** Replaces a customer with a tombstone (`mark.deleted` is true). */
  delete(id: string, mark: MirrorMark): MaybePromise<void>;
  /** The id and mark of every live customer (not tombstones): the full load's reconciliation reads them. */
  live(): Iterable<readonly [string, MirrorMark]> | AsyncIterable<readonly [string, MirrorMark]>;
  /** Whether an event with this id has been handled already. */
  hasEvent(eventId: string): MaybePromise<boolean>;
  /** Remembers that an event was handled, and when (ms since the epoch). */
  rememberEvent(eventId: string, at: number): MaybePromise<void>;
  /** Forgets events handled before `at` (they cannot be delivered again). */
  forgetEventsBefore(at: number): MaybePromise<void>;
  readCheckpoint(): MaybePromise<MirrorCheckpoint | undefined>;
  writeCheckpoint(checkpoint: MirrorCheckpoint): MaybePromise<void>;
  /**
   * Optional: each step of the mirror (one event, one page of a load or reconcile pass, the end of a load)
   * then runs between `begin` and `commit` (`rollback` if it fails). A SQL store gains one commit per page
   * rather than one per row, and steps that are kept whole or not at all. Steps never overlap.
   */
  readonly transactions?: {
    begin(): MaybePromise<void>;
    commit(): MaybePromise<void>;
    rollback(): MaybePromise<void>;
  };
}

/** What one event, or one customer read by a list or search, asks of the mirror. */
export type MirrorChange =
  | {
      readonly kind: "upsert";
      readonly id: string;
      readonly customer: MirroredCustomer;
      readonly mark: MirrorMark;
    }
  | { readonly kind: "delete"; readonly id: string; readonly mark: MirrorMark }
  /** An event that does not change a customer's profile (custom attributes, an unknown type). */
  | { readonly kind: "ignore"; readonly id: string | undefined; readonly reason: string };

/**
 * What became of an event: `applied` (the mirror changed), `stale` (the mirror already had that state or
 * a newer one), `duplicate` (this event id was handled before), `ignored` (not about a customer's profile).
 */
export type MirrorOutcome = "applied" | "stale" | "duplicate" | "ignored";

/** Progress of a mirror, as both clients report it (a callback, or a `Stream`). */
export type MirrorProgress =
  | {
      readonly kind: "load";
      /** `listing` after each page, `deleting` once listing is done, `done` at the end. */
      readonly stage: "listing" | "deleting" | "done";
      /** Customers listed so far. */
      readonly listed: number;
      /** How many the account said it had when the load began (undefined if it did not say). */
      readonly total: number | undefined;
      /** Customers the load wrote (new or newer than the mirror's). */
      readonly written: number;
      /** Customers removed because the listing no longer has them. */
      readonly deleted: number;
    }
  | {
      readonly kind: "reconcile";
      readonly stage: "searching" | "done";
      /** The search's `updated_at` lower bound (RFC 3339). */
      readonly since: string;
      readonly read: number;
      readonly written: number;
    }
  | {
      readonly kind: "event";
      readonly eventId: string;
      /** The event's type (for an unknown one, the type Square sent). */
      readonly eventType: string;
      readonly customerId: string | undefined;
      /** The customer's version in the event, for customer events. */
      readonly version: number | undefined;
      readonly outcome: MirrorOutcome;
    };

/** The event-kind of `MirrorProgress`: what became of one event. */
export type MirrorEventResult = Extract<MirrorProgress, { kind: "event" }>;

/** Events by outcome. */
export type MirrorEventCounts = Record<MirrorOutcome, number>;

// ---- ordering ------------------------------------------------------------------------------------------

/**
 * Whether a state with mark `incoming` is newer than the stored one, and so may replace it:
 * - a higher version always wins, a lower one never (an older version never overwrites a newer one);
 * - at the same version a tombstone beats a live state (a delete is final for every version up to its
 *   own), and two tombstones are the same;
 * - two live states of the same version are ordered by when they were observed, the later winning: the
 *   version stays put when only group membership changes.
 */
export function supersedes(incoming: MirrorMark, stored: MirrorMark | undefined): boolean {
  if (stored === undefined) return true;
  if (incoming.version !== stored.version) return incoming.version > stored.version;
  if (incoming.deleted !== stored.deleted) return incoming.deleted;
  if (incoming.deleted) return false;
  return incoming.at > stored.at;
}

/**
 * What becomes of a change, given the stored mark and, for an event, whether its id was handled before:
 * `applied` means the change is to be written (an upsert or a tombstone).
 */
export function outcomeOf(
  change: MirrorChange,
  stored: MirrorMark | undefined,
  handledBefore = false,
): MirrorOutcome {
  if (handledBefore) return "duplicate";
  if (change.kind === "ignore") return "ignored";
  return supersedes(change.mark, stored) ? "applied" : "stale";
}

// ---- what events and reads mean -------------------------------------------------------------------------

/** A customer without the fields the mirror does not keep. */
export function mirroredCustomer(customer: Customer): MirroredCustomer {
  const { segment_ids: _segments, ...kept } = customer;
  return kept;
}

/** Milliseconds since the epoch of an RFC 3339 time; 0 when it is missing or unreadable (oldest). */
function timeOf(text: string | undefined): number {
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * What an event asks of the mirror: `customer.created` and `customer.updated` (group membership changes
 * included) carry the customer after the change, `customer.deleted` the customer as it was when deleted.
 * Custom attribute events and unknown types leave the profile alone.
 */
export function changeOfEvent(event: WebhookEvent): MirrorChange {
  switch (event.type) {
    case "customer.created":
    case "customer.updated":
    case "customer.deleted": {
      const customer = event.data?.object?.customer;
      const id = customer?.id ?? event.data?.id;
      if (customer === undefined || typeof id !== "string" || id === "") {
        return { kind: "ignore", id: undefined, reason: "the event carries no customer" };
      }
      const mark = {
        version: customer.version ?? 0,
        at: timeOf(event.created_at),
        deleted: event.type === "customer.deleted",
      };
      return mark.deleted
        ? { kind: "delete", id, mark }
        : { kind: "upsert", id, customer: mirroredCustomer({ ...customer, id }), mark };
    }
    case "unknown":
      return { kind: "ignore", id: undefined, reason: `unknown event type ${event.eventType}` };
    default:
      // Their `data.id` names a definition or an attribute value, not a customer.
      return {
        kind: "ignore",
        id: undefined,
        reason: "custom attributes and their definitions are not mirrored",
      };
  }
}

/**
 * What a customer read by a list or search that started at `readAt` (ms) asks of the mirror. The read
 * holds every change committed before it started, but clocks differ, so it counts as observed `marginMs`
 * earlier: at the same version, an event from just before the read still wins, and a later event always.
 */
export function changeOfRead(
  customer: Customer,
  readAt: number,
  marginMs = MIRROR_SAFETY_MARGIN_MS,
): Extract<MirrorChange, { kind: "upsert" }> {
  return {
    kind: "upsert",
    id: customer.id,
    customer: mirroredCustomer(customer),
    mark: { version: customer.version ?? 0, at: readAt - marginMs, deleted: false },
  };
}

/** The `MirrorProgress` of one event and its outcome. */
export function eventResult(
  event: WebhookEvent,
  change: MirrorChange,
  outcome: MirrorOutcome,
): MirrorEventResult {
  const customer =
    event.type === "customer.created" ||
    event.type === "customer.updated" ||
    event.type === "customer.deleted"
      ? event.data?.object?.customer
      : undefined;
  return {
    kind: "event",
    eventId: event.event_id,
    eventType: event.type === "unknown" ? event.eventType : event.type,
    customerId: change.id,
    version: customer?.version,
    outcome,
  };
}

/** No events yet. */
export function emptyEventCounts(): MirrorEventCounts {
  return { applied: 0, stale: 0, duplicate: 0, ignored: 0 };
}

/** Counts one more event (a new object; the old one is left as it was). */
export function countEvent(counts: MirrorEventCounts, outcome: MirrorOutcome): MirrorEventCounts {
  return { ...counts, [outcome]: counts[outcome] + 1 };
}

// ---- the full load -----------------------------------------------------------------------------------------

/**
 * The list request of a full load for the page at `cursor` (undefined: the first): the largest pages, by
 * creation time (customers created while the load runs come last, so the listing still reaches them). The
 * first page also asks for the account's count, for progress; later pages do not (counting costs).
 */
export function fullLoadQuery(cursor?: string): ListCustomersQuery {
  const query: ListCustomersQuery = { limit: MIRROR_PAGE_SIZE, sort_field: "CREATED_AT", sort_order: "ASC" };
  return cursor === undefined ? { ...query, count: true } : { ...query, cursor };
}

/**
 * The tombstones that finish a full load: a live customer the listing did not return is gone, unless the
 * mirror learned of it after the listing began (an event during the load, which the listing may have
 * missed). The tombstone keeps the version the mirror had, so a later version can still bring the
 * customer back: an update from before the deletion whose event is still on its way (until the delete's
 * own event ends it again), or a change to a profile that list leaves out (one without name, company,
 * email and phone), which is not deleted at all.
 */
export function deletionsAfterLoad(
  live: Iterable<readonly [string, MirrorMark]>,
  listed: ReadonlySet<string>,
  loadStartedAt: number,
  marginMs = MIRROR_SAFETY_MARGIN_MS,
): Array<readonly [string, MirrorMark]> {
  const before = loadStartedAt - marginMs;
  const gone: Array<readonly [string, MirrorMark]> = [];
  for (const [id, mark] of live) {
    if (listed.has(id) || mark.at >= before) continue;
    gone.push([id, { version: mark.version, at: loadStartedAt, deleted: true }]);
  }
  return gone;
}

/** The checkpoint after a full load that started at `startedAt` (ms). */
export function checkpointAfterLoad(startedAt: number): MirrorCheckpoint {
  const at = new Date(startedAt).toISOString();
  return { loadedAt: at, reconciledAt: at };
}

// ---- the reconcile pass ------------------------------------------------------------------------------------

/** Where a reconcile pass starts: the last one's start (or the load's), less the safety margin (RFC 3339). */
export function reconcileSince(checkpoint: MirrorCheckpoint, marginMs = MIRROR_SAFETY_MARGIN_MS): string {
  return new Date(timeOf(checkpoint.reconciledAt) - marginMs).toISOString();
}

/**
 * The search of a reconcile pass: every customer updated since `since`. It finds creations and updates
 * that events missed; a missed delete is found only by a full load (search does not return deleted
 * customers), and Square retries deliveries long enough that one is rarely missed.
 */
export function reconcileQuery(since: string): SearchCustomersRequest {
  return { limit: MIRROR_PAGE_SIZE, query: { filter: { updated_at: { start_at: since } } } };
}

/**
 * The checkpoint after a reconcile pass that started at `startedAt` (ms), from the one stored now: a pass
 * or load that started later and finished first keeps its own.
 */
export function checkpointAfterReconcile(checkpoint: MirrorCheckpoint, startedAt: number): MirrorCheckpoint {
  if (timeOf(checkpoint.reconciledAt) >= startedAt) return checkpoint;
  return { ...checkpoint, reconciledAt: new Date(startedAt).toISOString() };
}

/** Event ids handled before this moment can be forgotten: Square no longer retries them. */
export function eventsForgettableBefore(now: number, marginMs = MIRROR_SAFETY_MARGIN_MS): number {
  return now - WEBHOOK_RETRY_WINDOW_MS - marginMs;
}

/** Why a reconcile pass cannot run yet. */
export const NO_CHECKPOINT_MESSAGE = "the mirror has no checkpoint yet: run a full load first";

/**
 * What a mirror does when it starts: a full load when it has never finished one, when asked to, or when
 * its last reconcile is older than Square's retry window (deletes from before then can no longer arrive);
 * otherwise a reconcile pass from its checkpoint.
 */
export function planSync(
  checkpoint: MirrorCheckpoint | undefined,
  now: number,
  options: { readonly full?: boolean } = {},
): { readonly kind: "full-load"; readonly reason: string } | { readonly kind: "reconcile" } {
  if (checkpoint === undefined) return { kind: "full-load", reason: "no checkpoint" };
  if (options.full) return { kind: "full-load", reason: "asked for" };
  if (now - timeOf(checkpoint.reconciledAt) > WEBHOOK_RETRY_WINDOW_MS) {
    return { kind: "full-load", reason: "the checkpoint is older than Square's 72-hour retry window" };
  }
  return { kind: "reconcile" };
}

// ---- a store in memory ---------------------------------------------------------------------------------------

/** A `MirrorStore` in memory, for tests and small apps; `customers()` reads the mirror. */
export class MemoryMirrorStore implements MirrorStore {
  private readonly entries = new Map<string, { mark: MirrorMark; customer?: MirroredCustomer }>();
  private readonly events = new Map<string, number>();
  private saved: MirrorCheckpoint | undefined;

  get(id: string): MirrorMark | undefined {
    return this.entries.get(id)?.mark;
  }

  upsert(customer: MirroredCustomer, mark: MirrorMark): void {
    this.entries.set(customer.id, { mark, customer });
  }

  delete(id: string, mark: MirrorMark): void {
    this.entries.set(id, { mark });
  }

  *live(): Iterable<readonly [string, MirrorMark]> {
    for (const [id, entry] of this.entries) if (!entry.mark.deleted) yield [id, entry.mark];
  }

  hasEvent(eventId: string): boolean {
    return this.events.has(eventId);
  }

  rememberEvent(eventId: string, at: number): void {
    this.events.set(eventId, at);
  }

  forgetEventsBefore(at: number): void {
    for (const [id, handled] of this.events) if (handled < at) this.events.delete(id);
  }

  readCheckpoint(): MirrorCheckpoint | undefined {
    return this.saved;
  }

  writeCheckpoint(checkpoint: MirrorCheckpoint): void {
    this.saved = checkpoint;
  }

  /** One live customer. */
  customer(id: string): MirroredCustomer | undefined {
    return this.entries.get(id)?.customer;
  }

  /** Every live customer. */
  customers(): MirroredCustomer[] {
    return [...this.entries.values()].flatMap((e) => (e.customer === undefined ? [] : [e.customer]));
  }
}
