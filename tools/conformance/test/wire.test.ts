// One wire format: every operation of core's table (all of them, found by iterating the table, so a new
// one is covered without a line here) is called through both clients' methods with the same arguments,
// against a server that records each request as it arrived. The two requests must be the same — method,
// path and query, headers apart from a short named list, body — and each is judged against Square's
// spec (spec-check: parameters, body schema, and headers: bearer token, Square-Version, the body's
// Content-Type, Accept). The emulator plays no part: the spec is the judge.
import { operation, operations } from "@square-customers/core";
import { createSpecValidator } from "@square-customers/spec-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientFlavor, flavors } from "../src/clients.ts";
import { type RecordedRequest, type Recorder, startRecorder } from "../src/recorder.ts";
import { operationNames, sampleCall } from "../src/samples.ts";

/**
 * Headers the two clients may send differently: trace context, which effect/http adds to every request
 * for its spans (`traceparent`, `tracestate`, `b3`), and `user-agent`, which names the HTTP stack.
 * Anything else that differs is a difference in what Square receives.
 */
export const HEADERS_ALLOWED_TO_DIFFER = ["traceparent", "tracestate", "b3", "user-agent"] as const;

const spec = createSpecValidator();
const TOKEN = "EAAAwire-format-token";
let recorder: Recorder;
/** What each flavor sent, by operation. */
const sent: Record<ClientFlavor["name"], Map<string, RecordedRequest>> = {
  promise: new Map(),
  effect: new Map(),
};

beforeAll(async () => {
  recorder = await startRecorder();
  for (const flavor of flavors) {
    const square = flavor.connect({ url: recorder.url, token: TOKEN, maxRetries: 0 });
    for (const name of operationNames()) {
      const { pathArgs, input } = sampleCall(name);
      const before = recorder.requests.length;
      const outcome = await square.call(name, input === undefined ? pathArgs : [...pathArgs, input]);
      // The recorder refuses every request with a 400: one request per call, never retried.
      if (outcome.ok || outcome.error.kind !== "bad_request") {
        throw new Error(`${flavor.name} ${name}: ${JSON.stringify(outcome)}`);
      }
      expect(recorder.requests.length - before, `${flavor.name} ${name}`).toBe(1);
      sent[flavor.name].set(name, recorder.requests.at(-1)!);
    }
  }
});

afterAll(async () => {
  await recorder.close();
});

/** A request without the headers allowed to differ. */
function comparable(request: RecordedRequest) {
  const headers = { ...request.headers };
  for (const name of HEADERS_ALLOWED_TO_DIFFER) delete headers[name];
  return { ...request, headers };
}

describe("one wire format", () => {
  it("covers every operation of core's table", () => {
    expect(operationNames()).toHaveLength(Object.keys(operations).length);
    expect(operationNames().length).toBeGreaterThanOrEqual(39);
    for (const flavor of flavors) expect([...sent[flavor.name].keys()]).toEqual(operationNames());
  });

  it.each(operationNames())("%s: both clients send the same request", (name) => {
    const promise = sent.promise.get(name)!;
    const effect = sent.effect.get(name)!;
    expect(comparable(effect)).toEqual(comparable(promise));
    // The same JSON, too, not merely the same text (which the line above already compares).
    if (promise.body !== undefined) expect(JSON.parse(effect.body!)).toEqual(JSON.parse(promise.body));
    expect(promise.method).toBe(operation(name).method);
  });

  it.each(operationNames())("%s: the request is one Square's spec allows, headers included", (name) => {
    for (const flavor of flavors) {
      const request = sent[flavor.name].get(name)!;
      const body = request.body === undefined ? undefined : JSON.parse(request.body);
      expect(spec.matchOperation(request.method, request.target)).toBe(operation(name).operationId);
      expect(
        spec.validateRequest({ method: request.method, url: request.target, body, headers: request.headers }),
      ).toBeNull();
    }
  });

  it("fills in what it can: path arguments are encoded, and bodies carry the fields the spec defines", () => {
    const retrieve = sent.promise.get("retrieveCustomer")!;
    expect(retrieve.target).toBe("/v2/customers/customer_id%3Aid%20with%20space%2F%C3%A9%3F%23");
    const list = sent.promise.get("listCustomers")!;
    expect(new URL(list.target, "http://x").searchParams.get("cursor")).toBe("cursor a+b/c&d=é");
    const search = JSON.parse(sent.promise.get("searchCustomers")!.body!);
    expect(Object.keys(search.query.filter).length).toBeGreaterThan(5);
    expect(search.query.filter).toHaveProperty("email_address.exact");
    expect(sent.promise.get("createCustomer")!.headers["content-type"]).toBe("application/json");
  });
});
