// The HTTP side of the emulator: reading a request safely (bounded body, bounded JSON nesting) and
// writing an answer (JSON with an exact content-length, or one damaged on purpose by an injected fault).
// Nothing here knows about operations, tokens or the store.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ErrorCode, SquareErrorDetail } from "@square-customers/core";
import { MALFORMED_JSON_CODE, MAX_BODY_BYTES, MAX_DISCARD_BYTES, MAX_JSON_DEPTH } from "../square-choices.js";
import { errorDetail } from "./errors.js";

/** An answer before it is written: status, JSON body and any headers of its own. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const JSON_TYPE = "application/json";

/** A Square error answer: `{ "errors": [...] }`. */
export function envelope(
  status: number,
  errors: SquareErrorDetail[],
  headers?: Record<string, string>,
): Reply {
  return headers === undefined ? { status, body: { errors } } : { status, body: { errors }, headers };
}

/** A 400 INVALID_REQUEST_ERROR answer with one error. */
export function invalid(code: ErrorCode, detail: string, field?: string): Reply {
  return envelope(400, [errorDetail("INVALID_REQUEST_ERROR", code, detail, field)]);
}

/** The 500 for a failure of the emulator itself (a bug). */
export function internalError(): Reply {
  return envelope(500, [
    errorDetail("API_ERROR", "INTERNAL_SERVER_ERROR", "The emulator failed unexpectedly."),
  ]);
}

/** A request body over MAX_BODY_BYTES; past MAX_DISCARD_BYTES the connection is closed after the 413. */
export class BodyTooLarge extends Error {
  constructor(readonly closeConnection: boolean) {
    super("body too large");
  }
}

/**
 * Reads the body up to MAX_BODY_BYTES. A bigger body is drained (up to MAX_DISCARD_BYTES) so that the
 * client reads our 413 rather than a reset; past that, the connection is closed after the answer.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
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

/** The 413 for a body that is too large; closes the connection after it when the body was huge. */
export function tooLargeReply(error: BodyTooLarge, req: IncomingMessage, res: ServerResponse): Reply {
  const reply = envelope(413, [
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
  return reply;
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

/** A request body as a JSON object, or the 400 that says why it is not one. */
export function parseJsonObject(text: string): { value: object } | { reply: Reply } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reply: invalid(MALFORMED_JSON_CODE, "The request body is not valid JSON.") };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { reply: invalid(MALFORMED_JSON_CODE, "The request body must be a JSON object.") };
  }
  if (depthOf(value) > MAX_JSON_DEPTH)
    return { reply: invalid("BAD_REQUEST", "The request body is nested too deeply.") };
  return { value };
}

/** How an injected fault damages an answer that was otherwise computed normally. */
export type AnswerDamage = "drop_connection" | "truncated_body" | "malformed_body";

/**
 * Writes `reply` as JSON with `headers` (the reply's own headers win), or damages it:
 * `drop_connection` sends nothing and closes the socket, `truncated_body` promises the full length but
 * sends half, `malformed_body` sends the first half of the JSON as a complete answer.
 */
export function writeReply(
  res: ServerResponse,
  reply: Reply,
  headers: Record<string, string>,
  damage?: AnswerDamage,
): void {
  const socket = res.socket as Socket | null;
  if (reply.body === undefined) {
    // No content (a CORS preflight): nothing to damage either.
    res.writeHead(reply.status, { ...headers, ...reply.headers });
    res.end();
    return;
  }
  const json = JSON.stringify(reply.body);
  const all = { ...headers, ...reply.headers, "content-type": JSON_TYPE };
  if (damage === "drop_connection") {
    socket?.destroy();
    return;
  }
  if (damage === "truncated_body") {
    const full = Buffer.from(json, "utf8");
    res.writeHead(reply.status, { ...all, "content-length": String(full.length) });
    res.write(full.subarray(0, Math.floor(full.length / 2)), () => socket?.destroy());
    return;
  }
  const text = damage === "malformed_body" ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : json;
  const bytes = Buffer.from(text, "utf8");
  res.writeHead(reply.status, { ...all, "content-length": String(bytes.length) });
  res.end(bytes);
}

/** Garbage that is not even HTTP still gets a JSON answer before the connection closes. */
export function answerNonHttp(error: NodeJS.ErrnoException, socket: Socket): void {
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
}

/** The path and the query string of a request target (both raw, undecoded). */
export function splitTarget(target: string | undefined): { path: string; query: string } {
  const url = target ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? { path: url, query: "" } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** One request header as a single string (a repeated header arrives joined: "a, b"). */
export function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
