import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../src/index.js";

const signatureKey = "whsec-test-key";
const notificationUrl = "https://example.com/webhooks/square";
const rawBody = '{"merchant_id":"M1","type":"customer.created","data":{"id":"C1"}}';
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
