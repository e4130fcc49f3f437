// CORS for the API, so that a page on another origin (a dev server on localhost:5173, say) can call the
// emulator from a browser. Local origins are allowed by default; more can be named, or CORS turned off.
// Every API answer — errors and injected faults included — carries the headers, so a page can read a
// 401 or a 429 instead of seeing an opaque network failure. The dashboard and the admin API (same
// origin only) never carry them.
import type { IncomingMessage } from "node:http";
import { REQUEST_ID_HEADER } from "@square-customers/core";
import { errorDetail } from "./errors.js";
import { envelope, headerText, type Reply } from "./http.js";

/** `cors` option: `false` turns CORS off; a list adds origins (or `"*"`: any) to the local ones. */
export type CorsOption = boolean | readonly string[];

/** Which origins may call the API from a browser. */
export interface CorsPolicy {
  /** Origins allowed besides the local ones, normalized (`scheme://host[:port]`). */
  readonly origins: ReadonlySet<string>;
  /** Any origin at all (`--cors '*'`). */
  readonly anyOrigin: boolean;
}

/** The API's methods (core's operations use no others). */
const ALLOWED_METHODS = "GET, POST, PUT, DELETE";

/**
 * Request headers a page may send: auth and versioning, JSON bodies, trace context (effect/http sends
 * `traceparent` and `b3` by default), and idempotency headers some HTTP clients add.
 */
export const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "square-version",
  "traceparent",
  "tracestate",
  "b3",
  "idempotency-key",
  "x-idempotency-key",
  REQUEST_ID_HEADER,
] as const;

/** Answer headers a page may read beyond the always-readable ones (a client's retry needs Retry-After). */
const EXPOSED_HEADERS = [REQUEST_ID_HEADER, "square-version", "retry-after"].join(", ");

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = "600";

const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `http(s)://localhost`, `127.0.0.1` or `[::1]`, on any port. */
export function isLocalOrigin(origin: string): boolean {
  const url = parseOrigin(origin);
  return url !== undefined && LOCAL_HOSTNAMES.has(url.hostname);
}

function parseOrigin(origin: string): URL | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The policy for an option value; undefined when CORS is off. Throws TypeError for a bad origin. */
export function corsPolicy(option: CorsOption | undefined): CorsPolicy | undefined {
  if (option === false) return undefined;
  const extra = option === true || option === undefined ? [] : option;
  const origins = new Set<string>();
  let anyOrigin = false;
  for (const origin of extra) {
    if (origin === "*") {
      anyOrigin = true;
      continue;
    }
    const url = parseOrigin(origin);
    if (
      url === undefined ||
      url.pathname !== "/" ||
      url.search !== "" ||
      url.hash !== "" ||
      url.username !== ""
    ) {
      throw new TypeError(
        `cors: "${origin}" is not an origin (like https://app.example.com or http://host:8080)`,
      );
    }
    origins.add(url.origin);
  }
  return { origins, anyOrigin };
}

function allows(policy: CorsPolicy, origin: string): boolean {
  return policy.anyOrigin || isLocalOrigin(origin) || policy.origins.has(origin.toLowerCase());
}

/** Headers for an API answer to a request from `origin` (the request's Origin header, if any). */
export function corsHeaders(
  policy: CorsPolicy | undefined,
  origin: string | undefined,
): Record<string, string> {
  if (policy === undefined) return {};
  // Answers differ by Origin, so caches must keep them apart even when this one carries no CORS headers.
  if (origin === undefined || !allows(policy, origin)) return { vary: "Origin" };
  return {
    vary: "Origin",
    "access-control-allow-origin": origin,
    "access-control-expose-headers": EXPOSED_HEADERS,
  };
}

/** A browser's preflight: OPTIONS naming the method the real request will use. */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === "OPTIONS" &&
    req.headers.origin !== undefined &&
    req.headers["access-control-request-method"] !== undefined
  );
}

/**
 * The answer to a preflight (any API path: the real request gets the 404 or 405 a wrong path deserves,
 * readable by the page). An origin that is not allowed gets a 403 that says why, without CORS headers,
 * so the browser blocks the real request.
 */
export function preflightReply(policy: CorsPolicy, req: IncomingMessage): Reply {
  const origin = headerText(req, "origin") ?? "";
  if (!allows(policy, origin)) {
    return envelope(
      403,
      [
        errorDetail(
          "INVALID_REQUEST_ERROR",
          "FORBIDDEN",
          `The origin ${origin} may not call this emulator (allow it with --cors ${origin}).`,
        ),
      ],
      { vary: "Origin" },
    );
  }
  return {
    status: 204,
    body: undefined,
    headers: {
      vary: "Origin",
      "access-control-allow-origin": origin,
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers": ALLOWED_HEADERS.join(", "),
      "access-control-max-age": PREFLIGHT_MAX_AGE,
    },
  };
}
