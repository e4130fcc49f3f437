// The shapes the mirror's rules, steps and stores share.
import type { Customer } from "../generated/models.js";

/** A value, or a promise of it: a store may be synchronous (node:sqlite) or not. */
export type MaybePromise<T> = T | Promise<T>;

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

/** Where one merchant's mirror stands between runs (ms since the epoch). */
export interface MirrorCheckpoint {
  /** When the last complete full load started. */
  readonly loadedAt: number;
  /**
   * When the last full load or reconcile pass started: every change committed before this, less the
   * safety margin, has been read.
   */
  readonly reconciledAt: number;
}

/** A state to write: a customer as it is now, or a tombstone (with the customer as it was, when known). */
export type MirrorWrite =
  | {
      readonly kind: "upsert";
      readonly id: string;
      readonly customer: MirroredCustomer;
      readonly mark: MirrorMark;
    }
  | {
      readonly kind: "delete";
      readonly id: string;
      /** The customer as it was when deleted (a delete event carries it). */
      readonly customer: MirroredCustomer;
      readonly mark: MirrorMark;
    };

/** What one event, or one customer read by a list or search, asks of the mirror. */
export type MirrorChange =
  | MirrorWrite
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
      readonly merchantId: string;
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
      readonly merchantId: string;
      readonly stage: "searching" | "done";
      /** The search's `updated_at` lower bound (RFC 3339). */
      readonly since: string;
      readonly read: number;
      readonly written: number;
    }
  | {
      readonly kind: "event";
      /** The event's `merchant_id` (undefined when it names none). */
      readonly merchantId: string | undefined;
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

/** What a full load did. */
export interface LoadSummary {
  readonly listed: number;
  readonly written: number;
  readonly deleted: number;
}

/** What a reconcile pass did. */
export interface ReconcileSummary {
  readonly since: string;
  readonly read: number;
  readonly written: number;
}

/** What `sync` did. */
export type SyncResult =
  | { readonly kind: "full-load"; readonly summary: LoadSummary }
  | { readonly kind: "reconcile"; readonly summary: ReconcileSummary };
