// The admin API's endpoints, all under ADMIN_PREFIX: what the dashboard reads (merchants and their data,
// the request log, webhook deliveries, the clock, snapshots) and changes (fault rules, the clock), and
// the answers it gets, which the dashboard's script reads by these types. See the README's "Dashboard and
// admin API" for the endpoints.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type OperationName, operations } from "@square-customers/core";
import { errorDetail } from "../api/errors.js";
import { FAULT_KINDS, type FaultInjector, type FaultKind, type FaultRule } from "../api/faults.js";
import { envelope, parseJsonObject, type Reply, readBody } from "../api/http.js";
import type { LoggedRequest, RequestLog } from "../api/request-log.js";
import type { EmulatorClock } from "../clock.js";
import type { SnapshotOptions } from "../data/snapshot.js";
import type { Store } from "../data/store.js";
import type { DeliveryView } from "../webhooks/delivery-log.js";
import type { QueueStats, WebhookDispatcher } from "../webhooks/dispatcher.js";
import { WEBHOOK_FAULT_KINDS, type WebhookFaultKind, type WebhookFaultRule } from "../webhooks/faults.js";
import {
  customerPageView,
  customerView,
  MAX_ADMIN_PAGE,
  merchantExists,
  merchantViews,
  objectViews,
} from "./views.js";

/** Every admin endpoint lives under this path (the dashboard page itself is `GET /`). */
export const ADMIN_PREFIX = "/_emulator";

/** What the emulator tells the dashboard about itself (`GET /_emulator/info`). */
export interface EmulatorInfo {
  readonly storage: "memory" | "file";
  readonly seed: number;
  /** Whether only listed tokens are accepted. */
  readonly tokensRestricted: boolean;
  /** Allowed origins besides the local ones (`*`: any), or false when CORS is off. */
  readonly cors: false | readonly string[];
  /**
   * Features the dashboard can show: webhook deliveries (`GET /_emulator/webhooks/deliveries`),
   * snapshots (`GET /_emulator/snapshot`).
   */
  readonly features: { readonly webhookDeliveries: boolean; readonly snapshots: boolean };
  /** How the emulator keeps time (`GET /_emulator/clock`). */
  readonly clock: "system" | "manual";
}

/** What the admin API reads and changes. */
export interface AdminEnv {
  readonly store: Store;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly webhooks: WebhookDispatcher;
  readonly info: EmulatorInfo;
  readonly clock: EmulatorClock;
  /** A snapshot's text, in pieces. */
  readonly snapshot: (options?: SnapshotOptions) => Iterable<string>;
  /** Open live-log streams, ended when the emulator closes. */
  readonly streams: Set<ServerResponse>;
}

export interface AdminRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path parameters, in order. */
  readonly args: string[];
  readonly query: URLSearchParams;
}

/** An admin endpoint: a JSON reply, or "streaming" when it took over the response itself. */
export type AdminHandler = (env: AdminEnv, request: AdminRequest) => Reply | "streaming" | Promise<Reply>;

export interface AdminRoute {
  readonly method: "GET" | "PUT" | "POST";
  /** Path segments after the prefix; `*` matches one segment, passed to the handler in order. */
  readonly segments: readonly string[];
  readonly handler: AdminHandler;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

export function notFound(detail: string): Reply {
  return envelope(404, [errorDetail("INVALID_REQUEST_ERROR", "NOT_FOUND", detail)]);
}

export function methodNotAllowed(req: IncomingMessage, allow: string[]): Reply {
  return envelope(
    405,
    [errorDetail("INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED", `${req.method} is not supported here.`)],
    { allow: allow.join(", ") },
  );
}

function badRequest(detail: string): Reply {
  return envelope(400, [errorDetail("INVALID_REQUEST_ERROR", "BAD_REQUEST", detail)]);
}

function customers(env: AdminEnv, { args: [merchant], query }: AdminRequest): Reply {
  if (!merchantExists(env.store, merchant!)) return notFound(`No merchant ${merchant}.`);
  const limit = Number(query.get("limit") ?? "25");
  const cursor = query.get("cursor");
  const before = cursor === null ? undefined : Number(cursor);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_ADMIN_PAGE) {
    return badRequest(`limit must be from 1 to ${MAX_ADMIN_PAGE}.`);
  }
  if (before !== undefined && !Number.isSafeInteger(before)) return badRequest("cursor is not valid.");
  return ok(customerPageView(env.store, merchant!, query.get("q") ?? "", before, limit));
}

function customer(env: AdminEnv, { args: [merchant, id] }: AdminRequest): Reply {
  const view = customerView(env.store, merchant!, id!);
  return view === undefined ? notFound(`No customer ${id} for merchant ${merchant}.`) : ok(view);
}

function objects(kind: "group" | "segment" | "definition"): AdminHandler {
  return (env, { args: [merchant] }) =>
    merchantExists(env.store, merchant!)
      ? ok(objectViews(env.store, merchant!, kind))
      : notFound(`No merchant ${merchant}.`);
}

/** `GET /_emulator/faults`: the rules in force, and what rules can name. */
export interface FaultSettings {
  readonly rules: FaultRule[];
  readonly kinds: readonly FaultKind[];
  readonly operations: OperationName[];
}

function faultSettings(env: AdminEnv): Reply {
  const settings: FaultSettings = {
    rules: env.faults.rules(),
    kinds: FAULT_KINDS,
    operations: Object.keys(operations) as OperationName[],
  };
  return ok(settings);
}

/** Replaces the fault rules (validated; counters start afresh), like `emulator.faults.set`. */
async function setFaults(env: AdminEnv, { req }: AdminRequest): Promise<Reply> {
  return (await replaceRules(req, (rules) => env.faults.set(rules))) ?? faultSettings(env);
}

/** `GET /_emulator/webhooks/deliveries`: the deliveries changed after revision `after`, and the queue. */
export interface DeliveriesView {
  readonly deliveries: DeliveryView[];
  /** The latest revision: ask for `after` it next time. */
  readonly rev: number;
  readonly queue: QueueStats;
}

function deliveries(env: AdminEnv, { query }: AdminRequest): Reply {
  const after = Number(query.get("after") ?? "0");
  const view: DeliveriesView = {
    deliveries: env.webhooks.log.since(Number.isFinite(after) ? after : 0),
    rev: env.webhooks.log.revision(),
    queue: env.webhooks.stats(),
  };
  return ok(view);
}

/** `GET /_emulator/webhooks/faults`: the webhook fault rules in force, and the kinds there are. */
export interface WebhookFaultSettings {
  readonly rules: WebhookFaultRule[];
  readonly kinds: readonly WebhookFaultKind[];
}

function webhookFaultSettings(env: AdminEnv): Reply {
  const settings: WebhookFaultSettings = { rules: env.webhooks.faults.rules(), kinds: WEBHOOK_FAULT_KINDS };
  return ok(settings);
}

/** Reads `{ "rules": [...] }` from an admin request and hands the rules to `set` (which validates). */
async function replaceRules(req: IncomingMessage, set: (rules: never[]) => void): Promise<Reply | undefined> {
  const parsed = parseJsonObject((await readBody(req)).toString("utf8"));
  if ("reply" in parsed) return parsed.reply;
  const rules = (parsed.value as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return badRequest('Send { "rules": [...] }.');
  try {
    set(rules as never[]);
  } catch (error) {
    return badRequest((error as Error).message);
  }
  return undefined;
}

async function setWebhookFaults(env: AdminEnv, { req }: AdminRequest): Promise<Reply> {
  return (await replaceRules(req, (rules) => env.webhooks.faults.set(rules))) ?? webhookFaultSettings(env);
}

function requests(env: AdminEnv, { query }: AdminRequest): Reply {
  const after = Number(query.get("after") ?? "0");
  return ok({ requests: env.log.since(Number.isFinite(after) ? after : 0) });
}

/**
 * The request log as Server-Sent Events: the kept entries after `Last-Event-ID` (or `?after=`), then
 * each new one as it is logged. EventSource reconnects with Last-Event-ID, so nothing is missed.
 */
function requestStream(env: AdminEnv, { req, res, query }: AdminRequest): "streaming" {
  const after = Number(req.headers["last-event-id"] ?? query.get("after") ?? "0");
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" });
  const send = (entry: LoggedRequest) =>
    res.write(`id: ${entry.seq}\nevent: request\ndata: ${JSON.stringify(entry)}\n\n`);
  for (const entry of env.log.since(Number.isFinite(after) ? after : 0)) send(entry);
  const stop = env.log.subscribe(send);
  env.streams.add(res);
  res.on("close", () => {
    stop();
    env.streams.delete(res);
  });
  return "streaming";
}

/** `GET /_emulator/clock` and the answer to advancing it: the clock's mode and time. */
export interface ClockView {
  readonly mode: "system" | "manual";
  readonly now: string;
}

function clockView(env: AdminEnv): Reply {
  const view: ClockView = { mode: env.clock.mode, now: env.clock.now().toISOString() };
  return ok(view);
}

/**
 * `POST /_emulator/clock/advance` with `{ "by": "2h" }` (or milliseconds): moves a manual clock, as
 * `emulator.clock.advance` does, answering once the deliveries due in the span have been made.
 */
async function advanceClock(env: AdminEnv, { req }: AdminRequest): Promise<Reply> {
  const parsed = parseJsonObject((await readBody(req)).toString("utf8"));
  if ("reply" in parsed) return parsed.reply;
  const by = (parsed.value as { by?: unknown }).by;
  if (typeof by !== "string" && typeof by !== "number") {
    return badRequest('Send { "by": "2h" } (or a number of milliseconds).');
  }
  try {
    await env.clock.advance(by);
  } catch (error) {
    return env.clock.mode === "manual"
      ? badRequest((error as Error).message)
      : conflict((error as Error).message);
  }
  return clockView(env);
}

function conflict(detail: string): Reply {
  return envelope(409, [errorDetail("INVALID_REQUEST_ERROR", "CONFLICT", detail)]);
}

/**
 * `GET /_emulator/snapshot[?merchant=ID]`: a snapshot of every merchant (or one) as a JSON file to save.
 * Signature keys are always left out here: the dashboard shows no secrets.
 */
function snapshotDownload(env: AdminEnv, { res, query }: AdminRequest): Reply | "streaming" {
  const merchant = query.get("merchant") ?? undefined;
  if (merchant !== undefined && !merchantExists(env.store, merchant))
    return notFound(`No merchant ${merchant}.`);
  const name = `emulator-snapshot${merchant === undefined ? "" : `-${merchant}`}.json`;
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-disposition": `attachment; filename="${name}"`,
    "cache-control": "no-store",
  });
  for (const piece of env.snapshot(merchant === undefined ? {} : { merchant })) res.write(piece);
  res.end();
  return "streaming";
}

/** Every admin endpoint: its method, its path after ADMIN_PREFIX, and its handler. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: "GET", segments: ["info"], handler: (env) => ok(env.info) },
  { method: "GET", segments: ["merchants"], handler: (env) => ok({ merchants: merchantViews(env.store) }) },
  { method: "GET", segments: ["merchants", "*", "customers"], handler: customers },
  { method: "GET", segments: ["merchants", "*", "customers", "*"], handler: customer },
  { method: "GET", segments: ["merchants", "*", "groups"], handler: objects("group") },
  { method: "GET", segments: ["merchants", "*", "segments"], handler: objects("segment") },
  {
    method: "GET",
    segments: ["merchants", "*", "custom-attribute-definitions"],
    handler: objects("definition"),
  },
  { method: "GET", segments: ["requests"], handler: requests },
  { method: "GET", segments: ["requests", "stream"], handler: requestStream },
  { method: "GET", segments: ["faults"], handler: faultSettings },
  { method: "PUT", segments: ["faults"], handler: setFaults },
  { method: "GET", segments: ["webhooks", "deliveries"], handler: deliveries },
  { method: "GET", segments: ["webhooks", "faults"], handler: webhookFaultSettings },
  { method: "PUT", segments: ["webhooks", "faults"], handler: setWebhookFaults },
  { method: "GET", segments: ["clock"], handler: clockView },
  { method: "POST", segments: ["clock", "advance"], handler: advanceClock },
  { method: "GET", segments: ["snapshot"], handler: snapshotDownload },
];
