// Webhooks in both clients, against the emulator over HTTP on 127.0.0.1: all 8 Webhook Subscriptions
// operations, events the emulator delivers received by each client's own receivers (node:http, the Fetch
// standard, effect/http), forged deliveries refused, and bad subscription requests answered alike.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CustomerEventType,
  WEBHOOK_MAX_BODY_BYTES,
  type WebhookEvent,
  webhookSignature,
} from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { error, flavors, value } from "../src/clients.ts";
import {
  effectWebhooks,
  type NodeHandler,
  promiseWebhooks,
  type ReceiverOptions,
  webhookFlavors,
} from "../src/webhook-clients.ts";

let emulator: Emulator;
const servers: Server[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, webhookRetryScale: 0.001 });
});
afterAll(async () => {
  await emulator.close();
  for (const server of servers) server.close();
});

const newToken = () => `EAAAwebhooks-${randomUUID()}`;

/** A receiver on 127.0.0.1 running `handler`; its URL has a path (signatures cover it). */
async function listen(handler: NodeHandler): Promise<string> {
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/square`;
}

/** A receiver built from a flavor's receiving side, and the events it accepted. */
async function flavorReceiver(flavor: (typeof webhookFlavors)[number]) {
  const options: { -readonly [K in keyof ReceiverOptions]: string } = {
    signatureKey: "",
    notificationUrl: "",
  };
  const events: WebhookEvent[] = [];
  options.notificationUrl = await listen(flavor.handler(options, (event) => events.push(event)));
  return { options, events };
}

describe.each(webhookFlavors)("$name client: webhooks", (flavor) => {
  it("all 8 subscription operations; test events reach the client's own handler", async () => {
    const square = flavor.connect({ url: emulator.url, token: newToken() });
    const { options, events } = await flavorReceiver(flavor);
    expect(value(await square.eventTypes())).toHaveLength(23);

    const created = value(
      await square.create({
        subscription: {
          name: "Conformance",
          event_types: ["customer.created", "customer.updated"],
          notification_url: options.notificationUrl,
        },
      }),
    );
    expect(created.signature_key).toEqual(expect.any(String));
    options.signatureKey = created.signature_key!;
    const { signature_key: _, ...shown } = created;
    expect(value(await square.listAll())).toEqual([shown]);
    expect(value(await square.retrieve(created.id))).toEqual(shown);
    expect(value(await square.update(created.id, { subscription: { name: "Renamed" } })).name).toBe(
      "Renamed",
    );

    expect(value(await square.test(created.id)).status_code).toBe(200);
    expect(events.map((e) => e.type)).toEqual(["customer.created"]);

    // After a rotation the old key no longer verifies: the client's handler refuses with 401.
    const key = value(await square.rotateKey(created.id));
    expect(key).not.toBe(created.signature_key);
    expect(value(await square.test(created.id, "customer.updated")).status_code).toBe(401);
    options.signatureKey = key;
    expect(value(await square.test(created.id, "customer.updated")).status_code).toBe(200);
    expect(events.map((e) => e.type)).toEqual(["customer.created", "customer.updated"]);

    value(await square.delete(created.id));
    expect(error(await square.retrieve(created.id))).toMatchObject({ kind: "not_found", status: 404 });
    expect(value(await square.listAll())).toEqual([]);
  });

  it("events of real changes arrive verified and typed", async () => {
    const token = newToken();
    const square = flavor.connect({ url: emulator.url, token });
    const customers = flavors.find((f) => f.name === flavor.client)!.connect({ url: emulator.url, token });
    const { options, events } = await flavorReceiver(flavor);
    const sub = value(
      await square.create({
        subscription: { event_types: ["customer.created"], notification_url: options.notificationUrl },
      }),
    );
    options.signatureKey = sub.signature_key!;
    const id = value(await customers.create({ given_name: "Evented" })).customer?.id;
    await emulator.webhooks.whenIdle();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type).toBe("customer.created");
    if (event?.type !== "customer.created") return;
    expect(event.data.object.customer).toMatchObject({ id, given_name: "Evented" });
  });

  it("refuses forged, unsigned and malformed deliveries, and applies none", async () => {
    const { options, events } = await flavorReceiver(flavor);
    options.signatureKey = "the-real-key";
    const body = JSON.stringify({
      merchant_id: "M",
      type: "customer.deleted",
      event_id: "e",
      created_at: "2025-01-01T00:00:00Z",
      data: {
        type: "customer",
        id: "C",
        object: {
          customer: {
            id: "C",
            created_at: "2025-01-01T00:00:00Z",
            updated_at: "2025-01-01T00:00:00Z",
            creation_source: "THIRD_PARTY",
            version: 3,
          },
        },
      },
    });
    const post = async (text: string, signature?: string) =>
      (
        await fetch(options.notificationUrl, {
          method: "POST",
          body: text,
          headers: signature === undefined ? {} : { "x-square-hmacsha256-signature": signature },
        })
      ).status;
    const sign = (text: string, signatureKey: string) =>
      webhookSignature({ signatureKey, notificationUrl: options.notificationUrl, rawBody: text });
    expect(await post(body, await sign(body, "a-forged-key"))).toBe(401);
    expect(await post(body)).toBe(401);
    expect(await post("{not json", await sign("{not json", "the-real-key"))).toBe(400);
    expect(events).toEqual([]);
    expect(await post(body, await sign(body, "the-real-key"))).toBe(200);
    expect(events.map((e) => e.type)).toEqual(["customer.deleted" satisfies CustomerEventType]);
  });
});

describe("both clients agree", () => {
  const at = "2025-01-01T00:00:00Z";
  const customer = { id: "C1", created_at: at, updated_at: at, version: 3, creation_source: "THIRD_PARTY" };
  const event = (type: string, object: unknown, extra: object = {}) => ({
    merchant_id: "M1",
    type,
    event_id: `E-${type}-${JSON.stringify(extra).length}`,
    created_at: at,
    data: { type: "customer", id: "C1", object },
    ...extra,
  });
  /** Deliveries both decoders must judge alike: [name, raw body, signed with the right key?]. */
  const deliveries: Array<[string, string, "signed" | "unsigned" | "forged"]> = [
    ["a customer event", JSON.stringify(event("customer.created", { customer })), "signed"],
    [
      "a newer Square's event: new fields, a new enum value",
      JSON.stringify(
        event(
          "customer.updated",
          { customer: { ...customer, creation_source: "SOMETHING_NEW", loyalty: { tier: "gold" } } },
          { schema_version: 2 },
        ),
      ),
      "signed",
    ],
    [
      "an event type this package does not know",
      '{"type":"loyalty.account.created","event_id":"L1","data":{}}',
      "signed",
    ],
    ["a customer event without its customer", JSON.stringify(event("customer.deleted", {})), "signed"],
    [
      "a customer event with a mistyped field",
      JSON.stringify(event("customer.created", { customer: { ...customer, version: "3" } })),
      "signed",
    ],
    ["a body that is not JSON", "{not json", "signed"],
    ["a JSON array", "[]", "signed"],
    ["no signature", JSON.stringify(event("customer.created", { customer })), "unsigned"],
    ["a signature with another key", JSON.stringify(event("customer.created", { customer })), "forged"],
    [
      "a body over the cap",
      JSON.stringify(
        event("customer.created", { customer }, { padding: "x".repeat(WEBHOOK_MAX_BODY_BYTES) }),
      ),
      "signed",
    ],
  ];

  it("on which deliveries are accepted, the handlers' answers and the refusals' messages", async () => {
    const receivers = await Promise.all(webhookFlavors.map((flavor) => flavorReceiver(flavor)));
    for (const receiver of receivers) receiver.options.signatureKey = "the-key";
    const results = await Promise.all(
      webhookFlavors.map(async (flavor, i) => {
        const { options, events } = receivers[i]!;
        const outcomes: unknown[] = [];
        for (const [name, body, signing] of deliveries) {
          const key = signing === "forged" ? "another-key" : "the-key";
          const signature =
            signing === "unsigned"
              ? undefined
              : await webhookSignature({ ...options, signatureKey: key, rawBody: body });
          const answer = await fetch(options.notificationUrl, {
            method: "POST",
            body,
            headers: {
              "content-type": "application/json",
              ...(signature ? { "x-square-hmacsha256-signature": signature } : {}),
            },
          });
          const decoded = await flavor.decode({ rawBody: body, signatureHeader: signature }, options);
          outcomes.push({
            name,
            status: answer.status,
            answer: await answer.json(),
            decoded: decoded.ok ? { ok: true, type: decoded.event.type } : decoded,
          });
        }
        return { outcomes, events: events.map((e) => e.event_id) };
      }),
    );
    const [promise, ...others] = results;
    for (const other of others) expect(other).toEqual(promise);
    expect(
      promise!.outcomes.map((o) => [(o as { name: string }).name, (o as { status: number }).status]),
    ).toEqual([
      ["a customer event", 200],
      ["a newer Square's event: new fields, a new enum value", 200],
      ["an event type this package does not know", 200],
      ["a customer event without its customer", 400],
      ["a customer event with a mistyped field", 400],
      ["a body that is not JSON", 400],
      ["a JSON array", 400],
      ["no signature", 401],
      ["a signature with another key", 401],
      ["a body over the cap", 413],
    ]);
    expect(promise!.outcomes[9]).toMatchObject({
      answer: { error: "body_too_large" },
      decoded: {
        ok: false,
        reason: "body_too_large",
        message: `webhook delivery refused: the body is larger than ${WEBHOOK_MAX_BODY_BYTES} bytes`,
      },
    });
    expect(promise!.outcomes[4]).toMatchObject({
      answer: { error: "malformed_body" },
      decoded: {
        message:
          "webhook delivery refused: the body is not a customer.created event: data.object.customer.version is not an integer",
      },
    });
    expect(promise!.events).toHaveLength(3);
  });

  it("on the answer when the receiver's own code fails: 500, so that Square delivers again", async () => {
    const answers = await Promise.all(
      webhookFlavors.map(async (flavor) => {
        const options = { signatureKey: "the-key", notificationUrl: "" };
        options.notificationUrl = await listen(
          flavor.handler(options, () => {
            throw new Error("database down");
          }),
        );
        const body = JSON.stringify(event("customer.created", { customer }));
        const signature = await webhookSignature({ ...options, rawBody: body });
        const answer = await fetch(options.notificationUrl, {
          method: "POST",
          body,
          headers: { "x-square-hmacsha256-signature": signature },
        });
        return { status: answer.status, body: await answer.json() };
      }),
    );
    expect(answers).toEqual(webhookFlavors.map(() => ({ status: 500, body: { error: "handler_failed" } })));
  });

  it("on a malformed subscription request: Square's error, the same in both", async () => {
    const bad = {
      subscription: { event_types: ["customer.created"], notification_url: "ftp://example.com/" },
    };
    const [promise, effect] = await Promise.all(
      [promiseWebhooks, effectWebhooks].map((f) =>
        f.connect({ url: emulator.url, token: newToken() }).create(bad),
      ),
    );
    expect(error(promise!)).toEqual(error(effect!));
    expect(error(promise!)).toMatchObject({
      kind: "bad_request",
      status: 400,
      errors: [{ code: "INVALID_VALUE", field: "subscription.notification_url" }],
    });
  });
});
