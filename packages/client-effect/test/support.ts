// Test support: the emulator as a scoped service, and a client of a fresh merchant for each test (every
// new token is its own, empty, merchant in the emulator, so tests never see each other's data).
import { randomUUID } from "node:crypto";
import {
  type Emulator as EmulatorHandle,
  type EmulatorOptions,
  startEmulator,
} from "@square-customers/emulator";
import { Context, Effect, Layer, Tracer } from "effect";
import { FetchHttpClient, HttpClient, UrlParams } from "effect/http";
import { defaultRetrySchedule, SquareClient, type SquareClientOptions } from "../src/index.js";

export class Emulator extends Context.Service<Emulator, EmulatorHandle>()("test/Emulator") {
  /** An emulator on 127.0.0.1 (random port) for the life of the layer. */
  static readonly layer = (options: EmulatorOptions = {}) =>
    Layer.effect(
      Emulator,
      Effect.acquireRelease(
        Effect.promise(() => startEmulator({ host: "127.0.0.1", port: 0, ...options })),
        (emulator) => Effect.promise(() => emulator.close()),
      ),
    );
}

/** The default policy with tiny waits, so retry tests stay fast. */
export const fastRetries = defaultRetrySchedule({ baseMs: 1, maxMs: 20 });

/** A fresh token: a new, empty merchant. */
export const newToken = () => `test-${randomUUID()}`;

/** A `SquareClient` on the emulator for a new merchant (or the given token), over fetch (or `http`). */
export const clientLayer = (
  options: Partial<SquareClientOptions> = {},
  http: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer,
) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const emulator = yield* Emulator;
      return SquareClient.layer({
        accessToken: newToken(),
        environment: emulator.url,
        retrySchedule: fastRetries,
        ...options,
      });
    }),
  ).pipe(Layer.provide(http));

/** What the client put on the wire, as spec-check wants it. */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Fetch, recording every request it sends (after the client's own additions: URL and headers). */
export const recordingHttp = (sent: SentRequest[]) =>
  Layer.effect(
    HttpClient.HttpClient,
    HttpClient.HttpClient.useSync((client) =>
      client.pipe(
        HttpClient.tapRequest((request) =>
          Effect.sync(() => {
            const query = UrlParams.toString(request.urlParams);
            const body =
              request.body._tag === "Uint8Array"
                ? (request.body.text ?? new TextDecoder().decode(request.body.body))
                : undefined;
            sent.push({
              method: request.method,
              url: query === "" ? request.url : `${request.url}?${query}`,
              headers: { ...request.headers },
              ...(body === undefined ? {} : { body: JSON.parse(body) }),
            });
          }),
        ),
      ),
    ),
  ).pipe(Layer.provide(FetchHttpClient.layer));

/** Runs `effect` with the given fault rules armed, and none afterwards. */
export const withFaults =
  (rules: Parameters<EmulatorHandle["faults"]["set"]>[0]) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const emulator = yield* Emulator;
      emulator.faults.set(rules);
      return yield* effect.pipe(Effect.ensuring(Effect.sync(() => emulator.faults.set([]))));
    });

/** How many requests for `operation` the emulator has received so far. */
export const requestCount = (operation: keyof EmulatorHandle["requests"]) =>
  Emulator.useSync((emulator) => emulator.requests[operation] ?? 0);

/** A tracer that keeps every span it starts. */
export const recordingTracer = () => {
  const spans: Tracer.NativeSpan[] = [];
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options);
      spans.push(span);
      return span;
    },
  });
  return { spans, tracer };
};

/** Everything a span holds, as text. */
export const dumpSpan = (span: Tracer.NativeSpan) =>
  JSON.stringify(
    { name: span.name, attributes: [...span.attributes], events: span.events, status: span.status },
    (_, v) => (typeof v === "bigint" ? String(v) : v),
  );
