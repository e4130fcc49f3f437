// The emulator's server: wires the pieces together and owns the lifecycle (listen, reset, close).
// Each request goes one of two ways: the dashboard and admin API (admin/api.ts), or Square's API
// (api/answer.ts: a CORS preflight, or the pipeline — route → validate → handler, with faults on both
// sides — whose outcome is written and logged). Handlers and SQLite are synchronous, so each request's
// store work runs to completion without interleaving with another's. Webhook deliveries
// (webhooks/dispatcher.ts) go out in the background, fed by the pipeline after each commit.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type OperationName, operations } from "@square-customers/core";
import { handleAdmin, isAdminPath } from "./admin/api.js";
import type { AdminEnv } from "./admin/endpoints.js";
import { type ApiServer, answerApi } from "./api/answer.js";
import { grantList, merchantIdOf } from "./api/auth.js";
import { corsPolicy } from "./api/cors.js";
import { FaultInjector } from "./api/faults.js";
import { answerNonHttp, internalError, splitTarget, writeReply } from "./api/http.js";
import { type RequestFilter, RequestLog } from "./api/request-log.js";
import { type Clock, createClock, emulatorClock, ManualClock } from "./clock.js";
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
import type { Emulator, EmulatorOptions, EmulatorRequests } from "./emulator.js";
import { WebhookDispatcher } from "./webhooks/dispatcher.js";
import { webhookSettings } from "./webhooks/settings.js";

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
interface Running extends ApiServer {
  readonly admin: AdminEnv;
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
    log,
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
