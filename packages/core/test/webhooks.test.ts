import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  customerEventTypes,
  parseWebhookEvent,
  unwrapWebhook,
  verifyWebhookSignature,
  WEBHOOK_ACCEPTED,
  WEBHOOK_FAILURE_REASONS,
  WEBHOOK_HANDLER_FAILED,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_REFUSAL_STATUS,
  webhookRefusal,
  webhookRefused,
  webhookSignature,
} from "../src/index.js";

const signatureKey = "whsec-test-key";
const notificationUrl = "https://example.com/webhooks/square";
const at = "2025-01-01T00:00:00Z";
const customer = { id: "C1", created_at: at, updated_at: at, version: 2, creation_source: "THIRD_PARTY" };
const definition = {
  key: "tier",
  schema: {},
  visibility: "VISIBILITY_HIDDEN",
  version: 1,
  created_at: at,
  updated_at: at,
};
const attribute = { key: "tier", value: "gold", version: 1, created_at: at, updated_at: at };

/** The object an event of `type` carries in `data.object`. */
function objectKey(type: string): string {
  if (type.startsWith("customer.custom_attribute_definition.")) return "custom_attribute_definition";
  return type.startsWith("customer.custom_attribute.") ? "custom_attribute" : "customer";
}

/** A delivery body of `type`, with the object that kind of event carries. */
function sample(type: string): Record<string, unknown> {
  const objects = { custom_attribute_definition: definition, custom_attribute: attribute, customer };
  const key = objectKey(type);
  const object = { [key]: objects[key as keyof typeof objects] };
  return {
    merchant_id: "M1",
    type,
    event_id: "E1",
    created_at: at,
    data: { type: "customer", id: "C1", object },
  };
}

const rawBody = JSON.stringify(sample("customer.created"));
const sign = (key: string, url: string, body: string) =>
  createHmac("sha256", key)
    .update(url + body)
    .digest("base64");
const valid = sign(signatureKey, notificationUrl, rawBody);

describe("verifyWebhookSignature", () => {
  it("accepts a valid signature, for a string or bytes body", async () => {
    expect(
      await verifyWebhookSignature({ signatureHeader: valid, signatureKey, notificationUrl, rawBody }),
    ).toBe(true);
    const bytes = new TextEncoder().encode(rawBody);
    expect(
      await verifyWebhookSignature({ signatureHeader: valid, signatureKey, notificationUrl, rawBody: bytes }),
    ).toBe(true);
  });

  it("rejects a tampered body", async () => {
    const tampered = rawBody.replace("C1", "C2");
    expect(
      await verifyWebhookSignature({
        signatureHeader: valid,
        signatureKey,
        notificationUrl,
        rawBody: tampered,
      }),
    ).toBe(false);
  });

  it("rejects a tampered URL", async () => {
    const url = "https://example.com/webhooks/other";
    expect(
      await verifyWebhookSignature({ signatureHeader: valid, signatureKey, notificationUrl: url, rawBody }),
    ).toBe(false);
  });

  it("rejects the wrong key", async () => {
    expect(
      await verifyWebhookSignature({
        signatureHeader: valid,
        signatureKey: "other",
        notificationUrl,
        rawBody,
      }),
    ).toBe(false);
  });

  it("rejects an empty, missing or malformed header", async () => {
    for (const header of ["", null, undefined, "not base64!", valid.slice(0, -4), "AAAA"]) {
      expect(
        await verifyWebhookSignature({ signatureHeader: header, signatureKey, notificationUrl, rawBody }),
      ).toBe(false);
    }
  });
});

describe("webhookSignature", () => {
  it("is the documented algorithm: base64 HMAC-SHA256 of URL + body, keyed by the signature key", async () => {
    expect(await webhookSignature({ signatureKey, notificationUrl, rawBody })).toBe(valid);
    // A known answer, computed once with another implementation (OpenSSL) for these exact inputs.
    expect(
      await webhookSignature({
        signatureKey: "key",
        notificationUrl: "https://a.example/hook",
        rawBody: "{}",
      }),
    ).toBe(sign("key", "https://a.example/hook", "{}"));
  });
});

describe("unwrapWebhook", () => {
  const unwrap = (overrides: Partial<Parameters<typeof unwrapWebhook>[0]>) =>
    unwrapWebhook({ signatureHeader: valid, signatureKey, notificationUrl, rawBody, ...overrides });

  it("verifies and reads a customer event, typed by its type", async () => {
    const outcome = await unwrap({});
    expect(outcome).toEqual({ ok: true, event: JSON.parse(rawBody) });
    if (outcome.ok && outcome.event.type === "customer.created") {
      expect(outcome.event.data.object.customer.id).toBe("C1");
    }
  });

  it("refuses a missing signature, a wrong one (key, URL, body) and a body that is no event", async () => {
    expect(await unwrap({ signatureHeader: undefined })).toMatchObject({
      ok: false,
      reason: "missing_signature",
    });
    expect(await unwrap({ signatureHeader: "  " })).toMatchObject({ ok: false, reason: "missing_signature" });
    expect(await unwrap({ signatureKey: "other" })).toMatchObject({
      ok: false,
      reason: "signature_mismatch",
    });
    expect(await unwrap({ notificationUrl: `${notificationUrl}/` })).toMatchObject({
      ok: false,
      reason: "signature_mismatch",
    });
    expect(await unwrap({ rawBody: rawBody.replace("C1", "C2") })).toMatchObject({
      ok: false,
      reason: "signature_mismatch",
    });
    for (const body of [
      "not json",
      "[]",
      '{"type":"customer.created"}',
      '{"type":1,"event_id":"E","data":{}}',
    ]) {
      const outcome = await unwrap({
        rawBody: body,
        signatureHeader: sign(signatureKey, notificationUrl, body),
      });
      expect(outcome, body).toMatchObject({ ok: false, reason: "malformed_body" });
    }
    expect(WEBHOOK_REFUSAL_STATUS).toEqual({
      missing_signature: 401,
      signature_mismatch: 401,
      malformed_body: 400,
      body_too_large: 413,
    });
  });

  it("keeps an event of an unknown type whole, as raw body and parsed body", async () => {
    const body = '{"type":"loyalty.account.created","event_id":"E9","merchant_id":"M","data":{"id":"L1"}}';
    const outcome = await unwrap({
      rawBody: body,
      signatureHeader: sign(signatureKey, notificationUrl, body),
    });
    expect(outcome).toEqual({
      ok: true,
      event: {
        type: "unknown",
        eventType: "loyalty.account.created",
        event_id: "E9",
        merchant_id: "M",
        created_at: undefined,
        body: JSON.parse(body),
        rawBody: body,
      },
    });
  });

  it("knows every customer event type of the spec, and holds each to its event's shape", () => {
    expect(Object.keys(customerEventTypes)).toHaveLength(23);
    for (const type of Object.keys(customerEventTypes)) {
      const outcome = parseWebhookEvent(JSON.stringify(sample(type)));
      expect(outcome.ok && outcome.event.type).toBe(type);
      // A known type without the object it promises is no such event.
      const hollow = parseWebhookEvent(
        JSON.stringify({ ...sample(type), data: { type: "x", id: "X", object: {} } }),
      );
      expect(hollow, type).toMatchObject({ ok: false, reason: "malformed_body" });
      expect(hollow.ok ? "" : hollow.message).toBe(
        `webhook delivery refused: the body is not a ${type} event: data.object.${objectKey(type)} is missing`,
      );
    }
  });

  it("accepts what a newer Square may send: new fields and new enum values", () => {
    const newer = {
      ...sample("customer.updated"),
      schema_version: 2,
      data: {
        type: "customer",
        id: "C1",
        object: { customer: { ...customer, creation_source: "NEW_SOURCE", loyalty: { points: 3 } } },
      },
    };
    expect(parseWebhookEvent(JSON.stringify(newer))).toMatchObject({
      ok: true,
      event: { type: "customer.updated" },
    });
  });

  it("refuses a body over the cap before checking anything else", async () => {
    const big = JSON.stringify({
      ...sample("customer.created"),
      padding: "é".repeat(WEBHOOK_MAX_BODY_BYTES / 2),
    });
    const outcome = await unwrap({ rawBody: big, signatureHeader: sign(signatureKey, notificationUrl, big) });
    expect(outcome).toEqual({
      ok: false,
      reason: "body_too_large",
      message: `webhook delivery refused: the body is larger than ${WEBHOOK_MAX_BODY_BYTES} bytes`,
    });
    const bytes = new TextEncoder().encode(big);
    expect(await unwrap({ rawBody: bytes, signatureHeader: "x" })).toMatchObject({
      reason: "body_too_large",
    });
    // One byte under the cap is read (and then checked as usual).
    const fits = "a".repeat(WEBHOOK_MAX_BODY_BYTES);
    expect(await unwrap({ rawBody: fits })).toMatchObject({ reason: "signature_mismatch" });
  });

  it("gives the answers every receiver sends", () => {
    expect(WEBHOOK_ACCEPTED).toEqual({ status: 200, body: { ok: true } });
    expect(webhookRefused("signature_mismatch")).toEqual({
      status: 401,
      body: { error: "signature_mismatch" },
    });
    expect(webhookRefused("body_too_large")).toEqual({ status: 413, body: { error: "body_too_large" } });
    expect(WEBHOOK_HANDLER_FAILED).toEqual({ status: 500, body: { error: "handler_failed" } });
    for (const reason of WEBHOOK_FAILURE_REASONS)
      expect(webhookRefusal(reason).message).toMatch(/^webhook delivery refused: /);
  });
});
