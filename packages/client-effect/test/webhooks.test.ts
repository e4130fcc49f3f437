// Receiving deliveries with Effect: every customer event type round-trips through its Schema, the decoder
// refuses forged, tampered and malformed deliveries with a typed WebhookError, and the effect/http
// handler answers 2xx only after the user's effect succeeded. Signatures come from node:crypto.
import { createHmac } from "node:crypto";
import { assert, describe, it } from "@effect/vitest";
import { customerEventTypes } from "@square-customers/core";
import { Effect, Layer, Schema } from "effect";
import { HttpRouter, HttpServer } from "effect/http";
import type { WebhookEvent } from "../src/index.js";
import { Schemas } from "../src/schemas.js";
import { decodeWebhook, webhookHandler } from "../src/webhooks.js";

const signatureKey = "whsec-effect-test";
const notificationUrl = "https://example.com/hooks/square";
const sign = (body: string, key = signatureKey) =>
  createHmac("sha256", key)
    .update(notificationUrl + body)
    .digest("base64");
const options = { signatureKey, notificationUrl };

const at = "2025-01-01T00:00:00Z";
const customer = {
  id: "C1",
  created_at: at,
  updated_at: at,
  version: 2,
  creation_source: "THIRD_PARTY",
  given_name: "Ada",
};
const definition = {
  key: "tier",
  schema: { $ref: "x" },
  visibility: "VISIBILITY_HIDDEN",
  version: 1,
  created_at: at,
  updated_at: at,
};
const attribute = { key: "tier", value: "gold", version: 1, created_at: at, updated_at: at };

/** A delivery body of `type`, with the object that kind of event carries. */
function sample(type: string) {
  const object = type.startsWith("customer.custom_attribute_definition.")
    ? { custom_attribute_definition: definition }
    : type.startsWith("customer.custom_attribute.")
      ? { custom_attribute: attribute }
      : { customer };
  return {
    merchant_id: "M1",
    type,
    event_id: `E-${type}`,
    created_at: at,
    data: { type: "customer", id: "C1", object },
  };
}

describe("customer events", () => {
  it.effect("every one of the 23 types round-trips through its Schema and the decoder", () =>
    Effect.gen(function* () {
      const types = Object.keys(customerEventTypes) as Array<keyof typeof Schemas.customerEvents>;
      assert.strictEqual(types.length, 23);
      for (const type of types) {
        const body = sample(type);
        const schema = Schemas.customerEvents[type] as Schema.Codec<unknown, unknown>;
        const decoded = yield* Schema.decodeUnknownEffect(schema)(body);
        assert.deepStrictEqual(yield* Schema.encodeEffect(schema)(decoded), body, type);
        const raw = JSON.stringify(body);
        const event = yield* decodeWebhook({ rawBody: raw, signatureHeader: sign(raw) }, options);
        assert.strictEqual(event.type, type);
      }
    }),
  );

  it.effect("refuses forged, tampered, unsigned and malformed deliveries with a typed error", () =>
    Effect.gen(function* () {
      const raw = JSON.stringify(sample("customer.created"));
      const reason = (rawBody: string, signatureHeader: string | undefined) =>
        decodeWebhook({ rawBody, signatureHeader }, options).pipe(
          Effect.flip,
          Effect.map((e) => [e._tag, e.reason, e.status] as const),
        );
      assert.deepStrictEqual(yield* reason(raw, undefined), ["WebhookError", "missing_signature", 401]);
      assert.deepStrictEqual(yield* reason(raw, sign(raw, "forged")), [
        "WebhookError",
        "signature_mismatch",
        401,
      ]);
      assert.deepStrictEqual(yield* reason(raw.replace("Ada", "Eve"), sign(raw)), [
        "WebhookError",
        "signature_mismatch",
        401,
      ]);
      assert.deepStrictEqual(yield* reason("[]", sign("[]")), ["WebhookError", "malformed_body", 400]);
      // Signed and JSON, but a customer event without its customer: the Schema refuses it.
      const hollow = JSON.stringify({
        ...sample("customer.created"),
        data: { type: "customer", id: "C1", object: {} },
      });
      assert.deepStrictEqual(yield* reason(hollow, sign(hollow)), ["WebhookError", "malformed_body", 400]);
    }),
  );

  it.effect("keeps an unknown event type whole", () =>
    Effect.gen(function* () {
      const raw = JSON.stringify({ type: "loyalty.event.created", event_id: "E1", data: { id: "X" } });
      const event = yield* decodeWebhook({ rawBody: raw, signatureHeader: sign(raw) }, options);
      assert.strictEqual(event.type, "unknown");
      assert.strictEqual(event.type === "unknown" ? event.eventType : "", "loyalty.event.created");
    }),
  );
});

describe("webhookHandler", () => {
  /** An effect/http app with the handler on POST /hooks, as a Web handler (Request in, Response out). */
  function app(onEvent: (event: WebhookEvent) => Effect.Effect<void, string>) {
    const routes = HttpRouter.add("POST", "/hooks", webhookHandler(options, onEvent));
    return HttpRouter.toWebHandler(routes.pipe(Layer.provide(HttpServer.layerServices)), {
      disableLogger: true,
    });
  }
  const deliver = (handler: (r: Request) => Promise<Response>, body: string, signature: string) =>
    handler(
      new Request("http://127.0.0.1/hooks", {
        method: "POST",
        body,
        headers: { "x-square-hmacsha256-signature": signature },
      }),
    );

  it("answers 200 after the effect succeeded, 401 to a forgery (effect not run), 500 when the effect fails", async () => {
    const seen: string[] = [];
    let fail = false;
    const { handler, dispose } = app((event) =>
      fail ? Effect.fail("database down") : Effect.sync(() => void seen.push(event.type)),
    );
    try {
      const raw = JSON.stringify(sample("customer.deleted"));
      assert.strictEqual((await deliver(handler, raw, sign(raw))).status, 200);
      assert.deepStrictEqual(seen, ["customer.deleted"]);
      assert.strictEqual((await deliver(handler, raw, sign(raw, "forged"))).status, 401);
      fail = true;
      const failed = await deliver(handler, raw, sign(raw));
      assert.strictEqual(failed.status, 500);
      assert.deepStrictEqual(seen, ["customer.deleted"]);
    } finally {
      await dispose();
    }
  });

  it("never answers 2xx before the user's effect has finished", async () => {
    let finished = false;
    const { handler, dispose } = app(() =>
      Effect.sleep("50 millis").pipe(
        Effect.andThen(
          Effect.sync(() => {
            finished = true;
          }),
        ),
      ),
    );
    try {
      const raw = JSON.stringify(sample("customer.created"));
      const response = await deliver(handler, raw, sign(raw));
      assert.strictEqual(response.status, 200);
      assert.isTrue(finished);
    } finally {
      await dispose();
    }
  });
});
