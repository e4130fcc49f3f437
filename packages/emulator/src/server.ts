// The HTTP side: read the request safely, answer transport-level problems (size, version, routing,
// auth) with Square's envelope, validate with core, run the operation's handler against the store, and
// apply injected faults. Handlers are synchronous and SQLite is synchronous, so each request's store
// work runs to completion without interleaving with another's.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  issueToErrorDetail,
  type OperationDefinition,
  type OperationName,
  operations,
  REQUEST_ID_HEADER,
  SQUARE_VERSION,
  type SquareErrorDetail,
  type ValidationIssue,
  validateRequest,
} from "@square-customers/core";
import { parseQuery, splitEntryIssues } from "@square-customers/core/tooling";
import { ApiError, errorDetail } from "./errors.js";
import { type FaultDecision, FaultInjector, type FaultKind, type FaultRule } from "./faults.js";
import type { Context } from "./handlers/context.js";
import { handlers } from "./handlers/index.js";
import { sha256, stableId } from "./ids.js";
import { route } from "./router.js";
import { seedMerchant } from "./seed.js";
import {
  EMPTY_BODY_IS_EMPTY_OBJECT,
  MALFORMED_JSON_CODE,
  MAX_BODY_BYTES,
  MAX_DISCARD_BYTES,
  MAX_JSON_DEPTH,
  SQUARE_VERSION_PATTERN,
} from "./square-choices.js";
import { Store } from "./store.js";

/** An OAuth scope an operation needs (from core's operations table). */
export type Scope = NonNullable<OperationDefinition["scope"]>;

/** An accepted access token, optionally limited to some OAuth scopes (default: all). */
export type TokenGrant = string | { readonly token: string; readonly scopes?: readonly Scope[] };

/** One line of the request log (never holds the token or the body). */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly operation: OperationName | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string;
  readonly fault: FaultKind | undefined;
  /** Set only when the emulator itself failed (a bug): the error it hit. */
  readonly error?: unknown;
}

export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** SQLite file to keep data in across restarts; in memory when absent. */
  readonly db?: string;
  /** Sample customers each new merchant starts with (default 0); also seeds fault `rate` randomness. */
  readonly seed?: number;
  /** Fault-injection rules (off by default). */
  readonly faults?: readonly FaultRule[];
  /** Accept only these tokens (any token is accepted, as its own merchant, when absent). */
  readonly tokens?: readonly TokenGrant[];
  /** Called once per answered request. */
  readonly logger?: (entry: RequestLogEntry) => void;
}

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`: use it as the client's base URL / environment. */
  readonly url: string;
  /**
   * Stops accepting connections, lets requests in progress finish, and closes the store. Requests held
   * by an injected `latency` fault have not been processed yet: they are dropped without an answer.
   */
  close(): Promise<void>;
  /** Forgets all data (every merchant), request counts and fault counters. */
  reset(): void;
  /** Fault injection at run time. */
  readonly faults: { set(rules: readonly FaultRule[]): void; rules(): FaultRule[] };
  /** Requests received per operation (faulted ones included), e.g. `requests.createCustomer`. */
  readonly requests: Readonly<Record<OperationName, number>>;
}

type Grant = Exclude<TokenGrant, string>;

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const JSON_TYPE = "application/json";
const CLOSE_GRACE_MS = 2_000;

function envelope(status: number, errors: SquareErrorDetail[], headers?: Record<string, string>): Reply {
  return headers === undefined ? { status, body: { errors } } : { status, body: { errors }, headers };
}

function invalid(code: SquareErrorDetail["code"], detail: string, field?: string): Reply {
  return envelope(400, [errorDetail("INVALID_REQUEST_ERROR", code, detail, field)]);
}

/** Nesting depth of parsed JSON, walked without recursion (a hostile body must not blow the stack). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

class BodyTooLarge extends Error {
  constructor(readonly closeConnection: boolean) {
    super("body too large");
  }
}

/**
 * Reads the body up to MAX_BODY_BYTES. A bigger body is drained (up to MAX_DISCARD_BYTES) so that the
 * client reads our 413 rather than a reset; past that, the connection is closed after the answer.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > MAX_DISCARD_BYTES) {
      reject(new BodyTooLarge(true));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (total > MAX_DISCARD_BYTES) {
        done = true;
        req.pause();
        reject(new BodyTooLarge(true));
      }
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      if (total > MAX_BODY_BYTES) reject(new BodyTooLarge(false));
      else resolve(Buffer.concat(chunks));
    });
    const fail = (error: Error) => {
      if (!done) {
        done = true;
        reject(error);
      }
    };
    req.on("error", fail);
    // A client that goes away mid-body: nothing more will come.
    req.on("close", () => fail(new Error("request aborted")));
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError("seed must be a non-negative integer");
  // Rules first: a bad rule must fail before the store (maybe a file) is opened.
  const faults = new FaultInjector(options.faults ?? [], seed);
  const store = new Store(options.db ?? ":memory:");
  const grants = options.tokens?.map((g): Grant => (typeof g === "string" ? { token: g } : g));
  /** Aborted by close(): requests waiting out injected latency give up rather than hold up shutdown. */
  const shutdown = new AbortController();
  const requests = Object.fromEntries(Object.keys(operations).map((n) => [n, 0])) as Record<
    OperationName,
    number
  >;
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  /** The merchant of a token, created (and seeded) on first sight. */
  function merchantOf(token: string): string {
    const tokenHash = sha256(token);
    const known = store.findMerchant(tokenHash);
    if (known !== undefined) return known;
    const merchant = stableId("merchant", tokenHash).slice(0, 13);
    store.transaction(() => {
      store.addMerchant(tokenHash, merchant);
      seedMerchant(store, merchant, seed);
    });
    return merchant;
  }

  /** Everything from routing to the handler's answer; throws ApiError for Square errors. */
  async function answer(
    req: IncomingMessage,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
    note: { operation?: OperationName; decision?: FaultDecision },
  ): Promise<Reply> {
    const matched = route(req.method ?? "GET", rawPath);
    if (matched.kind === "not_found") {
      return envelope(404, [
        errorDetail("INVALID_REQUEST_ERROR", "NOT_FOUND", `No API at ${req.method} ${rawPath}.`),
      ]);
    }
    if (matched.kind === "method_not_allowed") {
      return envelope(
        405,
        [errorDetail("INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED", `${req.method} is not supported here.`)],
        { allow: matched.allow.join(", ") },
      );
    }
    const { name, pathArgs } = matched;
    const op: OperationDefinition = operations[name];
    note.operation = name;
    requests[name] += 1;

    const decision = faults.decide(name);
    note.decision = decision;
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, undefined, { signal: shutdown.signal });
    switch (decision.fault?.kind) {
      case "rate_limit":
        return envelope(
          429,
          [errorDetail("RATE_LIMIT_ERROR", "RATE_LIMITED", "Too many requests (injected fault).")],
          { "retry-after": String(Math.ceil(decision.fault.retryAfterSeconds ?? 1)) },
        );
      case "server_error":
        return envelope(500, [
          errorDetail("API_ERROR", "INTERNAL_SERVER_ERROR", "Internal error (injected fault)."),
        ]);
      case "unavailable":
        return envelope(
          503,
          [errorDetail("API_ERROR", "SERVICE_UNAVAILABLE", "Service unavailable (injected fault).")],
          decision.fault.retryAfterSeconds === undefined
            ? undefined
            : { "retry-after": String(Math.ceil(decision.fault.retryAfterSeconds)) },
        );
    }

    const token = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? "")?.[1];
    // Without a token list every token is accepted, with every scope.
    const grant: Grant | undefined =
      token === undefined
        ? undefined
        : grants === undefined
          ? { token }
          : grants.find((g) => g.token === token);
    if (grant === undefined) {
      return envelope(401, [
        errorDetail("AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."),
      ]);
    }
    if (grant.scopes !== undefined && op.scope !== null && !grant.scopes.includes(op.scope)) {
      return envelope(403, [
        errorDetail(
          "AUTHENTICATION_ERROR",
          "INSUFFICIENT_SCOPES",
          `This request needs the ${op.scope} scope.`,
        ),
      ]);
    }
    const merchant = merchantOf(grant.token);

    let input: unknown;
    let issues: ValidationIssue[];
    if (op.body !== null) {
      const text = body.toString("utf8");
      if (text.trim() === "" && EMPTY_BODY_IS_EMPTY_OBJECT) input = {};
      else {
        try {
          input = JSON.parse(text);
        } catch {
          return invalid(MALFORMED_JSON_CODE, "The request body is not valid JSON.");
        }
      }
      if (input === null || typeof input !== "object" || Array.isArray(input)) {
        return invalid(MALFORMED_JSON_CODE, "The request body must be a JSON object.");
      }
      if (depthOf(input) > MAX_JSON_DEPTH)
        return invalid("BAD_REQUEST", "The request body is nested too deeply.");
      issues = validateRequest(name, pathArgs, input);
    } else {
      const parsed = parseQuery(name, new URLSearchParams(rawQuery));
      input = parsed.query;
      issues = [...parsed.issues, ...validateRequest(name, pathArgs, input)];
    }
    const { whole, perEntry } = splitEntryIssues(name, input, issues);
    if (whole.length > 0) return envelope(400, whole.map(issueToErrorDetail));

    const ctx = { store, merchant, path: pathArgs, input, itemIssues: perEntry } as unknown as Context<
      typeof name
    >;
    const handler = handlers[name] as (c: typeof ctx) => unknown;
    // Writes run in one transaction, committed (and, with a file, synced) before the answer is sent.
    const result = op.scope === "CUSTOMERS_READ" ? handler(ctx) : store.transaction(() => handler(ctx));
    return { status: 200, body: result };
  }

  function send(
    res: ServerResponse,
    reply: Reply,
    fault: FaultKind | undefined,
    common: Record<string, string>,
  ) {
    const json = JSON.stringify(reply.body);
    const headers = { ...common, ...reply.headers, "content-type": JSON_TYPE };
    const socket = res.socket as Socket | null;
    if (fault === "drop_connection") {
      socket?.destroy();
      return;
    }
    if (fault === "truncated_body") {
      const full = Buffer.from(json, "utf8");
      res.writeHead(reply.status, { ...headers, "content-length": String(full.length) });
      res.write(full.subarray(0, Math.floor(full.length / 2)), () => socket?.destroy());
      return;
    }
    const text = fault === "malformed_body" ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : json;
    const bytes = Buffer.from(text, "utf8");
    res.writeHead(reply.status, { ...headers, "content-length": String(bytes.length) });
    res.end(bytes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? "" : url.slice(q + 1);
    // A repeated header arrives joined ("a, b") and so fails the pattern, as it should.
    const rawVersion = req.headers["square-version"];
    const versionHeader = Array.isArray(rawVersion) ? rawVersion.join(", ") : rawVersion;
    const versionOk = versionHeader === undefined || SQUARE_VERSION_PATTERN.test(versionHeader);
    const common: Record<string, string> = {
      "square-version": versionHeader !== undefined && versionOk ? versionHeader : SQUARE_VERSION,
      [REQUEST_ID_HEADER]: requestId,
    };
    const note: { operation?: OperationName; decision?: FaultDecision } = {};
    let reply: Reply;
    let failure: unknown;
    try {
      const body = await readBody(req);
      if (!versionOk) {
        reply = invalid(
          "INVALID_SQUARE_VERSION_FORMAT",
          "Square-Version must look like YYYY-MM-DD.",
          "Square-Version",
        );
      } else {
        reply = await answer(req, rawPath, rawQuery, body, note);
      }
    } catch (error) {
      if (error instanceof ApiError) reply = envelope(error.status, error.errors);
      else if (error instanceof BodyTooLarge) {
        reply = envelope(413, [
          errorDetail(
            "INVALID_REQUEST_ERROR",
            "REQUEST_ENTITY_TOO_LARGE",
            `The body exceeds ${MAX_BODY_BYTES} bytes.`,
          ),
        ]);
        if (error.closeConnection) {
          reply.headers = { connection: "close" };
          res.on("finish", () => req.socket.destroy());
        }
      } else if (req.destroyed || closing) {
        return; // the client went away (or we are shutting down): nobody to answer
      } else {
        failure = error;
        reply = envelope(500, [
          errorDetail("API_ERROR", "INTERNAL_SERVER_ERROR", "The emulator failed unexpectedly."),
        ]);
      }
    }
    const fault = note.decision?.fault?.kind;
    const postFault = fault === "drop_connection" || fault === "truncated_body" || fault === "malformed_body";
    send(res, reply, postFault ? fault : undefined, common);
    options.logger?.({
      method: req.method ?? "",
      path: rawPath,
      operation: note.operation,
      status: reply.status,
      durationMs: performance.now() - started,
      requestId,
      fault,
      ...(failure === undefined ? {} : { error: failure }),
    });
    // close() waits for this: the answer reaches the socket before close() may cut the connection.
    if (!res.closed) await new Promise((resolve) => res.once("close", resolve));
  }

  const server: Server = createServer((req, res) => {
    const done = handle(req, res).catch(() => {
      // Only reachable if writing the answer itself failed; the socket is gone either way.
      req.socket.destroy();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  // Garbage that is not even HTTP still gets a JSON answer before the connection closes.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const body = JSON.stringify({
      errors: [errorDetail("INVALID_REQUEST_ERROR", "BAD_REQUEST", "The request is not valid HTTP.")],
    });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
        `content-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    store.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    requests,
    faults: { set: (rules) => faults.set(rules), rules: () => faults.rules() },
    reset() {
      store.reset();
      for (const name of Object.keys(requests) as OperationName[]) requests[name] = 0;
      faults.rewind();
    },
    async close() {
      if (closing) return;
      closing = true;
      shutdown.abort();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
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
      store.close();
    },
  };
}
