// The decisions both clients take from core: preparing a call, what an attempt's outcome means, error
// texts, redaction, headers, and createMany planning. Each client only turns these into its own types.
import { describe, expect, it } from "vitest";
import { formatFailure } from "../src/call/attempt.js";
import { apiErrorMessage, invalidRequestMessage, issueText } from "../src/call/messages.js";
import { serializeDates } from "../src/call/prepare.js";
import {
  type Attempt,
  callerHeaders,
  describeTransportError,
  interpretAttempt,
  loadRequestRules,
  prepareCall,
} from "../src/client-kit.js";
import {
  addToProgress,
  type CreateManyEntry,
  createManyKey,
  createManySettings,
  type FailedCall,
  InputOrder,
  planChunk,
  resultsOfAnswer,
  resultsOfFailure,
} from "../src/create-many/index.js";
import { contentIdempotencyKey, REDACTED, redactHeaders, redactor } from "../src/index.js";
import { entryMapField, splitEntryIssues } from "../src/tooling.js";
import { requestRules } from "../src/validation/request-rules.js";

const none = (text: string) => text;

describe("prepareCall", () => {
  it("adds an idempotency key once, validates, builds the request and says whether a retry is safe", () => {
    const call = prepareCall("createCustomer", [], { given_name: "Amelia" }, requestRules);
    const body = call.request.body as { idempotency_key: string; given_name: string };
    expect(body.given_name).toBe("Amelia");
    expect(body.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.issues).toEqual([]);
    expect(call.retrySafe).toBe(true);
    expect(call.request).toMatchObject({
      method: "POST",
      path: "/v2/customers",
      pathTemplate: "/v2/customers",
    });
  });

  it("keeps a caller's key and reports issues without throwing", () => {
    const call = prepareCall("createCustomer", [], { idempotency_key: "mine", nickname: "x" }, requestRules);
    expect((call.request.body as { idempotency_key: string }).idempotency_key).toBe("mine");
    expect(call.issues.map((i) => i.code)).toEqual(["MISSING_REQUIRED_PARAMETER"]);
  });

  it("puts path arguments and query parameters in place", () => {
    const call = prepareCall("deleteCustomer", ["A/B"], { version: 3 });
    expect(call.request.path).toBe("/v2/customers/A%2FB");
    expect(call.request.query).toEqual([["version", "3"]]);
  });

  it("serializes Date values to RFC 3339 strings, in bodies and nested objects", () => {
    const at = new Date("2025-01-02T03:04:05.678Z");
    const call = prepareCall(
      "searchCustomers",
      [],
      { query: { filter: { created_at: { start_at: at as unknown as string } } } },
      requestRules,
    );
    expect(call.issues).toEqual([]);
    expect(call.request.body).toEqual({
      query: { filter: { created_at: { start_at: "2025-01-02T03:04:05.678Z" } } },
    });
    const input = { a: 1, b: ["x"] };
    expect(serializeDates(input)).toBe(input); // nothing to change: no copy
  });

  it("checks a body against the request rules, which a client loads when it first sends one", async () => {
    expect(await loadRequestRules()).toBe(requestRules);
    expect(() => prepareCall("createCustomer", [], { given_name: "Amelia" })).toThrow(
      new TypeError("createCustomer takes a body: checking it needs the request rules"),
    );
    // A call without a body needs no rules: a program that only reads never loads them.
    expect(prepareCall("listCustomers", [], { limit: 500 }).issues.map((i) => i.code)).toEqual([
      "VALUE_TOO_HIGH",
    ]);
  });
});

describe("interpretAttempt", () => {
  const retrieve = prepareCall("retrieveCustomer", ["C1"]);
  const list = prepareCall("listCustomers", []);
  const response = (status: number, body: string, extra: Partial<Attempt> = {}): Attempt =>
    ({ kind: "response", status, body, ...extra }) as Attempt;

  it("returns a 2xx JSON object of the answer's shape as the result", () => {
    const customer = {
      id: "C1",
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      version: 0,
      creation_source: "THIRD_PARTY",
    };
    expect(interpretAttempt(retrieve, response(200, JSON.stringify({ customer })), none)).toEqual({
      ok: true,
      body: { customer },
    });
    expect(interpretAttempt(retrieve, response(200, '{"customer":{"id":"C1"}}'), none)).toMatchObject({
      ok: false,
      failure: {
        kind: "format",
        retryable: false,
        message:
          "retrieveCustomer: the HTTP 200 response does not match RetrieveCustomerResponse: customer.created_at is missing",
      },
    });
  });

  it("makes a complete body that is not what the API promises a format failure, not retried", () => {
    for (const [body, problem] of [
      ["", "body is empty"],
      ['{"customer":', "body is not valid JSON"],
      ["[1]", "body is not a JSON object"],
    ] as const) {
      const outcome = interpretAttempt(retrieve, response(200, body, { requestId: "R" }), none);
      expect(outcome).toMatchObject({
        ok: false,
        failure: {
          kind: "format",
          status: 200,
          requestId: "R",
          retryable: false,
          message: `retrieveCustomer: the HTTP 200 response ${problem}`,
        },
      });
    }
    const badPage = interpretAttempt(list, response(200, '{"customers":{}}'), none);
    expect(badPage).toMatchObject({
      ok: false,
      failure: { kind: "format", message: expect.stringContaining("customers is not an array") },
    });
  });

  it("classifies error answers and reads Retry-After", () => {
    const outcome = interpretAttempt(
      retrieve,
      response(
        429,
        '{"errors":[{"category":"RATE_LIMIT_ERROR","code":"RATE_LIMITED","detail":"slow down"}]}',
        {
          retryAfter: "2",
          requestId: "R9",
        },
      ),
      none,
    );
    expect(outcome).toMatchObject({
      ok: false,
      failure: {
        kind: "rate_limited",
        status: 429,
        retryAfter: "2",
        retryAfterMs: 2000,
        requestId: "R9",
        retryable: true,
        message: "retrieveCustomer failed with HTTP 429: RATE_LIMITED: slow down",
      },
    });
    const html = interpretAttempt(retrieve, response(502, "<html>bad gateway</html>"), none);
    expect(html).toMatchObject({
      ok: false,
      failure: { kind: "server", errors: [], body: "<html>bad gateway</html>", retryable: true },
    });
    const notFound = interpretAttempt(
      retrieve,
      response(404, '{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"NOT_FOUND"}]}'),
      none,
    );
    expect(notFound).toMatchObject({ ok: false, failure: { kind: "not_found", retryable: false } });
  });

  it("treats a body cut off mid-way as a lost connection: retried under the idempotency rule", () => {
    const create = prepareCall("createCustomer", [], { given_name: "A" }, requestRules);
    const outcome = interpretAttempt(
      create,
      { kind: "transport", failure: "truncated", detail: "terminated" },
      none,
    );
    expect(outcome).toMatchObject({
      ok: false,
      failure: {
        kind: "connection",
        transport: "truncated",
        retryable: true,
        message: "createCustomer: the response was cut off mid-way (terminated)",
      },
    });
  });

  it("words every transport failure once", () => {
    const texts = (["refused", "reset", "dropped", "truncated"] as const).map((failure) => {
      const outcome = interpretAttempt(retrieve, { kind: "transport", failure, detail: "d" }, none);
      return outcome.ok ? "" : outcome.failure.message;
    });
    expect(texts).toEqual([
      "retrieveCustomer: could not connect to the server (d)",
      "retrieveCustomer: the connection was reset before the response was complete (d)",
      "retrieveCustomer: the connection closed before a response arrived (d)",
      "retrieveCustomer: the response was cut off mid-way (d)",
    ]);
    const timeout = interpretAttempt(
      retrieve,
      { kind: "transport", failure: "timeout", timeoutMs: 250 },
      none,
    );
    expect(timeout).toMatchObject({
      ok: false,
      failure: {
        kind: "timeout",
        timeoutMs: 250,
        message: "retrieveCustomer: no complete response within 250 ms",
      },
    });
  });

  it("redacts what it keeps of an error answer, never a success body", () => {
    const redact = redactor("EAAAsecret-token-123");
    const failed = interpretAttempt(
      retrieve,
      response(
        401,
        '{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"bad EAAAsecret-token-123"}]}',
      ),
      redact,
    );
    expect(JSON.stringify(failed)).not.toContain("EAAAsecret-token-123");
    expect(JSON.stringify(failed)).toContain(REDACTED);
    const customer = {
      id: "C1",
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      version: 0,
      creation_source: "THIRD_PARTY",
      note: "EAAAsecret-token-123",
    };
    const ok = interpretAttempt(retrieve, response(200, JSON.stringify({ customer })), redact);
    expect(ok).toEqual({ ok: true, body: { customer } });
    const format = formatFailure(
      retrieve,
      { status: 200, body: "oops EAAAsecret-token-123" },
      "is odd",
      redact,
    );
    expect(format.bodySnippet).toBe(`oops ${REDACTED}`);
  });
});

describe("describeTransportError", () => {
  const undici = (code: string, message: string) =>
    Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(message), { code }) });

  it("reads Node's error codes through any wrapping", () => {
    expect(
      describeTransportError(undici("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"), "request"),
    ).toEqual({
      failure: "refused",
      detail: "connect ECONNREFUSED 127.0.0.1:9",
    });
    const wrapped = new Error("outer", { cause: undici("ECONNRESET", "read ECONNRESET") });
    expect(describeTransportError(wrapped, "request")).toEqual({
      failure: "reset",
      detail: "read ECONNRESET",
    });
    expect(describeTransportError(undici("UND_ERR_SOCKET", "other side closed"), "request")).toEqual({
      failure: "dropped",
      detail: "other side closed",
    });
  });

  it("says an https:// URL reached a plain-HTTP server instead of the TLS library's text", () => {
    const tls = undici(
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "40CD71975D7F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:tlsany_meth.c:77:\n",
    );
    expect(describeTransportError(tls, "request")).toEqual({
      failure: "dropped",
      detail: "this server does not speak HTTPS: use an http:// URL",
    });
  });

  it("makes any failure while reading the body a truncated body, and a code-less one dropped", () => {
    expect(describeTransportError(undici("ECONNRESET", "x"), "body").failure).toBe("truncated");
    expect(describeTransportError(new TypeError("Failed to fetch"), "request")).toEqual({
      failure: "dropped",
      detail: "Failed to fetch",
    });
  });
});

describe("messages and redaction", () => {
  it("words API errors and invalid requests once", () => {
    expect(apiErrorMessage("getX", 404, [])).toBe("getX failed with HTTP 404 (no Square error details)");
    expect(
      apiErrorMessage("getX", 400, [
        { category: "INVALID_REQUEST_ERROR", code: "VALUE_TOO_LONG", detail: "too long" },
        { category: "INVALID_REQUEST_ERROR", code: "BAD_REQUEST" },
      ]),
    ).toBe("getX failed with HTTP 400: VALUE_TOO_LONG: too long (+1 more)");
    expect(
      invalidRequestMessage("createMany", [
        { field: "chunkSize", code: "VALUE_TOO_HIGH", message: "too big" },
      ]),
    ).toBe("createMany request is invalid, nothing was sent: chunkSize: too big (VALUE_TOO_HIGH)");
  });

  it("names an issue's field once, whether the message starts with the field, its last part or neither", () => {
    expect(
      invalidRequestMessage("updateCustomer", [
        {
          field: "email_address",
          code: "INVALID_EMAIL_ADDRESS",
          message: "email_address is not a valid email address",
        },
      ]),
    ).toBe(
      "updateCustomer request is invalid, nothing was sent: email_address is not a valid email address (INVALID_EMAIL_ADDRESS)",
    );
    expect(
      issueText({
        field: "customers.k1.email_address",
        code: "INVALID_EMAIL_ADDRESS",
        message: "email_address is not a valid email address",
      }),
    ).toBe("customers.k1.email_address is not a valid email address");
    expect(issueText({ field: "limit", code: "VALUE_TOO_HIGH", message: "limit must be at most 100" })).toBe(
      "limit must be at most 100",
    );
    expect(issueText({ field: "", code: "BAD_REQUEST", message: "body must be an object" })).toBe(
      "body must be an object",
    );
    // A message that only happens to begin with the same letters still gets the field in front.
    expect(issueText({ field: "note", code: "BAD_REQUEST", message: "notes are text" })).toBe(
      "note: notes are text",
    );
  });

  it("redacts a token but leaves toy tokens (shorter than 8) alone", () => {
    expect(redactor("abcdefgh")("x abcdefgh y abcdefgh")).toBe(`x ${REDACTED} y ${REDACTED}`);
    expect(redactor("abc")("abc")).toBe("abc");
    expect(
      redactHeaders(
        [
          ["Authorization", "Bearer abcdefgh"],
          ["x-echo", "abcdefgh"],
        ],
        redactor("abcdefgh"),
      ),
    ).toEqual({
      Authorization: `Bearer ${REDACTED}`,
      "x-echo": REDACTED,
    });
  });
});

describe("callerHeaders", () => {
  it("merges the client's and the call's headers but drops every header the client owns", () => {
    const headers = callerHeaders(new Headers({ "X-Trace": "client", Authorization: "Bearer stolen" }), {
      "x-trace": "call",
      "Square-Version": "2001-01-01",
      AUTHORIZATION: "Bearer other",
      accept: "text/html",
    });
    expect(headers).toEqual({ "x-trace": "call" });
  });
});

describe("bulk entries", () => {
  it("finds the entry map of each bulk operation", () => {
    expect(entryMapField("bulkCreateCustomers")).toBe("customers");
    expect(entryMapField("bulkUpdateCustomers")).toBe("customers");
    expect(entryMapField("bulkUpsertCustomerCustomAttributes")).toBe("values");
    expect(entryMapField("bulkDeleteCustomers")).toBeUndefined();
    expect(entryMapField("retrieveCustomer")).toBeUndefined();
  });

  it("splits issues per entry with entry-relative fields, longest key first", () => {
    const input = { customers: { a: { email_address: "x" }, "a.b": {} } };
    const { whole, perEntry } = splitEntryIssues("bulkCreateCustomers", input, [
      {
        field: "customers.a.email_address",
        code: "INVALID_EMAIL_ADDRESS",
        message: "customers.a.email_address is bad",
      },
      {
        field: "customers.a.b",
        code: "MISSING_REQUIRED_PARAMETER",
        message: "at least one of … is required",
      },
      { field: "customers", code: "TOO_MANY_MAP_ENTRIES", message: "too many" },
    ]);
    expect(whole.map((i) => i.field)).toEqual(["customers"]);
    expect(perEntry.get("a")).toEqual([
      { field: "email_address", code: "INVALID_EMAIL_ADDRESS", message: "email_address is bad" },
    ]);
    expect(perEntry.get("a.b")?.map((i) => i.field)).toEqual([""]);
  });
});

/** A customer as Square returns it (the fields it always sends), for answers built by hand. */
const customer = (id: string) => ({
  id,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  creation_source: "THIRD_PARTY" as const,
  version: 0,
});

describe("createMany planning", () => {
  const entry = (index: number, item: object, key = createManyKey(item)): CreateManyEntry => ({
    index,
    idempotencyKey: key,
    item,
  });

  it("checks chunkSize and concurrency the same way for both clients", () => {
    expect(createManySettings({})).toEqual({ settings: { chunkSize: 100, concurrency: 1 }, issues: [] });
    expect(createManySettings({ chunkSize: 25, concurrency: 4 }).settings).toEqual({
      chunkSize: 25,
      concurrency: 4,
    });
    const bad = createManySettings({ chunkSize: 101, concurrency: 0 }).issues;
    expect(bad).toEqual([
      {
        field: "chunkSize",
        code: "VALUE_TOO_HIGH",
        message: "chunkSize must be an integer from 1 to 100, got 101",
      },
      {
        field: "concurrency",
        code: "VALUE_TOO_LOW",
        message: "concurrency must be an integer from 1 to 64, got 0",
      },
    ]);
    expect(createManySettings({ chunkSize: 2.5 }).issues[0]?.code).toBe("EXPECTED_INTEGER");
  });

  it("derives the default key from the content, the same for equal records in any key order", () => {
    expect(createManyKey({ given_name: "A", email_address: "a@example.com" })).toBe(
      createManyKey({ email_address: "a@example.com", given_name: "A" }),
    );
    expect(createManyKey({ given_name: "A" })).not.toBe(createManyKey({ given_name: "B" }));
  });

  it("holds back invalid items with entry-relative issues and sends the rest", () => {
    const chunk = planChunk([
      entry(0, { given_name: "Ok" }),
      entry(1, { nickname: "no name" }),
      entry(2, { given_name: "B", email_address: "nope" }),
    ]);
    expect(Object.values(chunk.body?.customers ?? {})).toEqual([{ given_name: "Ok" }]);
    expect(chunk.sent.map((e) => e.index)).toEqual([0]);
    expect(chunk.heldBack).toEqual([
      expect.objectContaining({
        index: 1,
        outcome: "rejected",
        sent: false,
        errors: [expect.objectContaining({ code: "MISSING_REQUIRED_PARAMETER" })],
      }),
      expect.objectContaining({
        index: 2,
        outcome: "rejected",
        sent: false,
        errors: [
          {
            category: "INVALID_REQUEST_ERROR",
            code: "INVALID_EMAIL_ADDRESS",
            field: "email_address",
            detail: expect.any(String),
          },
        ],
      }),
    ]);
  });

  it("sends identical items once and gives each the answer; a reused key with other content is held back", () => {
    const chunk = planChunk([
      entry(0, { given_name: "Same" }),
      entry(1, { given_name: "Same" }),
      entry(2, { given_name: "Other" }, createManyKey({ given_name: "Same" })),
    ]);
    expect(Object.keys(chunk.body?.customers ?? {})).toHaveLength(1);
    expect(chunk.sent.map((e) => e.index)).toEqual([0, 1]);
    expect(chunk.heldBack).toEqual([
      expect.objectContaining({
        index: 2,
        errors: [expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED" })],
      }),
    ]);
    const key = chunk.sent[0]!.idempotencyKey;
    const results = resultsOfAnswer(chunk.sent, { responses: { [key]: { customer: customer("C") } } });
    expect(results.map((r) => [r.index, r.outcome])).toEqual([
      [0, "created"],
      [1, "created"],
    ]);
  });

  it("maps an answer per item, and a missing one to unknown", () => {
    const sent = [
      entry(0, { given_name: "A" }, "k0"),
      entry(1, { given_name: "B" }, "k1"),
      entry(2, { given_name: "C" }, "k2"),
    ];
    const results = resultsOfAnswer(sent, {
      responses: {
        k0: { customer: customer("C0") },
        k1: { errors: [{ category: "INVALID_REQUEST_ERROR", code: "BAD_REQUEST" }] },
      },
    });
    expect(results.map((r) => r.outcome)).toEqual(["created", "rejected", "unknown"]);
    expect(results[1]).toMatchObject({ sent: true });
  });

  it("makes a failed call's items unknown when it may have been applied, rejected when surely not", () => {
    const sent = [entry(0, { given_name: "A" }, "k0")];
    const outcome = (failure: FailedCall) => resultsOfFailure(sent, failure)[0];
    const truncated: FailedCall = { kind: "connection", reason: "truncated", errors: [] };
    expect(outcome(truncated)).toMatchObject({ outcome: "unknown", error: truncated });
    expect(outcome({ kind: "timeout", errors: [] })?.outcome).toBe("unknown");
    expect(outcome({ kind: "server", errors: [] })?.outcome).toBe("unknown");
    expect(outcome({ kind: "format", errors: [] })?.outcome).toBe("unknown");
    expect(outcome({ kind: "connection", reason: "refused", errors: [] })).toMatchObject({
      outcome: "rejected",
      sent: false,
    });
    expect(outcome({ kind: "unauthorized", errors: [] })).toMatchObject({ outcome: "rejected", sent: true });
    expect(outcome({ kind: "invalid_request", errors: [] })).toMatchObject({ outcome: "rejected" });
  });

  it("counts progress and puts out-of-order results back in input order", () => {
    const order = new InputOrder<{ index: number; outcome: "created" | "rejected" | "unknown" }>();
    expect(
      order.add([
        { index: 2, outcome: "created" },
        { index: 3, outcome: "unknown" },
      ]),
    ).toEqual([]);
    expect(order.pending).toBe(2);
    const ready = order.add([
      { index: 0, outcome: "created" },
      { index: 1, outcome: "rejected" },
    ]);
    expect(ready.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(addToProgress({ done: 0, created: 0, rejected: 0, unknown: 0, total: 4 }, ready)).toEqual({
      done: 4,
      created: 2,
      rejected: 1,
      unknown: 1,
      total: 4,
    });
  });
});

describe("contentIdempotencyKey", () => {
  it("keeps the keys it always gave (128-bit FNV-1a of canonical JSON)", () => {
    expect(contentIdempotencyKey({ given_name: "Amelia", email_address: "amelia@example.com" })).toBe(
      "11993154ee36f0ea5e31ec00eec07b57",
    );
    expect(contentIdempotencyKey({ b: [1, "é", null], a: { z: true } })).toBe(
      "701a516a7d02f26f431d6902cfd634b8",
    );
    expect(contentIdempotencyKey("")).toBe("07cc7607b4949e2535b67ecb046a73f0");
  });
});
