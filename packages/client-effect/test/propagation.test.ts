// Trace propagation headers: effect/http adds `traceparent` and `b3` to every request by default, which a
// browser's CORS preflight must then allow. The README shows how to turn them off; this proves it works.
// A small HTTP server on 127.0.0.1 records the headers that really arrive (the emulator does not log them).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer } from "effect";
import { FetchHttpClient, HttpClient } from "effect/http";
import { SquareClient } from "../src/index.js";

/** A server that answers every request with a customer and records each request's headers. */
const recordingServer = Effect.acquireRelease(
  Effect.promise(async () => {
    const received: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      received.push(request.headers);
      response.writeHead(200, { "content-type": "application/json" });
      const at = "2025-01-01T00:00:00Z";
      const customer = {
        id: "C1",
        created_at: at,
        updated_at: at,
        version: 0,
        creation_source: "THIRD_PARTY",
      };
      response.end(JSON.stringify({ customer }));
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    return { received, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }),
  ({ server }) => Effect.promise(() => new Promise((closed) => server.close(closed))),
);

/** Retrieves one customer through `SquareClient` on `url`, with `extra` provided too; the headers sent. */
const headersSent = (extra: Layer.Layer<never>) =>
  Effect.gen(function* () {
    const { received, url } = yield* recordingServer;
    yield* Effect.gen(function* () {
      const square = yield* SquareClient;
      yield* square.customers.retrieve("C1");
    }).pipe(
      Effect.provide(SquareClient.layer({ accessToken: "t", environment: url })),
      Effect.provide(FetchHttpClient.layer),
      Effect.provide(extra),
    );
    assert.lengthOf(received, 1);
    return received[0]!;
  }).pipe(Effect.scoped);

describe("trace propagation headers", () => {
  it.live("are sent by default (traceparent and b3)", () =>
    Effect.gen(function* () {
      const headers = yield* headersSent(Layer.empty);
      assert.isString(headers.traceparent);
      assert.isString(headers.b3);
    }),
  );

  it.live("are not sent with HttpClient.TracerPropagationEnabled set to false (as the README shows)", () =>
    Effect.gen(function* () {
      const headers = yield* headersSent(Layer.succeed(HttpClient.TracerPropagationEnabled)(false));
      assert.isUndefined(headers.traceparent);
      assert.isUndefined(headers.b3);
      assert.strictEqual(headers.authorization, "Bearer t");
    }),
  );
});
