// Shared by the integration tests: an emulator on 127.0.0.1 (random port) per test file, and a fetch
// wrapper that checks every request the client sends against spec/ before passing it on.
import { type Emulator, type EmulatorOptions, startEmulator } from "@square-customers/emulator";
import { createSpecValidator } from "@square-customers/spec-check";
import { afterAll, beforeAll, expect } from "vitest";
import { createSquareClient, type SquareClient, type SquareClientOptions } from "../src/index.js";

/** Looks like a real Square token, so that a leak would be easy to spot. */
export const TOKEN = `EAAAEclient-suite-${crypto.randomUUID()}`;

const validator = createSpecValidator();

export interface SentRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
  readonly headers: Headers;
}

export interface Harness {
  emulator: Emulator;
  /** A client on the emulator with the contract-checking fetch and fast backoff. */
  square: SquareClient;
  client(options?: Partial<SquareClientOptions>): SquareClient;
  /** Every request sent through the checking fetch, in order. */
  readonly sent: SentRequest[];
  /**
   * Calls made to the checking fetch so far, counted the moment fetch is called. The client reaches
   * fetch within microtasks of being asked to send, so after one macrotask (`setTimeout(…, 0)`) an
   * unchanged count proves that nothing was sent, without waiting on the network.
   */
  readonly fetchCalls: number;
  /** Requests the spec does not allow (must stay empty). */
  readonly violations: string[];
}

/** The contract check: what the spec says about the request, plus the headers every call must carry. */
export async function check(request: Request, violations: string[]): Promise<SentRequest> {
  const text = await request.clone().text();
  const body = text === "" ? undefined : JSON.parse(text);
  const where = `${request.method} ${new URL(request.url).pathname}`;
  const problem = validator.validateRequest({ method: request.method, url: request.url, body });
  if (problem) violations.push(`${where}: ${problem}`);
  if (!/^Bearer \S+$/.test(request.headers.get("authorization") ?? ""))
    violations.push(`${where}: no bearer token`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.headers.get("square-version") ?? "")) {
    violations.push(`${where}: no Square-Version`);
  }
  if (body !== undefined && !request.headers.get("content-type")?.startsWith("application/json")) {
    violations.push(`${where}: body is not labelled JSON`);
  }
  return { method: request.method, url: new URL(request.url), body, headers: request.headers };
}

export function useEmulator(options: EmulatorOptions = {}): Harness {
  const sent: SentRequest[] = [];
  const violations: string[] = [];
  let fetchCalls = 0;
  const checkingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    fetchCalls++;
    const request = new Request(input, init);
    sent.push(await check(request, violations));
    return fetch(request);
  }) as typeof fetch;
  const harness = {
    sent,
    violations,
    get fetchCalls() {
      return fetchCalls;
    },
  } as unknown as Harness;
  harness.client = (overrides = {}) =>
    createSquareClient({
      accessToken: TOKEN,
      environment: harness.emulator.url,
      fetch: checkingFetch,
      backoff: { baseMs: 5, maxMs: 2_000 },
      ...overrides,
    });

  beforeAll(async () => {
    harness.emulator = await startEmulator({ port: 0, host: "127.0.0.1", ...options });
    harness.square = harness.client();
  });
  afterAll(async () => {
    await harness.emulator?.close();
    // The contract test: everything this file made the client send is a request the spec allows.
    expect(violations).toEqual([]);
  });
  return harness;
}

/** Lets every pending microtask run (one macrotask turn). */
export const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The rejection of a call that must fail. */
export async function failure(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}
