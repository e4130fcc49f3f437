// Receiving deliveries: `square.webhooks.unwrap` on a Fetch-API Request, and the node:http adapter on a
// real server on 127.0.0.1. Signatures are computed here with node:crypto, independently of core.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSquareClient, type WebhookEvent } from "../src/index.js";
import { createWebhookHandler } from "../src/node.js";
import { WebhookVerificationError } from "../src/webhooks/index.js";

const signatureKey = "whsec-client-test";
const notificationUrl = "https://example.com/hooks/square";
const customer = {
  id: "C1",
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  creation_source: "THIRD_PARTY",
  version: 3,
  given_name: "Ada",
};
const event = {
  merchant_id: "M1",
  type: "customer.updated",
  event_id: "E1",
  created_at: "2025-01-01T00:00:01Z",
  data: { type: "customer", id: "C1", object: { customer } },
};
const rawBody = JSON.stringify(event);
const sign = (body: string, key = signatureKey, url = notificationUrl) =>
  createHmac("sha256", key)
    .update(url + body)
    .digest("base64");

const square = createSquareClient({ accessToken: "EAAA-webhook-test-token", environment: "sandbox" });
const delivery = (body: string, signature: string | undefined) =>
  new Request("http://internal:8080/hooks/square", {
    method: "POST",
    body,
    headers: signature === undefined ? {} : { "x-square-hmacsha256-signature": signature },
  });

async function refusal(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("square.webhooks.unwrap", () => {
  it("verifies a delivery and types its event by `type`", async () => {
    const received = await square.webhooks.unwrap(delivery(rawBody, sign(rawBody)), {
      signatureKey,
      notificationUrl,
    });
    expect(received).toEqual(event);
    if (received.type === "customer.updated") expect(received.data.object.customer.version).toBe(3);
  });

  it("refuses a forged or tampered delivery with a typed error and its status", async () => {
    const options = { signatureKey, notificationUrl };
    expect(await refusal(square.webhooks.unwrap(delivery(rawBody, undefined), options))).toMatchObject({
      reason: "missing_signature",
      status: 401,
    });
    const tampered = rawBody.replace('"Ada"', '"Eve"');
    expect(await refusal(square.webhooks.unwrap(delivery(tampered, sign(rawBody)), options))).toMatchObject({
      reason: "signature_mismatch",
      status: 401,
    });
    expect(
      await refusal(square.webhooks.unwrap(delivery(rawBody, sign(rawBody, "other-key")), options)),
    ).toMatchObject({ reason: "signature_mismatch" });
    expect(
      await refusal(
        square.webhooks.unwrap(
          delivery(rawBody, sign(rawBody, signatureKey, `${notificationUrl}/`)),
          options,
        ),
      ),
    ).toMatchObject({ reason: "signature_mismatch" });
    expect(await refusal(square.webhooks.unwrap(delivery("{}", sign("{}")), options))).toMatchObject({
      reason: "malformed_body",
      status: 400,
    });
  });
});

describe("the node:http adapter", () => {
  const received: WebhookEvent[] = [];
  let failNext = false;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(
      createWebhookHandler({ signatureKey, notificationUrl }, (e) => {
        if (failNext) {
          failNext = false;
          throw new Error("database down");
        }
        received.push(e);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/square`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, signature: string) =>
    fetch(url, { method: "POST", body, headers: { "x-square-hmacsha256-signature": signature } });

  it("reads the raw body, answers 200 after the handler ran, and hands over the event", async () => {
    const response = await post(rawBody, sign(rawBody));
    expect(response.status).toBe(200);
    expect(received).toEqual([event]);
  });

  it("answers a forged delivery 401 without calling the handler, and a failed handler 500", async () => {
    expect((await post(rawBody, sign(rawBody, "forged"))).status).toBe(401);
    expect(received).toHaveLength(1);
    failNext = true;
    expect((await post(rawBody, sign(rawBody))).status).toBe(500);
    expect(received).toHaveLength(1);
  });
});
