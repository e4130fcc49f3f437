// One request to Square's API, from the socket to the request log: read it, run the pipeline (or answer a
// CORS preflight), write the outcome (damaged as an injected fault says) and log it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { REQUEST_ID_HEADER } from "@square-customers/core";
import { bearerToken } from "./auth.js";
import { type CorsPolicy, corsHeaders, isPreflight, preflightReply } from "./cors.js";
import { damageAfterHandler } from "./fault-effects.js";
import { BodyTooLarge, headerText, internalError, readBody, tooLargeReply, writeReply } from "./http.js";
import { answeredSquareVersion, type Outcome, type PipelineEnv, runPipeline } from "./pipeline.js";
import type { RequestLog, RequestLogEntry } from "./request-log.js";

/** What answering the API needs of the running emulator. */
export interface ApiServer {
  readonly pipeline: PipelineEnv;
  /** Undefined when CORS is off. */
  readonly cors: CorsPolicy | undefined;
  readonly log: RequestLog;
  readonly logger: ((entry: RequestLogEntry) => void) | undefined;
  /** Set once the emulator is closing: a request that fails now has nobody left to answer. */
  readonly closing: boolean;
}

/** One API request: read it, run the pipeline (or answer a preflight), write and log the outcome. */
export async function answerApi(
  api: ApiServer,
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
    ...corsHeaders(api.cors, headerText(req, "origin")),
  };
  let outcome: Outcome;
  try {
    body = await readBody(req);
    outcome =
      api.cors !== undefined && isPreflight(req)
        ? { reply: preflightReply(api.cors, req) }
        : await runPipeline(api.pipeline, {
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
    else if (req.destroyed || api.closing)
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
  api.log.add(entry, { query, headers: req.headers, body, token: bearerToken(authorization) });
  api.logger?.(entry);
  // close() waits for this: the answer reaches the socket before close() may cut the connection.
  if (!res.closed) await new Promise((resolve) => res.once("close", resolve));
}
