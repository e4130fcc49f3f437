import { assert, describe, it } from "@effect/vitest";
import { missingAccessTokenMessage, SQUARE_VERSION } from "@square-customers/core/client-kit";
import { ConfigProvider, Effect, Layer } from "effect";
import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http";
import { SquareClient } from "../src/index.js";

/**
 * The request a client built by `SquareClient.layerConfig` from `env` sends for `customers.list()`. It
 * goes to a transport that records it and answers an empty page: the default environment is Square's
 * production, which a test must not call.
 */
const firstRequest = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const sent: Array<{ url: string; headers: Readonly<Record<string, string>> }> = [];
    const recording = Layer.succeed(HttpClient.HttpClient)(
      HttpClient.make((request) =>
        Effect.sync(() => {
          sent.push({ url: request.url, headers: request.headers });
          return HttpClientResponse.fromWeb(request, Response.json({}));
        }),
      ),
    );
    yield* Effect.flatMap(SquareClient, (square) => square.customers.list()).pipe(
      Effect.provide(SquareClient.layerConfig),
      Effect.provide(Layer.merge(recording, ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
    );
    assert.strictEqual(sent.length, 1);
    return sent[0]!;
  });

/** Builds `SquareClient.layerConfig` from the given environment variables; nothing is sent. */
const build = (env: Record<string, string>) =>
  Layer.build(SquareClient.layerConfig).pipe(
    Effect.provide(Layer.merge(FetchHttpClient.layer, ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
    Effect.scoped,
  );

const failureMessage = (env: Record<string, string>) =>
  build(env).pipe(
    Effect.flip,
    Effect.map((error) => String(error)),
  );

describe("SquareClient.layerConfig", () => {
  it.effect("builds from SQUARE_ACCESS_TOKEN alone (production, core's Square-Version)", () =>
    Effect.gen(function* () {
      const request = yield* firstRequest({ SQUARE_ACCESS_TOKEN: "token" });
      assert.strictEqual(request.url, "https://connect.squareup.com/v2/customers");
      assert.strictEqual(request.headers["square-version"], SQUARE_VERSION);
      assert.strictEqual(request.headers.authorization, "Bearer token");
    }),
  );

  it.effect("a missing token is a ConfigError that says it is not set and what to do, in core's words", () =>
    Effect.gen(function* () {
      const error = yield* build({}).pipe(Effect.flip);
      assert.strictEqual(error._tag, "ConfigError");
      assert.include(error.message, missingAccessTokenMessage());
      assert.match(missingAccessTokenMessage(), /^SQUARE_ACCESS_TOKEN is not set: set it to /);
      assert.notInclude(String(error), "SchemaError");
    }),
  );

  it.effect("an empty token counts as missing", () =>
    Effect.gen(function* () {
      assert.include(yield* failureMessage({ SQUARE_ACCESS_TOKEN: "" }), "SQUARE_ACCESS_TOKEN is not set");
    }),
  );

  it.effect("a bad environment names SQUARE_ENVIRONMENT", () =>
    Effect.gen(function* () {
      const message = yield* failureMessage({ SQUARE_ACCESS_TOKEN: "t", SQUARE_ENVIRONMENT: "staging" });
      assert.include(message, "SQUARE_ENVIRONMENT");
      assert.notInclude(message, "SQUARE_ACCESS_TOKEN");
    }),
  );

  it.effect("a URL that does not parse is a ConfigError naming SQUARE_ENVIRONMENT, not a defect", () =>
    Effect.gen(function* () {
      const error = yield* build({ SQUARE_ACCESS_TOKEN: "t", SQUARE_ENVIRONMENT: "http://[" }).pipe(
        Effect.flip,
      );
      assert.strictEqual(error._tag, "ConfigError");
      assert.include(String(error), "SQUARE_ENVIRONMENT");
    }),
  );

  it.effect("a malformed version names SQUARE_VERSION", () =>
    Effect.gen(function* () {
      assert.include(
        yield* failureMessage({ SQUARE_ACCESS_TOKEN: "t", SQUARE_VERSION: "latest" }),
        "SQUARE_VERSION",
      );
    }),
  );

  it.effect("accepts sandbox, a URL and an explicit version, and sends to them", () =>
    Effect.gen(function* () {
      const sandbox = yield* firstRequest({
        SQUARE_ACCESS_TOKEN: "t",
        SQUARE_ENVIRONMENT: "sandbox",
        SQUARE_VERSION: "2024-01-18",
      });
      assert.strictEqual(sandbox.url, "https://connect.squareupsandbox.com/v2/customers");
      assert.strictEqual(sandbox.headers["square-version"], "2024-01-18");
      const local = yield* firstRequest({
        SQUARE_ACCESS_TOKEN: "t",
        SQUARE_ENVIRONMENT: "http://127.0.0.1:9",
      });
      assert.strictEqual(local.url, "http://127.0.0.1:9/v2/customers");
      assert.strictEqual(local.headers["square-version"], SQUARE_VERSION);
    }),
  );

  it.effect("never prints the token, even in a config error", () =>
    Effect.gen(function* () {
      const message = yield* failureMessage({
        SQUARE_ACCESS_TOKEN: "sq0-secret",
        SQUARE_ENVIRONMENT: "nope",
      });
      assert.notInclude(message, "sq0-secret");
    }),
  );
});
