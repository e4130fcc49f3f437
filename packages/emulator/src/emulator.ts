// What `startEmulator` takes (EmulatorOptions) and gives (Emulator): the package's main surface, started
// and wired by server.ts.
import type { OperationName } from "@square-customers/core";
import type { TokenGrant } from "./api/auth.js";
import type { CorsOption } from "./api/cors.js";
import type { FaultRule } from "./api/faults.js";
import type { JournaledRequest, RequestFilter, RequestLogEntry } from "./api/request-log.js";
import type { ClockOption, EmulatorClock } from "./clock.js";
import type { Snapshot, SnapshotOptions } from "./data/snapshot.js";
import type { DeliveryView } from "./webhooks/delivery-log.js";
import type { WebhookFaultRule } from "./webhooks/faults.js";
import type { StartupSubscription } from "./webhooks/settings.js";

export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** SQLite file to keep data in across restarts; in memory when absent. */
  readonly db?: string;
  /** Sample customers each new merchant starts with (default 0); also seeds fault `rate` randomness. */
  readonly seed?: number;
  /**
   * A file of customers every new merchant starts with (after the samples): CSV or JSON as
   * `customers export` writes them. A bad row stops the start with an error naming file and line.
   */
  readonly seedFile?: string;
  /** Fault-injection rules (off by default). */
  readonly faults?: readonly FaultRule[];
  /** Accept only these tokens (any token is accepted, as its own merchant, when absent). */
  readonly tokens?: readonly TokenGrant[];
  /**
   * CORS for browser pages on other origins: local origins (localhost, 127.0.0.1, [::1], any port) are
   * allowed by default; a list adds origins (`"*"`: any origin); `false` turns CORS off.
   */
  readonly cors?: CorsOption;
  /** Called once per answered API request (not for the dashboard or the admin API). */
  readonly logger?: (entry: RequestLogEntry) => void;
  /**
   * A URL that receives every merchant's webhook events, signed with `signatureKey`, as if each merchant
   * had subscribed it (to `eventTypes`, default all): no subscription per merchant needed.
   */
  readonly webhooks?: StartupSubscription;
  /**
   * Shrinks webhook timing for tests: the retry schedule (1 minute … 72 hours) and the 10 s answer
   * timeout (never below 1 s) are multiplied by it. 0 < scale ≤ 1; default 1.
   */
  readonly webhookRetryScale?: number;
  /** Webhook delivery faults (off by default); see `emulator.webhooks.faults`. */
  readonly webhookFaults?: readonly WebhookFaultRule[];
  /**
   * How the emulator keeps time: `"system"` (default), or `"manual"`: it stands still until
   * `emulator.clock.advance(…)`, starting now, at a loaded snapshot's time, or at `start`.
   */
  readonly clock?: ClockOption;
  /**
   * State to start from: a snapshot (as `emulator.snapshot()` returns it) or the path of a snapshot
   * file. It replaces whatever `db` holds.
   */
  readonly snapshot?: Snapshot | string;
  /** Writes a snapshot of every merchant to this file when `close()` is called, before the store closes. */
  readonly saveSnapshotOnClose?: string | ({ readonly file: string } & Pick<SnapshotOptions, "secrets">);
  /**
   * Lets the process exit while the emulator runs (its server and timers do not keep Node alive), as a
   * test runner needs of an emulator shared by its tests. Default false.
   */
  readonly unref?: boolean;
}

/**
 * `emulator.requests`: called, the request journal (what was sent, oldest first); read as a record, the
 * number of requests received per operation (faulted ones included), e.g. `requests.createCustomer`.
 */
export type EmulatorRequests = ((filter?: RequestFilter) => JournaledRequest[]) &
  Readonly<Record<OperationName, number>>;

/** Webhook delivery at run time. */
export interface EmulatorWebhooks {
  /** Webhook delivery faults: duplicate, reorder, delay, fail_first. */
  readonly faults: { set(rules: readonly WebhookFaultRule[]): void; rules(): WebhookFaultRule[] };
  /** The last 500 deliveries (oldest first), as `GET /_emulator/webhooks/deliveries` lists them. */
  deliveries(): DeliveryView[];
  /** Deliveries not finished yet (queued, held, delayed, in flight or waiting for a retry). */
  pending(): number;
  /** Resolves once no delivery is pending. */
  whenIdle(): Promise<void>;
}

export interface Emulator {
  /**
   * Base URL, e.g. `http://127.0.0.1:54321`: use it as the client's base URL / environment. The
   * dashboard is at this URL's root.
   */
  readonly url: string;
  /**
   * Stops accepting connections, lets requests in progress finish, and closes the store. Requests held
   * by an injected `latency` fault have not been processed yet: they are dropped without an answer.
   */
  close(): Promise<void>;
  /** Forgets all data (every merchant), request counts, the request log and fault counters. */
  reset(): void;
  /** Fault injection at run time. */
  readonly faults: { set(rules: readonly FaultRule[]): void; rules(): FaultRule[] };
  /**
   * `requests({ merchant, operation })`: the requests received (the last 10,000 at most), with what they
   * carried: method, path, query, headers (the token redacted) and body. `requests.createCustomer`:
   * how many requests each operation received.
   */
  readonly requests: EmulatorRequests;
  /** The id of a token's merchant (whether or not it has made a request yet). */
  merchantId(token: string): string;
  /** The emulator's time: the system's, or a manual clock that `advance` moves. */
  readonly clock: EmulatorClock;
  /** A snapshot of every merchant's state, or of one (`{ merchant }`). */
  snapshot(options?: SnapshotOptions): Snapshot;
  /** Writes a snapshot to a file (whole or not at all), as `--save-snapshot-on-exit` does. */
  saveSnapshot(file: string, options?: SnapshotOptions): Promise<void>;
  /** Webhook delivery: faults, the delivery log, and waiting for deliveries to finish. */
  readonly webhooks: EmulatorWebhooks;
}
