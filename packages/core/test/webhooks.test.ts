import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  customerEventTypes,
  parseWebhookEvent,
  unwrapWebhook,
  verifyWebhookSignature,
  WEBHOOK_REFUSAL_STATUS,
  webhookSignature,
} from "../src/index.js";

const signatureKey = "whsec-test-key";
const notificationUrl = "https://example.com/webhooks/square";
const rawBody =
  '{"merchant_id":"M1","type":"customer.created","event_id":"E1","created_at":"2025-01-01T00:00:00Z","data":{"type":"customer","id":"C1","object":{"customer":{"id":"C1"}}}}';
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

  it("knows every customer event type of the spec", () => {
    expect(Object.keys(customerEventTypes)).toHaveLength(23);
    for (const type of Object.keys(customerEventTypes)) {
      const body = JSON.stringify({ type, event_id: "E", data: { id: "X" } });
      const outcome = parseWebhookEvent(body);
      expect(outcome.ok && outcome.event.type).toBe(type);
    }
  });
});
