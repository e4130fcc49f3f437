// The request pipeline of the API: Square-Version → route → content negotiation (JSON both ways) → fault
// decision (latency, answers instead of the handler) → auth → merchant → input (JSON body or query, and
// nothing the operation does not take) → core's validation (unknown fields and parameters included) →
// the operation's handler, in a transaction for writes, whose changes are then published as webhook
// events. It returns an Outcome (the reply and what happened on the way: operation, fault, merchant) for
// the server to write and log; nothing here touches the socket.

import { setTimeout as sleep } from "node:timers/promises";
import {
  issueToErrorDetail,
  type OperationDefinition,
  type OperationName,
  operation,
  SQUARE_VERSION,
  type ValidationIssue,
  validateRequest,
} from "@square-customers/core";
import { parseQuery, splitEntryIssues } from "@square-customers/core/tooling";
import type { MerchantSeed } from "../data/seed.js";
import type { Store } from "../data/store.js";
import { BODY_NOT_TAKEN, EMPTY_BODY_IS_EMPTY_OBJECT, SQUARE_VERSION_PATTERN } from "../square-choices.js";
import { Changes } from "../webhooks/changes.js";
import type { WebhookDispatcher } from "../webhooks/dispatcher.js";
import { authorize, type Grant, merchantOf } from "./auth.js";
import { ApiError, errorDetail } from "./errors.js";
import { replyInsteadOfHandler } from "./fault-effects.js";
import type { FaultInjector, FaultRule } from "./faults.js";
import type { Context } from "./handlers/context.js";
import { handlers } from "./handlers/index.js";
import { envelope, internalError, invalid, parseJsonObject, type Reply } from "./http.js";
import { negotiationReply } from "./negotiation.js";
import { route } from "./routing.js";

/** What the pipeline works with: one per emulator. */
export interface PipelineEnv {
  readonly store: Store;
  readonly faults: FaultInjector;
  /** Accepted tokens; undefined = any token. */
  readonly grants: readonly Grant[] | undefined;
  /** What each new merchant starts with. */
  readonly seed: MerchantSeed;
  /** Requests received per operation (counted as soon as the request is routed). */
  readonly requests: Record<OperationName, number>;
  /** Aborted when the emulator closes: a request waiting out injected latency gives up (and throws). */
  readonly shutdown: AbortSignal;
  /** Where committed changes go as webhook events. */
  readonly webhooks: WebhookDispatcher;
}

/** An API request as read from the socket. */
export interface ApiRequest {
  readonly method: string;
  /** Raw (undecoded) path and query string. */
  readonly path: string;
  readonly query: string;
  readonly body: Buffer;
  readonly authorization: string | undefined;
  readonly squareVersion: string | undefined;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
}

/** The reply, and what happened on the way to it. */
export interface Outcome {
  readonly reply: Reply;
  /** The operation the request was routed to. */
  readonly operation?: OperationName;
  /** The fault that fired for it (its effect after the handler is still to be applied). */
  readonly fault?: FaultRule;
  /** Injected latency waited out before handling it. */
  readonly latencyMs?: number;
  /** The merchant the token belongs to. */
  readonly merchant?: string;
  /** Set only when the emulator itself failed (a bug): the error it hit. */
  readonly failure?: unknown;
}

function squareVersionOk(requested: string | undefined): boolean {
  return requested === undefined || SQUARE_VERSION_PATTERN.test(requested);
}

/** The Square-Version an answer carries: the request's when well-formed, else core's own. */
export function answeredSquareVersion(requested: string | undefined): string {
  return requested !== undefined && squareVersionOk(requested) ? requested : SQUARE_VERSION;
}

/**
 * Runs one API request to its reply. Rejects only when the emulator is closing while the request waits
 * out injected latency (nobody is left to answer).
 */
export async function runPipeline(env: PipelineEnv, request: ApiRequest): Promise<Outcome> {
  if (!squareVersionOk(request.squareVersion)) {
    return {
      reply: invalid(
        "INVALID_SQUARE_VERSION_FORMAT",
        "Square-Version must look like YYYY-MM-DD.",
        "Square-Version",
      ),
    };
  }
  const matched = route(request.method, request.path);
  if (matched.kind === "not_found") {
    return {
      reply: envelope(404, [
        errorDetail("INVALID_REQUEST_ERROR", "NOT_FOUND", `No API at ${request.method} ${request.path}.`),
      ]),
    };
  }
  if (matched.kind === "method_not_allowed") {
    return {
      reply: envelope(
        405,
        [
          errorDetail(
            "INVALID_REQUEST_ERROR",
            "METHOD_NOT_ALLOWED",
            `${request.method} is not supported here.`,
          ),
        ],
        { allow: matched.allow.join(", ") },
      ),
    };
  }
  const { name, pathArgs } = matched;
  env.requests[name] += 1;
  const refused = negotiationReply(operation(name), request, request.body);
  if (refused !== undefined) return { reply: refused, operation: name };

  // Decided once, up front; the outcome carries it to the writer, which applies its after-handler part.
  const { fault, latencyMs } = env.faults.decide(name);
  const fired = { operation: name, ...(fault ? { fault } : {}), ...(latencyMs > 0 ? { latencyMs } : {}) };
  if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: env.shutdown });
  const instead = replyInsteadOfHandler(fault);
  if (instead !== undefined) return { reply: instead, ...fired };
  return { ...(await answerOperation(env, request, name, pathArgs)), ...fired };
}

/** Auth, input, validation and the handler: the reply, or a Square error as its envelope. */
async function answerOperation(
  env: PipelineEnv,
  request: ApiRequest,
  name: OperationName,
  pathArgs: string[],
): Promise<{ reply: Reply; merchant?: string; failure?: unknown }> {
  const op = operation(name);
  const grant = authorize(env.grants, request.authorization, op);
  if (!("token" in grant)) return { reply: grant };
  let merchant: string | undefined;
  try {
    merchant = merchantOf(env.store, grant.token, env.seed);
    const input = readInput(name, op, pathArgs, request);
    if ("reply" in input) return { reply: input.reply, merchant };
    const { whole, perEntry } = splitEntryIssues(name, input.value, input.issues);
    if (whole.length > 0) return { reply: envelope(400, whole.map(issueToErrorDetail)), merchant };

    const changes = new Changes();
    const ctx = {
      store: env.store,
      merchant,
      path: pathArgs,
      input: input.value,
      itemIssues: perEntry,
      changes,
      webhooks: env.webhooks,
    };
    const handler = handlers[name] as (c: Context<typeof name>) => unknown;
    const run = () => handler(ctx as unknown as Context<typeof name>);
    const result = await runHandler(env, merchant, isWrite(op), changes, run);
    return { reply: { status: 200, body: result }, merchant };
  } catch (error) {
    const known = merchant === undefined ? {} : { merchant };
    if (error instanceof ApiError) return { reply: envelope(error.status, error.errors), ...known };
    return { reply: internalError(), failure: error, ...known };
  }
}

/** Whether an operation may change data (and so runs in a transaction). */
function isWrite(op: OperationDefinition): boolean {
  return op.method !== "GET" && op.scope !== "CUSTOMERS_READ";
}

/**
 * Runs a handler: a write in one transaction, committed (and, with a file, synced) before the answer is
 * sent. The changes it wrote down are published as webhook events right after the commit, so in commit
 * order; a handler that throws rolls its transaction back and publishes nothing.
 */
export function runHandler<T>(
  env: Pick<PipelineEnv, "store" | "webhooks">,
  merchant: string,
  write: boolean,
  changes: Changes,
  run: () => T,
): T {
  const result = write ? env.store.transaction(run) : run();
  env.webhooks.publish(merchant, changes.list);
  return result;
}

/**
 * The operation's input (JSON body, or query parameters) and core's validation issues for it. What the
 * operation does not take is refused: a query parameter it does not define (operations with a body take
 * none), or a body sent to one without.
 */
function readInput(
  name: OperationName,
  op: OperationDefinition,
  pathArgs: string[],
  request: ApiRequest,
): { value: unknown; issues: ValidationIssue[] } | { reply: Reply } {
  const parsed = parseQuery(name, new URLSearchParams(request.query));
  if (op.body === null) {
    if (request.body.length > 0) {
      const detail = `${op.method} ${op.path} takes no request body.`;
      return {
        reply: envelope(BODY_NOT_TAKEN.status, [
          errorDetail("INVALID_REQUEST_ERROR", BODY_NOT_TAKEN.code, detail),
        ]),
      };
    }
    return {
      value: parsed.query,
      issues: [...parsed.issues, ...validateRequest(name, pathArgs, parsed.query)],
    };
  }
  const text = request.body.toString("utf8");
  if (text.trim() === "" && EMPTY_BODY_IS_EMPTY_OBJECT)
    return { value: {}, issues: [...parsed.issues, ...validateRequest(name, pathArgs, {})] };
  const json = parseJsonObject(text);
  if ("reply" in json) return json;
  return { value: json.value, issues: [...parsed.issues, ...validateRequest(name, pathArgs, json.value)] };
}
