// Test harness: starts emulators on 127.0.0.1 (port 0) and talks to them over real HTTP. Every JSON
// response goes through the spec validator (@square-customers/spec-check), so each test file doubles as
// a contract test: any response that breaks spec/ fails the test that received it, naming the
// operation and JSON path.

import { createSpecValidator } from "@square-customers/spec-check";
import { afterAll } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.js";

const validator = createSpecValidator();
const running: Emulator[] = [];

/** operationIds (spec names) that answered 2xx and passed the spec check in this test file. */
export const checkedOperations = new Set<string>();

afterAll(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/** Starts an emulator that is closed after the test file. */
export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const e = await startEmulator({ port: 0, host: "127.0.0.1", ...options });
  running.push(e);
  return e;
}

export interface Answer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  /** JSON body (serialised) or a raw string sent as is. */
  readonly body?: unknown;
  readonly raw?: string;
  readonly query?: Record<string, string | number | boolean>;
  readonly headers?: Record<string, string>;
  /** Send no Authorization header. */
  readonly noAuth?: boolean;
  /** Skip the spec check (for answers that are deliberately not JSON, e.g. injected faults). */
  readonly unchecked?: boolean;
}

/** A client for one bearer token: `api("GET", "/v2/customers", { query })`. */
export function client(e: Emulator, token = "token-a") {
  return async function api<T = any>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Answer<T>> {
    const url = new URL(path, e.url);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...options.headers };
    if (!options.noAuth) headers.authorization ??= `Bearer ${token}`;
    const body: string | undefined = options.body !== undefined ? JSON.stringify(options.body) : options.raw;
    // Declared as JSON, as the emulator (like Square) requires; negotiation.test.ts sends other types.
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (!options.unchecked) throw new Error(`${method} ${path}: answer is not JSON: ${text.slice(0, 200)}`);
    }
    if (!options.unchecked) {
      const problem = validator.validateResponse(
        { method, url: url.pathname + url.search },
        res.status,
        parsed,
      );
      if (problem !== null) throw new Error(`contract: ${problem}\nbody: ${text.slice(0, 500)}`);
      const operationId = validator.matchOperation(method, url.pathname);
      if (res.ok && operationId !== undefined) checkedOperations.add(operationId);
      if (res.headers.get("content-type") !== "application/json") throw new Error("content-type is not JSON");
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
}

export type Api = ReturnType<typeof client>;

/** Creates a customer and returns it. */
export async function createCustomer(api: Api, fields: Record<string, unknown> = {}): Promise<any> {
  const res = await api("POST", "/v2/customers", { body: { given_name: "Test", ...fields } });
  if (res.status !== 200) throw new Error(`create failed: ${res.text}`);
  return res.body.customer;
}

/** The single error of an error answer, with its status. */
export function errorOf(res: Answer): { status: number; code: string; category: string; field?: string } {
  const e = res.body?.errors?.[0];
  return {
    status: res.status,
    code: e?.code,
    category: e?.category,
    ...(e?.field ? { field: e.field } : {}),
  };
}
