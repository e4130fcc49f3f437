// The emulator's server: wires the pieces together and owns the lifecycle (listen, reset, close).
// Each request goes one of three ways: the dashboard and admin API (admin/api.ts), a CORS preflight
// (cors.ts), or Square's API (pipeline.ts: route → validate → handler, with faults on both sides),
// whose Outcome is written here (http.ts) and logged. Handlers and SQLite are synchronous, so each
// request's store work runs to completion without interleaving with another's. Webhook deliveries
// (webhooks/dispatcher.ts) go out in the background, fed by the pipeline after each commit.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type OperationName, operations, REQUEST_ID_HEADER } from "@square-customers/core";
import { type AdminEnv, handleAdmin, isAdminPath } from "./admin/api.js";
import { bearerToken, grantList, merchantIdOf, type Scope, type TokenGrant } from "./api/auth.js";
import { type CorsOption, corsHeaders, corsPolicy, isPreflight, preflightReply } from "./api/cors.js";
import { damageAfterHandler } from "./api/fault-effects.js";
import { FaultInjector, type FaultRule } from "./api/faults.js";
import {
  answerNonHttp,
  BodyTooLarge,
  headerText,
  internalError,
  readBody,
  splitTarget,
  tooLargeReply,
  writeReply,
} from "./api/http.js";
import { answeredSquareVersion, type Outcome, type PipelineEnv, runPipeline } from "./api/pipeline.js";
import {
  type JournaledRequest,
  type RequestFilter,
  RequestLog,
  type RequestLogEntry,
} from "./api/request-log.js";
import {
  type Clock,
  type ClockOption,
  createClock,
  type EmulatorClock,
  emulatorClock,
  ManualClock,
} from "./clock.js";
import { readSeedFile } from "./data/seed-file.js";
import {
  type Snapshot,
  type SnapshotClock,
  type SnapshotOptions,
  snapshotText,
  writeSnapshotFile,
} from "./data/snapshot.js";
import { loadSnapshot, readSnapshot } from "./data/snapshot-load.js";
import { Store } from "./data/store.js";
import type { DeliveryView } from "./webhooks/delivery-log.js";
import { type StartupSubscription, WebhookDispatcher, webhookSettings } from "./webhooks/dispatcher.js";
import type { WebhookFaultRule } from "./webhooks/faults.js";

export type { CorsOption } from "./api/cors.js";
export type { JournaledRequest, RequestFilter, RequestLogEntry } from "./api/request-log.js";
export type { EmulatorClock } from "./clock.js";
export type { Scope, TokenGrant };

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

const CLOSE_GRACE_MS = 2_000;

/** A snapshot given to `startEmulator`, read (from its file) and checked. */
async function startingSnapshot(option: Snapshot | string | undefined): Promise<Snapshot | undefined> {
  if (option === undefined) return undefined;
  if (typeof option !== "string") return readSnapshot(option);
  return readSnapshot(await readFile(option, "utf8"), option);
}

/** The clock as a snapshot records it. */
function snapshotClock(clock: Clock): SnapshotClock {
  return clock.mode === "manual"
    ? { mode: "manual", now: new Date(clock.now()).toISOString() }
    : { mode: "system" };
}

/** `emulator.requests`: the journal as a function, carrying the per-operation counts the pipeline keeps. */
function requestsView(log: RequestLog): EmulatorRequests {
  const counts = Object.fromEntries(Object.keys(operations).map((n) => [n, 0])) as Record<
    OperationName,
    number
  >;
  return Object.assign((filter?: RequestFilter) => log.journal(filter), counts) as EmulatorRequests;
}

/** Everything one running emulator holds. */
interface Running {
  readonly pipeline: PipelineEnv;
  readonly admin: AdminEnv;
  readonly cors: ReturnType<typeof corsPolicy>;
  readonly logger: ((entry: RequestLogEntry) => void) | undefined;
  /** Set by close(): a request that fails now has nobody left to answer. */
  closing: boolean;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError("seed must be a non-negative integer");
  // Options first: a bad rule or origin must fail before the store (maybe a file) is opened.
  const faults = new FaultInjector(options.faults ?? [], seed);
  const cors = corsPolicy(options.cors);
  const snapshot = await startingSnapshot(options.snapshot);
  const seedCustomers = options.seedFile === undefined ? [] : await readSeedFile(options.seedFile);
  const clock = createClock(options.clock, {
    unref: options.unref === true,
    ...(snapshot?.clock.mode === "manual" ? { manualStart: Date.parse(snapshot.clock.now) } : {}),
  });
  const delivery = webhookSettings({
    startup: options.webhooks,
    retryScale: options.webhookRetryScale,
    faults: options.webhookFaults,
    seed,
    clock,
  });
  const saveOnClose =
    typeof options.saveSnapshotOnClose === "string"
      ? { file: options.saveSnapshotOnClose }
      : options.saveSnapshotOnClose;
  const store = new Store(options.db ?? ":memory:", clock);
  try {
    if (snapshot !== undefined) loadSnapshot(store, snapshot);
  } catch (error) {
    store.close();
    throw error;
  }
  const webhooks = new WebhookDispatcher(store, delivery);
  // A manual clock moves on only once the deliveries it set off have been answered.
  if (clock instanceof ManualClock) clock.onSettle(() => webhooks.whenQuiet());
  const clockView = emulatorClock(clock);
  const takeSnapshot = (snapshotOptions?: SnapshotOptions) =>
    snapshotText(store, snapshotClock(clock), snapshotOptions);
  /** Aborted by close(): requests waiting out injected latency give up rather than hold up shutdown. */
  const shutdown = new AbortController();
  const log = new RequestLog(() => clock.now());
  const requests = requestsView(log);
  const running: Running = {
    pipeline: {
      store,
      faults,
      grants: grantList(options.tokens),
      seed: { samples: seed, customers: seedCustomers },
      requests: requests as Record<OperationName, number>,
      shutdown: shutdown.signal,
      webhooks,
    },
    admin: {
      store,
      faults,
      log,
      webhooks,
      clock: clockView,
      snapshot: takeSnapshot,
      streams: new Set(),
      info: {
        storage: options.db === undefined ? "memory" : "file",
        seed,
        tokensRestricted: options.tokens !== undefined,
        cors: cors === undefined ? false : [...(cors.anyOrigin ? ["*"] : []), ...cors.origins],
        features: { webhookDeliveries: true, snapshots: true },
        clock: clock.mode,
      },
    },
    cors,
    logger: options.logger,
    closing: false,
  };
  const inFlight = new Set<Promise<void>>();

  const server: Server = createServer((req, res) => {
    const done = route(running, req, res).catch(() => {
      // Only reachable if writing the answer itself failed; the socket is gone either way.
      req.socket.destroy();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.on("clientError", answerNonHttp);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await webhooks.close();
    store.close();
    throw error;
  });
  if (options.unref === true) server.unref();
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    requests,
    merchantId: (token) => merchantIdOf(store, token),
    clock: clockView,
    snapshot: (snapshotOptions) => readSnapshot([...takeSnapshot(snapshotOptions)].join("")),
    saveSnapshot: (file, snapshotOptions) => writeSnapshotFile(file, takeSnapshot(snapshotOptions)),
    faults: { set: (rules) => faults.set(rules), rules: () => faults.rules() },
    webhooks: {
      faults: { set: (rules) => webhooks.faults.set(rules), rules: () => webhooks.faults.rules() },
      deliveries: () => webhooks.log.since(0),
      pending: () => webhooks.stats().pending,
      whenIdle: () => webhooks.whenIdle(),
    },
    reset() {
      store.reset();
      for (const name of Object.keys(operations) as OperationName[]) {
        (requests as Record<OperationName, number>)[name] = 0;
      }
      faults.rewind();
      log.clear();
      webhooks.reset();
    },
    async close() {
      if (running.closing) return;
      running.closing = true;
      shutdown.abort();
      // Delivery stops first: attempts in flight (a subscription test among them) are abandoned, so
      // no request waits on a receiver, and nothing reads the store once it is closed.
      const webhooksStopped = webhooks.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const stream of running.admin.streams) stream.end();
      server.closeIdleConnections();
      // Requests already being handled finish (their writes are committed before they answer), except
      // those waiting out injected latency, which have not been processed yet and stop at once (the
      // abort above). One stuck on a client that never finishes sending its body is cut off after a
      // grace period.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      server.closeAllConnections();
      await stopped;
      await webhooksStopped;
      try {
        if (saveOnClose !== undefined) await writeSnapshotFile(saveOnClose.file, takeSnapshot(saveOnClose));
      } finally {
        store.close();
      }
    },
  };
}

/** Sends a request its way: dashboard / admin API, CORS preflight, or Square's API. */
async function route(running: Running, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path, query } = splitTarget(req.url);
  if (isAdminPath(path)) {
    await handleAdmin(running.admin, req, res, path, query).catch((error: unknown) => {
      if (req.destroyed || running.closing || res.headersSent) throw error;
      writeReply(res, internalError(), {});
    });
    return;
  }
  await answerApi(running, req, res, path, query);
}

/** One API request: read it, run the pipeline (or answer a preflight), write and log the outcome. */
async function answerApi(
  running: Running,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const squareVersion = headerText(req, "square-version");
  const authorization = headerText(req, "authorization");
  let body: Buffer = Buffer.alloc(0);
  const headers: Record<string, string> = {
    "square-version": answeredSquareVersion(squareVersion),
    [REQUEST_ID_HEADER]: requestId,
    ...corsHeaders(running.cors, headerText(req, "origin")),
  };
  let outcome: Outcome;
  try {
    body = await readBody(req);
    outcome =
      running.cors !== undefined && isPreflight(req)
        ? { reply: preflightReply(running.cors, req) }
        : await runPipeline(running.pipeline, {
            method: req.method ?? "GET",
            path,
            query,
            body,
            authorization,
            squareVersion,
            contentType: headerText(req, "content-type"),
            accept: headerText(req, "accept"),
          });
  } catch (error) {
    if (error instanceof BodyTooLarge) outcome = { reply: tooLargeReply(error, req, res) };
    else if (req.destroyed || running.closing)
      return; // the client went away (or we are shutting down)
    else outcome = { reply: internalError(), failure: error };
  }
  writeReply(res, outcome.reply, headers, damageAfterHandler(outcome.fault));
  const entry: RequestLogEntry = {
    method: req.method ?? "",
    path,
    operation: outcome.operation,
    status: outcome.reply.status,
    durationMs: performance.now() - started,
    requestId,
    fault: outcome.fault?.kind,
    ...(outcome.latencyMs ? { latencyMs: outcome.latencyMs } : {}),
    ...(outcome.merchant === undefined ? {} : { merchant: outcome.merchant }),
    ...(outcome.failure === undefined ? {} : { error: outcome.failure }),
  };
  running.admin.log.add(entry, { query, headers: req.headers, body, token: bearerToken(authorization) });
  running.logger?.(entry);
  // close() waits for this: the answer reaches the socket before close() may cut the connection.
  if (!res.closed) await new Promise((resolve) => res.once("close", resolve));
}
