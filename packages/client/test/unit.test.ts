// Unit tests with a fake fetch, only for what a real server (the emulator) cannot be made to produce:
// a server or proxy echoing the token, a proxy's HTML error page, a 2xx of the wrong shape, a fetch
// that throws something that is not a network error.
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  createSquareClient,
  RequestValidationError,
  ResponseFormatError,
  ServerError,
  type SquareClientOptions,
  UnauthorizedError,
} from "../src/index.js";

const TOKEN = "EAAAl-unit-test-secret-token-0123456789";
/** A customer as Square returns it: the fields it always sends, and any others given. */
const customer = (fields: Record<string, unknown>) => ({
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  version: 0,
  creation_source: "THIRD_PARTY",
  ...fields,
});

type Answer = () => Response | Promise<Response>;

/** A fetch answering from a script, one entry per call; records what it was asked. */
function scripted(...answers: Answer[]) {
  const seen: Request[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push(request);
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)];
    if (!answer) throw new Error("no answer scripted");
    return answer();
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });

function client(fetch: typeof globalThis.fetch, extra: Partial<SquareClientOptions> = {}) {
  return createSquareClient({
    accessToken: TOKEN,
    environment: "http://127.0.0.1:9/",
    fetch,
    backoff: { baseMs: 1, maxMs: 5 },
    ...extra,
  });
}

async function failure(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("requests", () => {
  it("sends the token, Square-Version and JSON, to the path from core's table", async () => {
    const { fetch, seen } = scripted(json(200, { customer: customer({ id: "C1" }) }));
    const square = client(fetch, { squareVersion: "2025-08-20", headers: { "x-extra": "1" } });
    await square.customers.update("C 1/x", { nickname: "n" }, { headers: { "x-call": "2" } });
    const request = seen[0]!;
    expect(request.method).toBe("PUT");
    expect(request.url).toBe("http://127.0.0.1:9/v2/customers/C%201%2Fx");
    expect(request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request.headers.get("square-version")).toBe("2025-08-20");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("x-extra")).toBe("1");
    expect(request.headers.get("x-call")).toBe("2");
    expect(await request.json()).toEqual({ nickname: "n" });
  });

  it("maps environments to core's base URLs and rejects anything else", async () => {
    const { fetch, seen } = scripted(json(200, {}));
    await client(fetch, { environment: "sandbox" }).customers.segments.list();
    expect(seen[0]!.url).toBe("https://connect.squareupsandbox.com/v2/customers/segments");
    expect(() => client(fetch, { environment: "staging" })).toThrow(TypeError);
    expect(() => client(fetch, { environment: "file:///etc/" })).toThrow(TypeError);
    expect(() => client(fetch, { accessToken: "" })).toThrow(TypeError);
  });

  it("validates before sending: nothing reaches fetch", async () => {
    const { fetch, seen } = scripted(json(200, {}));
    const error = await failure(client(fetch).customers.create({ nickname: "only a nickname" }));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues.length).toBeGreaterThan(0);
    const limit = await failure(client(fetch).customers.list({ limit: 500 }));
    expect((limit as RequestValidationError).issues).toEqual([expect.objectContaining({ field: "limit" })]);
    expect(seen).toHaveLength(0);
  });

  it("refuses a search filter key the spec does not define, naming the one it most likely means", async () => {
    const { fetch, seen } = scripted(json(200, {}));
    const filter = { emial: { exact: "ada@example.com" } } as never;
    const error = await failure(client(fetch).customers.search({ query: { filter } }));
    expect(error).toMatchObject({
      kind: "invalid_request",
      retryable: false,
      issues: [{ field: "query.filter.emial", code: "UNKNOWN_BODY_PARAMETER" }],
      message:
        'searchCustomers request is invalid, nothing was sent: query.filter.emial is not a field of CustomerFilter (did you mean "email_address"?) (UNKNOWN_BODY_PARAMETER)',
    });
    expect(seen).toHaveLength(0);
  });
});

describe("responses a server cannot be made to send", () => {
  it("a proxy's HTML error page is a ServerError with no Square errors, retried", async () => {
    const html = () =>
      new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } });
    const { fetch, seen } = scripted(html);
    const error = await failure(client(fetch).customers.retrieve("C1"));
    expect(error).toBeInstanceOf(ServerError);
    expect(String(error)).toMatch(/^ServerError: retrieveCustomer failed with HTTP 502/);
    expect((error as ServerError).errors).toEqual([]);
    expect((error as ServerError).body).toBe("<html>bad gateway</html>");
    expect(seen).toHaveLength(3);
  });

  it("a 2xx of the wrong shape is a ResponseFormatError and is not retried", async () => {
    const { fetch, seen } = scripted(json(200, { customers: "not a list" }));
    const error = await failure(client(fetch).customers.list());
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect(String(error)).toMatch(/customers/);
    const array = await failure(client(scripted(json(200, [1, 2])).fetch).customers.retrieve("C1"));
    expect(array).toBeInstanceOf(ResponseFormatError);
    expect(seen).toHaveLength(1);
  });

  it("an error thrown by the caller's own fetch (not a network error) is handed back untouched", async () => {
    const mine = new RangeError("my fetch broke");
    const square = client((async () => {
      throw mine;
    }) as typeof globalThis.fetch);
    expect(await failure(square.customers.retrieve("C1"))).toBe(mine);
  });

  it("a network TypeError becomes a ConnectionError without the Request or token attached", async () => {
    const { fetch, seen } = scripted(() => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error(`reset ${TOKEN}`), { code: "ECONNRESET" }),
      });
    });
    const error = await failure(client(fetch, { maxRetries: 1 }).customers.retrieve("C1"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(seen).toHaveLength(2);
    const cause = (error as Error).cause as Error;
    expect((cause.cause as { code?: string }).code).toBe("ECONNRESET");
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String((cause.cause as Error).message)).not.toContain(TOKEN);
  });
});

describe("statuses the emulator does not send", () => {
  it("408 is retried; 501 (will not change) is answered once", async () => {
    const timedOut = scripted(json(408, {}), json(200, { customer: customer({ id: "C1" }) }));
    const { response } = await client(timedOut.fetch).customers.retrieve("C1").withResponse();
    expect(response).toMatchObject({ status: 200, attempts: 2 });

    const notImplemented = scripted(json(501, {}));
    const error = await failure(client(notImplemented.fetch).customers.retrieve("C1"));
    expect(error).toBeInstanceOf(ServerError);
    // Core's verdict travels on the error as it is: no retry could help a 501.
    expect(error).toMatchObject({ kind: "server", retryable: false });
    expect(notImplemented.seen).toHaveLength(1);
    const unavailable = scripted(json(503, {}));
    const ranOut = await failure(client(unavailable.fetch, { maxRetries: 0 }).customers.retrieve("C1"));
    expect(ranOut).toMatchObject({ kind: "server", retryable: true, status: 503 });
    expect((ranOut as ServerError).toJSON()).toMatchObject({ kind: "server", retryable: true, errors: [] });
  });

  it("maxRetries must be a non-negative integer (NaN would retry for ever)", async () => {
    const { fetch, seen } = scripted(json(503, {}));
    expect(() => client(fetch, { maxRetries: Number.NaN })).toThrow(RangeError);
    expect(await failure(client(fetch).customers.retrieve("C1", { maxRetries: 1.5 }))).toBeInstanceOf(
      RangeError,
    );
    expect(seen).toHaveLength(0);
  });
});

describe("the token never leaks", () => {
  it("is scrubbed from an error body a server echoes it in, and from logs", async () => {
    const lines: unknown[] = [];
    const logger = {
      debug: (...args: unknown[]) => lines.push(args),
      warn: (...args: unknown[]) => lines.push(args),
    };
    const echo = () =>
      new Response(
        JSON.stringify({
          errors: [
            { category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED", detail: `bad token Bearer ${TOKEN}` },
          ],
        }),
        { status: 401, headers: { "content-type": "application/json" } },
      );
    const error = await failure(client(scripted(echo).fetch, { logger }).customers.retrieve("C1"));
    expect(error).toBeInstanceOf(UnauthorizedError);
    const e = error as UnauthorizedError;
    for (const text of [
      String(e),
      e.message,
      e.stack ?? "",
      JSON.stringify(e),
      JSON.stringify(e.body),
      JSON.stringify(lines),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(e.errors[0]?.detail).toContain("[REDACTED]");
    expect(JSON.stringify(lines)).toContain("Bearer [REDACTED]");
  });

  it("leaves successful bodies alone: they are the caller's data", async () => {
    const body = { customer: customer({ id: "C1", note: `notes mention ${TOKEN}` }) };
    const data = await client(scripted(json(200, body)).fetch).customers.retrieve("C1");
    expect(data).toEqual(body);
    // A short (test) token is not searched for, so ordinary text is not mangled.
    const short = createSquareClient({
      accessToken: "t",
      environment: "http://127.0.0.1:9",
      fetch: scripted(json(200, body)).fetch,
    });
    expect(await short.customers.retrieve("C1")).toEqual(body);
  });
});
