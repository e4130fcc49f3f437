// The wire format both clients put on the wire, so the same call sends the same bytes in either: the
// Square-Version, the header names, the headers a client always sends (and that no caller may replace),
// and a body's JSON text.
import type { RequestParts } from "./request.js";

/** The Square-Version this package was generated from and sends by default. */
export const SQUARE_VERSION = "2025-08-20";

/** Header names (lower case, as HTTP/2 and the Fetch API give them). */
export const HEADERS = {
  authorization: "authorization",
  squareVersion: "square-version",
  accept: "accept",
  contentType: "content-type",
  retryAfter: "retry-after",
  /** The server's request id (the emulator's choice; Square documents none). */
  requestId: "x-request-id",
} as const;

/** Response header carrying the server's request id (the emulator's choice; Square documents none). */
export const REQUEST_ID_HEADER = HEADERS.requestId;

/** The media type of every body, both ways. */
export const JSON_MEDIA_TYPE = "application/json";

/**
 * The headers a client sends on every request, set after the caller's own so that none of them can be
 * replaced: the token, the Square-Version, that the answer must be JSON, and, for a request with a body,
 * that the body is JSON. One list for both clients, so both send the same headers.
 */
export function clientHeaders(
  client: { readonly token: string; readonly squareVersion: string },
  hasBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADERS.authorization]: `Bearer ${client.token}`,
    [HEADERS.squareVersion]: client.squareVersion,
    [HEADERS.accept]: JSON_MEDIA_TYPE,
  };
  if (hasBody) headers[HEADERS.contentType] = JSON_MEDIA_TYPE;
  return headers;
}

/** The body of a request as it goes on the wire (JSON text), or undefined for a request without one. */
export function bodyText(request: Pick<RequestParts, "body">): string | undefined {
  return request.body === undefined ? undefined : JSON.stringify(request.body);
}

/**
 * Request headers that no caller option may set: the client's token, its Square-Version and the JSON
 * content negotiation are the client's alone (`clientHeaders`).
 */
const RESERVED_HEADERS = new Set<string>([
  HEADERS.authorization,
  HEADERS.squareVersion,
  HEADERS.contentType,
  HEADERS.accept,
]);

/**
 * The extra headers of a call: the client's `headers` option, then the call's own, with every reserved
 * header left out (case-insensitively), so no per-call option can replace `Authorization` or
 * `Square-Version`. Each client adds its own reserved headers after this.
 */
export function callerHeaders(
  ...sources: Array<Iterable<readonly [string, string]> | Readonly<Record<string, string>> | undefined>
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (source === undefined) continue;
    const entries = Symbol.iterator in source ? source : Object.entries(source);
    for (const [name, value] of entries as Iterable<readonly [string, string]>) {
      const lower = name.toLowerCase();
      if (!RESERVED_HEADERS.has(lower)) merged[lower] = value;
    }
  }
  return merged;
}
