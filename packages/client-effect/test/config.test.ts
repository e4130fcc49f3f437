import { assert, describe, it } from "@effect/vitest";
import { missingAccessTokenMessage, SQUARE_VERSION } from "@square-customers/core/client-kit";
import { ConfigProvider, Effect, Layer } from "effect";
import { FetchHttpClient } from "effect/http";
import { SquareClient } from "../src/index.js";

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
      const context = yield* build({ SQUARE_ACCESS_TOKEN: "token" });
      assert.isDefined(context);
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

  it.effect("accepts sandbox, a URL and an explicit version", () =>
    Effect.gen(function* () {
      yield* build({
        SQUARE_ACCESS_TOKEN: "t",
        SQUARE_ENVIRONMENT: "sandbox",
        SQUARE_VERSION: SQUARE_VERSION,
      });
      yield* build({ SQUARE_ACCESS_TOKEN: "t", SQUARE_ENVIRONMENT: "http://127.0.0.1:9" });
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
