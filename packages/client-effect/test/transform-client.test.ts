// `transformClient`: the hook Effect's own HTTP clients give, over HTTP against the emulator. Every request
// passes through the transformed client as the client built it (core's headers on it), what the transform
// adds reaches the server, and the token stays out of whatever the transform logs and of every span.
import { inspect } from "node:util";
import { assert, layer } from "@effect/vitest";
import { SQUARE_VERSION } from "@square-customers/core";
import { Effect, Logger, References } from "effect";
import { HttpClient, HttpClientRequest } from "effect/http";
import { SquareClient } from "../src/index.js";
import { clientLayer, dumpSpan, Emulator, recordingTracer } from "./support.js";

const TOKEN = "sq0atp-transformed-and-never-leaked";

layer(Emulator.layer(), { excludeTestServices: true })("transformClient", (it) => {
  it.effect("what the transform adds reaches Square, on every operation, after core's headers", () => {
    const seen: Array<Readonly<Record<string, string>>> = [];
    const transformClient = (client: HttpClient.HttpClient) =>
      client.pipe(
        HttpClient.mapRequest(HttpClientRequest.setHeader("x-team", "crm")),
        HttpClient.tapRequest((request) => Effect.sync(() => seen.push(request.headers))),
      );
    return Effect.gen(function* () {
      const emulator = yield* Emulator;
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.create({ given_name: "Ada" });
      yield* customers.retrieve(customer.id);
      const journal = emulator.requests({ merchant: emulator.merchantId(TOKEN) });
      assert.deepStrictEqual(
        journal.map((r) => [r.method, r.headers["x-team"]]),
        [
          ["POST", "crm"],
          ["GET", "crm"],
        ],
      );
      assert.strictEqual(seen.length, 2);
      for (const headers of seen) {
        assert.strictEqual(headers["square-version"], SQUARE_VERSION);
        assert.strictEqual(headers.authorization, `Bearer ${TOKEN}`);
      }
    }).pipe(Effect.provide(clientLayer({ accessToken: TOKEN, transformClient })));
  });

  it.effect("a transform that logs every request and response shows no token, nor does any span", () => {
    const { spans, tracer } = recordingTracer();
    const lines: string[] = [];
    const logger = Logger.make((options) => {
      lines.push(inspect(options.message, { depth: 10 }));
    });
    const transformClient = (client: HttpClient.HttpClient) =>
      client.pipe(
        HttpClient.tapRequest((request) => Effect.logDebug("square request", request)),
        HttpClient.tap((response) => Effect.logDebug("square response", response.request, response.status)),
      );
    return Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      yield* customers.create({ given_name: "Grace" });
      yield* Effect.flip(customers.retrieve("missing"));
      const spanText = spans.map(dumpSpan);
      assert.isAtLeast(lines.length, 4);
      assert.include(lines.join("\n"), "/v2/customers");
      assert.isAbove(spans.length, 2);
      assert.notInclude([...lines, ...spanText].join("\n"), TOKEN);
    }).pipe(
      Effect.withTracer(tracer),
      Effect.provide(Logger.layer([logger])),
      Effect.provideService(References.MinimumLogLevel, "Trace"),
      Effect.provide(clientLayer({ accessToken: TOKEN, transformClient })),
    );
  });

  it.effect("without a transform, the client sends on the HttpClient it is given, as before", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator;
      const { customers } = yield* SquareClient;
      yield* customers.list();
      const [request] = emulator.requests({ merchant: emulator.merchantId(`${TOKEN}-plain`) });
      assert.isUndefined(request?.headers["x-team"]);
      assert.strictEqual(request?.method, "GET");
    }).pipe(Effect.provide(clientLayer({ accessToken: `${TOKEN}-plain` }))),
  );
});
