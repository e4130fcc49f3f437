// The customer mirror's rules: a copy of merchants' customers in the user's own storage, filled by a full
// load (list everything), kept current by webhook events, and checked by a reconcile pass (search what
// changed lately) for anything events missed. Each rule is a pure function here; `steps.ts` puts them in
// order, and the stores write what they decide (the SQL stores with the same rules in SQL, `sql/`).
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
import type { Customer, SearchCustomersRequest } from "../generated/models.js";
import type { ListCustomersQuery } from "../generated/parameters.js";
import type { WebhookEvent } from "../webhooks/delivery.js";
import type {
  MirrorChange,
  MirrorCheckpoint,
  MirrorEventCounts,
  MirrorEventResult,
  MirroredCustomer,
  MirrorMark,
  MirrorOutcome,
  MirrorWrite,
} from "./types.js";

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

/** Why a reconcile pass cannot run yet. */
export const NO_CHECKPOINT_MESSAGE = "the mirror has no checkpoint yet: run a full load first";

// ---- ordering ------------------------------------------------------------------------------------------

/**
 * Whether a state with mark `incoming` is newer than the stored one, and so may replace it:
 * - a higher version always wins, a lower one never (an older version never overwrites a newer one);
 * - at the same version a tombstone beats a live state (a delete is final for every version up to its
 *   own), and two tombstones are the same;
 * - two live states of the same version are ordered by when they were observed, the later winning: the
 *   version stays put when only group membership changes.
 * The SQL stores decide the same inside their upsert (`SUPERSEDES_SQL` in `sql/statements.ts`).
 */
export function supersedes(incoming: MirrorMark, stored: MirrorMark | undefined): boolean {
  if (stored === undefined) return true;
  if (incoming.version !== stored.version) return incoming.version > stored.version;
  if (incoming.deleted !== stored.deleted) return incoming.deleted;
  if (incoming.deleted) return false;
  return incoming.at > stored.at;
}

/**
 * The checkpoint after a load or reconcile pass that started at `update`'s times: each time only moves
 * forward, so a pass that started later and finished first keeps its own. Several writers may finish
 * passes in any order; the SQL stores decide the same in their checkpoint upsert.
 */
export function advanceCheckpoint(
  stored: MirrorCheckpoint | undefined,
  update: { readonly loadedAt?: number | undefined; readonly reconciledAt: number },
): MirrorCheckpoint | undefined {
  const loadedAt = Math.max(
    stored?.loadedAt ?? Number.NEGATIVE_INFINITY,
    update.loadedAt ?? Number.NEGATIVE_INFINITY,
  );
  // A reconcile pass never makes a checkpoint on its own: without a load there is nothing to reconcile.
  if (loadedAt === Number.NEGATIVE_INFINITY) return stored;
  return { loadedAt, reconciledAt: Math.max(stored?.reconciledAt ?? 0, update.reconciledAt) };
}

// ---- what events and reads mean -------------------------------------------------------------------------

/** A customer without the fields the mirror does not keep. */
export function mirroredCustomer(customer: Customer): MirroredCustomer {
  const { segment_ids: _segments, ...kept } = customer;
  return kept;
}

/** Milliseconds since the epoch of an RFC 3339 time; 0 when it is missing or unreadable (oldest). */
export function timeOf(text: string | undefined): number {
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
      const kept = mirroredCustomer({ ...customer, id });
      return mark.deleted
        ? { kind: "delete", id, customer: kept, mark }
        : { kind: "upsert", id, customer: kept, mark };
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

/** The merchant an event belongs to; undefined when it names none (it is then ignored). */
export function merchantOfEvent(event: WebhookEvent): string | undefined {
  const id = event.merchant_id;
  return typeof id === "string" && id !== "" ? id : undefined;
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
): Extract<MirrorWrite, { kind: "upsert" }> {
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
    merchantId: merchantOfEvent(event),
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
 * The end of a full load that started at `loadStartedAt`: every live customer observed before
 * `before` is gone, and becomes a tombstone observed at `at`. No list of what the load saw is needed (so
 * a load's memory does not grow with the account): every customer the listing returned is now marked
 * at least `loadStartedAt - margin`, written by the load itself, or newer than the listing because an
 * event or a later pass wrote it meanwhile. A customer the mirror learned of after the listing began is
 * kept too (the listing may have missed it). The tombstone keeps the version the mirror had, so a later
 * version can still bring the customer back: an update from before the deletion whose event is still on
 * its way (until the delete's own event ends it again), or a change to a profile that list leaves out
 * (one without name, company, email and phone), which is not deleted at all.
 */
export function loadDeletionCutoff(
  loadStartedAt: number,
  marginMs = MIRROR_SAFETY_MARGIN_MS,
): { readonly before: number; readonly at: number } {
  return { before: loadStartedAt - marginMs, at: loadStartedAt };
}

/** Whether a stored state is one a full load's end turns into a tombstone (`loadDeletionCutoff`). */
export function goneAfterLoad(mark: MirrorMark, cutoff: { readonly before: number }): boolean {
  return !mark.deleted && mark.at < cutoff.before;
}

// ---- the reconcile pass ------------------------------------------------------------------------------------

/** Where a reconcile pass starts: the last one's start (or the load's), less the safety margin (RFC 3339). */
export function reconcileSince(checkpoint: MirrorCheckpoint, marginMs = MIRROR_SAFETY_MARGIN_MS): string {
  return new Date(checkpoint.reconciledAt - marginMs).toISOString();
}

/**
 * The search of a reconcile pass: every customer updated since `since`, at `cursor` (undefined: the first
 * page). It finds creations and updates that events missed; a missed delete is found only by a full load
 * (search does not return deleted customers), and Square retries deliveries long enough that one is
 * rarely missed.
 */
export function reconcileQuery(since: string, cursor?: string): SearchCustomersRequest {
  const body: SearchCustomersRequest = {
    limit: MIRROR_PAGE_SIZE,
    query: { filter: { updated_at: { start_at: since } } },
  };
  return cursor === undefined ? body : { ...body, cursor };
}

/** Event ids handled before this moment can be forgotten: Square no longer retries them. */
export function eventsForgettableBefore(now: number, marginMs = MIRROR_SAFETY_MARGIN_MS): number {
  return now - WEBHOOK_RETRY_WINDOW_MS - marginMs;
}

/** What a mirror does when it starts, for one merchant. */
export type SyncPlan =
  | { readonly kind: "full-load"; readonly reason: string }
  | { readonly kind: "reconcile"; readonly checkpoint: MirrorCheckpoint };

/**
 * What a mirror does when it starts: a full load when it has never finished one, when asked to, or when
 * its last reconcile is older than Square's retry window (deletes from before then can no longer arrive);
 * otherwise a reconcile pass from its checkpoint.
 */
export function planSync(
  checkpoint: MirrorCheckpoint | undefined,
  now: number,
  options: { readonly full?: boolean | undefined } = {},
): SyncPlan {
  if (checkpoint === undefined) return { kind: "full-load", reason: "no checkpoint" };
  if (options.full) return { kind: "full-load", reason: "asked for" };
  if (now - checkpoint.reconciledAt > WEBHOOK_RETRY_WINDOW_MS) {
    return { kind: "full-load", reason: "the checkpoint is older than Square's 72-hour retry window" };
  }
  return { kind: "reconcile", checkpoint };
}
