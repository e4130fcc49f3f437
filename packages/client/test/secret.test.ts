// The access token must not appear in any error (message, stack, cause, toJSON, inspection) nor in
// anything given to the logger, whatever the failure.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  NotFoundError,
  RateLimitError,
  RequestValidationError,
  ResponseFormatError,
  TimeoutError,
  UnauthorizedError,
} from "../src/index.js";
import { failure, TOKEN, useEmulator } from "./support.js";

/** A second secret: a token the emulator does not accept. */
const WRONG = `EAAAEwrong-${crypto.randomUUID()}`;
const h = useEmulator({ tokens: [TOKEN] });

const logged: unknown[][] = [];
const logger = {
  debug: (...args: unknown[]) => logged.push(args),
  warn: (...args: unknown[]) => logged.push(args),
};

/** Every way an error is commonly turned into text. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    String(e),
    e.message,
    e.stack ?? "",
    JSON.stringify(e),
    inspect(e, { depth: null, showHidden: true }),
    inspect(e.cause, { depth: null, showHidden: true }),
  ];
}

function expectNoSecret(texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(WRONG);
  }
}

describe("the token never leaks", () => {
  it("from errors of every kind, or from the log", async () => {
    const square = h.client({ logger, maxRetries: 1 });
    const id = (await square.customers.create({ given_name: "Secret" })).customer!.id!;
    const cases: Array<[() => PromiseLike<unknown>, new (...args: never[]) => Error]> = [
      [() => h.client({ accessToken: WRONG, logger }).customers.retrieve(id), UnauthorizedError],
      [() => square.customers.retrieve("NO_SUCH"), NotFoundError],
      [() => square.customers.create({ note: "no name" }), RequestValidationError],
      [
        () => {
          h.emulator.faults.set([
            { kind: "rate_limit", operations: ["retrieveCustomer"], retryAfterSeconds: 0 },
          ]);
          return square.customers.retrieve(id);
        },
        RateLimitError,
      ],
      [
        () => {
          h.emulator.faults.set([{ kind: "drop_connection", operations: ["retrieveCustomer"] }]);
          return square.customers.retrieve(id);
        },
        ConnectionError,
      ],
      [
        () => {
          h.emulator.faults.set([{ kind: "malformed_body", operations: ["retrieveCustomer"] }]);
          return square.customers.retrieve(id);
        },
        ResponseFormatError,
      ],
      [
        () => {
          h.emulator.faults.set([{ kind: "latency", operations: ["retrieveCustomer"], latencyMs: 300 }]);
          return square.customers.retrieve(id, { timeout: 20 });
        },
        TimeoutError,
      ],
      // Nothing listens on port 9 of 127.0.0.1: connection refused.
      [() => h.client({ environment: "http://127.0.0.1:9", logger }).customers.retrieve(id), ConnectionError],
    ];
    for (const [call, kind] of cases) {
      const error = await failure(call());
      h.emulator.faults.set([]);
      expect(error).toBeInstanceOf(kind);
      expectNoSecret(renderings(error));
    }
    expect(logged.length).toBeGreaterThan(10);
    expectNoSecret([JSON.stringify(logged), inspect(logged, { depth: null })]);
    // The log does show that a token was sent, redacted.
    expect(JSON.stringify(logged)).toContain("Bearer [REDACTED]");
  });
});
