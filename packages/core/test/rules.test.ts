import { describe, expect, it } from "vitest";
import { isRetryableFailure } from "../src/call/attempt.js";
import { hasIdempotencyKey, withIdempotencyKey } from "../src/call/idempotency.js";
import { buildRequest } from "../src/call/request.js";
import { canRetry, parseRetryAfter } from "../src/call/retry.js";
import {
  baseUrlFor,
  checkMaxRetries,
  honourRetryAfter,
  nextCursor,
  pageItems,
  pathWithQuery,
  RETRY_MAX_MS,
  retryDelay,
  splitMethodArgs,
  squareErrorsOf,
  withCursor,
} from "../src/client-kit.js";
import {
  type CreateCustomerRequest,
  classifyError,
  contentIdempotencyKey,
  ENVIRONMENTS,
  SQUARE_VERSION,
} from "../src/index.js";

describe("constants", () => {
  it("match the spec", () => {
    expect(SQUARE_VERSION).toBe("2025-08-20");
    expect(ENVIRONMENTS).toEqual({
      production: "https://connect.squareup.com",
      sandbox: "https://connect.squareupsandbox.com",
    });
  });
});

describe("baseUrlFor", () => {
  it("names Square's environments and accepts any http(s) URL", () => {
    expect(baseUrlFor()).toBe("https://connect.squareup.com");
    expect(baseUrlFor("sandbox")).toBe("https://connect.squareupsandbox.com");
    expect(baseUrlFor("http://127.0.0.1:4010/")).toBe("http://127.0.0.1:4010");
    expect(baseUrlFor(new URL("https://proxy.example.com/square/"))).toBe("https://proxy.example.com/square");
    expect(baseUrlFor("staging")).toBeUndefined();
    expect(baseUrlFor("file:///etc/passwd")).toBeUndefined();
    expect(baseUrlFor("http://[")).toBeUndefined();
  });
});

describe("splitMethodArgs", () => {
  it("splits path arguments, input and options by the operation's row", () => {
    const options = { timeout: 1 };
    expect(splitMethodArgs("updateCustomer", ["c1", { nickname: "A" }, options])).toEqual({
      pathArgs: ["c1"],
      input: { nickname: "A" },
      options,
    });
    expect(splitMethodArgs("retrieveCustomerGroup", ["g1", options])).toEqual({
      pathArgs: ["g1"],
      input: undefined,
      options,
    });
    expect(splitMethodArgs("listCustomers", [])).toEqual({
      pathArgs: [],
      input: undefined,
      options: undefined,
    });
  });
});

describe("classifyError", () => {
  it("maps statuses and Square codes to kinds", () => {
    expect(classifyError(400, [{ code: "INVALID_EMAIL_ADDRESS" }])).toBe("bad_request");
    expect(classifyError(400, [{ code: "VERSION_MISMATCH" }])).toBe("conflict");
    expect(classifyError(400, [{ code: "CONFLICT" }])).toBe("conflict");
    expect(classifyError(409)).toBe("conflict");
    expect(classifyError(401, [{ code: "UNAUTHORIZED" }])).toBe("unauthorized");
    expect(classifyError(403, [{ code: "INSUFFICIENT_SCOPES" }])).toBe("forbidden");
    expect(classifyError(404, [{ code: "NOT_FOUND" }])).toBe("not_found");
    expect(classifyError(429)).toBe("rate_limited");
    expect(classifyError(400, [{ code: "RATE_LIMITED" }])).toBe("rate_limited");
    expect(classifyError(500)).toBe("server");
    expect(classifyError(503, [{ code: "SERVICE_UNAVAILABLE" }])).toBe("server");
    expect(classifyError(418)).toBe("bad_request");
  });

  it("recognises Square's error envelope", () => {
    const errors = [{ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND", detail: "x" }];
    expect(squareErrorsOf({ errors })).toEqual(errors);
    expect(squareErrorsOf({ errors: [] })).toBeUndefined();
    expect(squareErrorsOf({ errors: [{ code: "X" }] })).toBeUndefined();
    expect(squareErrorsOf("<html>")).toBeUndefined();
  });
});

describe("retry decision", () => {
  it("retries reads and idempotent writes, creates only with a key", () => {
    expect(canRetry("retrieveCustomer", false)).toBe(true);
    expect(canRetry("updateCustomer", false)).toBe(true);
    expect(canRetry("searchCustomers", false)).toBe(true);
    expect(canRetry("createCustomer", false)).toBe(false);
    expect(canRetry("createCustomer", true)).toBe(true);
  });

  it("retries 408, 429 and 5xx except 501 and every transport failure, never a bad body", () => {
    const safe = { retrySafe: true };
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(isRetryableFailure(safe, { kind: classifyError(status, []), status })).toBe(true);
    }
    for (const status of [400, 401, 403, 404, 409, 501]) {
      expect(isRetryableFailure(safe, { kind: classifyError(status, []), status })).toBe(false);
    }
    for (const transport of ["refused", "reset", "dropped", "truncated"] as const) {
      expect(isRetryableFailure(safe, { kind: "connection", transport })).toBe(true);
    }
    expect(isRetryableFailure(safe, { kind: "timeout", transport: "timeout" })).toBe(true);
    expect(isRetryableFailure(safe, { kind: "format", status: 200 })).toBe(false);
  });

  it("repeats a call that is not safe to repeat only when the connection was refused (nothing was sent)", () => {
    const unsafe = { retrySafe: false };
    expect(isRetryableFailure(unsafe, { kind: "server", status: 503 })).toBe(false);
    expect(isRetryableFailure(unsafe, { kind: "connection", transport: "dropped" })).toBe(false);
    expect(isRetryableFailure(unsafe, { kind: "connection", transport: "truncated" })).toBe(false);
    expect(isRetryableFailure(unsafe, { kind: "timeout", transport: "timeout" })).toBe(false);
    expect(isRetryableFailure(unsafe, { kind: "connection", transport: "refused" })).toBe(true);
  });

  it("checks a retry budget", () => {
    expect(checkMaxRetries(0)).toBe(0);
    expect(checkMaxRetries(5)).toBe(5);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkMaxRetries(bad)).toThrow(RangeError);
    }
  });
});

describe("retry delay", () => {
  const now = Date.parse("2025-08-20T12:00:00Z");

  it("honours Retry-After in seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(retryDelay(0, { retryAfter: "2", now })).toBe(2000);
  });

  it("honours Retry-After as an HTTP date", () => {
    expect(parseRetryAfter("Wed, 20 Aug 2025 12:00:05 GMT", now)).toBe(5000);
    expect(retryDelay(0, { retryAfter: "Wed, 20 Aug 2025 12:00:05 GMT", now })).toBe(5000);
  });

  it("falls back to backoff for a past date, garbage or a negative value", () => {
    for (const value of ["Wed, 20 Aug 2025 11:59:00 GMT", "soon", "-5", "", "1e3", null, undefined]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
      expect(retryDelay(1, { retryAfter: value, now, random: () => 0.5 })).toBe(500);
    }
  });

  it("caps a huge Retry-After", () => {
    expect(retryDelay(0, { retryAfter: "86400", now })).toBe(RETRY_MAX_MS);
    expect(retryDelay(0, { retryAfter: "Thu, 01 Jan 2099 00:00:00 GMT", now, maxMs: 10_000 })).toBe(10_000);
  });

  it("lets Retry-After replace any backoff, longer or shorter, and leaves a backoff alone without one", () => {
    expect(honourRetryAfter(10_000, { retryAfter: "1", now })).toBe(1000);
    expect(honourRetryAfter(100, { retryAfter: "3", now })).toBe(3000);
    expect(honourRetryAfter(100, { retryAfter: "86400", now, maxMs: 5000 })).toBe(5000);
    expect(honourRetryAfter(60_000, { retryAfter: "soon", now })).toBe(60_000);
    expect(honourRetryAfter(60_000, {})).toBe(60_000);
    // retryDelay is the backoff through the same rule.
    expect(retryDelay(4, { retryAfter: "1", now, random: () => 0.99 })).toBe(1000);
  });

  it("uses exponential backoff with full jitter, capped", () => {
    expect(retryDelay(0, { random: () => 0.999999 })).toBe(499);
    expect(retryDelay(3, { random: () => 0.5 })).toBe(2000);
    expect(retryDelay(0, { random: () => 0 })).toBe(0);
    expect(retryDelay(30, { random: () => 0.5 })).toBe(RETRY_MAX_MS / 2);
  });
});

describe("requests", () => {
  it("fills and encodes path parameters and serialises the query", () => {
    const parts = buildRequest("deleteCustomer", ["a/b c"], { version: 3 });
    expect(parts).toEqual({
      method: "DELETE",
      path: "/v2/customers/a%2Fb%20c",
      pathTemplate: "/v2/customers/{customer_id}",
      query: [["version", "3"]],
      body: undefined,
    });
    expect(
      pathWithQuery(buildRequest("listCustomers", [], { limit: 5, count: true, cursor: undefined })),
    ).toBe("/v2/customers?limit=5&count=true");
  });

  it("sends the input as the body of operations that take one", () => {
    const parts = buildRequest("searchCustomers", [], { limit: 10 });
    expect(parts.body).toEqual({ limit: 10 });
    expect(parts.query).toEqual([]);
    expect(buildRequest("removeGroupFromCustomer", ["c", "g"]).path).toBe("/v2/customers/c/groups/g");
  });
});

describe("idempotency", () => {
  it("adds a key only to operations that take one, and keeps a caller's key", () => {
    const body: CreateCustomerRequest = withIdempotencyKey("createCustomer", { given_name: "A" });
    expect(body.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(hasIdempotencyKey("createCustomer", body)).toBe(true);
    expect(
      withIdempotencyKey("createCustomer", { given_name: "A", idempotency_key: "mine" }).idempotency_key,
    ).toBe("mine");
    expect(withIdempotencyKey("updateCustomer", { given_name: "A" })).toEqual({ given_name: "A" });
  });

  it("derives the same key from the same content, whatever the key order", () => {
    const a = contentIdempotencyKey({ given_name: "A", email_address: "a@b.co" });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(contentIdempotencyKey({ email_address: "a@b.co", given_name: "A" })).toBe(a);
    expect(contentIdempotencyKey({ given_name: "B", email_address: "a@b.co" })).not.toBe(a);
  });
});

describe("paging", () => {
  it("finds items and cursors, and puts the cursor where the operation wants it", () => {
    const at = "2025-01-01T00:00:00Z";
    const customer = {
      id: "1",
      created_at: at,
      updated_at: at,
      version: 0,
      creation_source: "THIRD_PARTY",
    } as const;
    expect(pageItems("listCustomers", { customers: [customer], cursor: "c" })).toEqual([customer]);
    expect(pageItems("listCustomerGroups", {})).toEqual([]);
    expect(nextCursor({ cursor: "next" })).toBe("next");
    expect(nextCursor({})).toBeUndefined();
    expect(nextCursor({ cursor: "" })).toBeUndefined();
    expect(withCursor("searchCustomers", { limit: 5 }, "c2")).toEqual({ limit: 5, cursor: "c2" });
    expect(withCursor("listCustomers", undefined, "c3")).toEqual({ cursor: "c3" });
  });
});
