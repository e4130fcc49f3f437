// How deliveries go: retried on Square's (scaled) schedule with the retry headers and the same event;
// redirects, crashes and silence are failures; a hanging receiver never holds up the API; deleted
// subscriptions and a closed emulator stop delivering; events follow commits only; the queue is bounded;
// the delivery log is readable over HTTP and never shows a signature key.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runHandler } from "../src/api/pipeline.js";
import { insertCustomer, newCustomer } from "../src/data/customer-records.js";
import { newId } from "../src/data/ids.js";
import { Store } from "../src/data/store.js";
import { startEmulator } from "../src/index.js";
import { Changes } from "../src/webhooks/changes.js";
import { WebhookDispatcher } from "../src/webhooks/dispatcher.js";
import { MAX_ACTIVE_PER_SUBSCRIPTION } from "../src/webhooks/queue.js";
import { answerTimeoutMs, checkRetryScale, retryDelayMs } from "../src/webhooks/schedule.js";
import { webhookSettings } from "../src/webhooks/settings.js";
import { client, createCustomer, emulator } from "./helpers.js";
import { pause, receiver, verified } from "./receiver.js";

const KEY = "delivery-test-key";
const SCALE = 0.001;
/** Node may fire a timer up to a millisecond early (it rounds to whole milliseconds). */
const TIMER_SLACK_MS = 2;

describe("Square's schedule", () => {
  const MINUTE = 60_000;
  it("waits 1, 2, 4, 8, 16, 32 minutes, then an hour, until 72 hours after the first attempt", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n, 1)! / MINUTE)).toEqual([
      1, 2, 4, 8, 16, 32, 60, 60,
    ]);
    // 63 minutes + 70 hours is within 72 hours; one more hour is not.
    expect(retryDelayMs(76, 1)).toBe(60 * MINUTE);
    expect(retryDelayMs(77, 1)).toBeUndefined();
    expect(retryDelayMs(1, SCALE)).toBe(60);
  });

  it("scales the 10 s answer timeout, never below 1 s, and takes only a scale in (0, 1]", () => {
    expect([1, 0.5, 0.001].map(answerTimeoutMs)).toEqual([10_000, 5_000, 1_000]);
    expect(checkRetryScale(undefined)).toBe(1);
    for (const bad of [0, -1, 2, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkRetryScale(bad)).toThrow(/webhookRetryScale/);
    }
  });
});

describe("retries", () => {
  it("follow the scaled schedule, with the retry headers and the same event each time", async () => {
    const hook = await receiver((i) => (i < 3 ? 500 : 200));
    const e = await emulator({ webhooks: { url: hook.url, signatureKey: KEY }, webhookRetryScale: SCALE });
    await createCustomer(client(e, "retries"));
    const deliveries = await hook.waitFor(4);
    await e.webhooks.whenIdle();

    expect(new Set(deliveries.map((d) => d.rawBody)).size).toBe(1);
    const event = await verified(deliveries[3]!, KEY, hook.url);
    expect(event.type).toBe("customer.created");
    const retryHeaders = deliveries.map((d) => [
      d.headers["square-retry-number"],
      d.headers["square-retry-reason"],
      d.headers["square-initial-delivery-timestamp"],
    ]);
    const [log] = e.webhooks.deliveries();
    const initial = log!.attempts[0]!.at;
    expect(retryHeaders).toEqual([
      [undefined, undefined, undefined],
      ["1", "http_error", initial],
      ["2", "http_error", initial],
      ["3", "http_error", initial],
    ]);
    // Each retry waits its turn of the schedule (1, 2, 4 minutes, scaled), never less.
    for (let n = 1; n <= 3; n++) {
      const gap = deliveries[n]!.at - deliveries[n - 1]!.at;
      expect(gap).toBeGreaterThanOrEqual(retryDelayMs(n, SCALE)! - TIMER_SLACK_MS);
    }
    expect(log).toMatchObject({ eventId: event.event_id, state: "delivered", subscriptionId: "startup" });
    expect(log!.attempts.map((a) => [a.retry, a.status, a.failure, a.retryReason])).toEqual([
      [0, 500, "http_error", undefined],
      [1, 500, "http_error", "http_error"],
      [2, 500, "http_error", "http_error"],
      [3, 200, undefined, "http_error"],
    ]);
    expect(log).not.toHaveProperty("nextAttemptAt");
  });

  it("count a redirect, a crash and silence as failures (silence as a timeout)", async () => {
    const answers = [302, "crash", "hang", 204] as const;
    const hook = await receiver((i) => answers[i] ?? 200);
    const e = await emulator({ webhooks: { url: hook.url, signatureKey: KEY }, webhookRetryScale: SCALE });
    await createCustomer(client(e, "failures"));
    const deliveries = await hook.waitFor(4);
    await e.webhooks.whenIdle();
    expect(deliveries.map((d) => d.headers["square-retry-reason"])).toEqual([
      undefined,
      "http_error",
      "http_error",
      "http_timeout",
    ]);
    const [log] = e.webhooks.deliveries();
    expect(log!.attempts.map((a) => [a.status, a.failure])).toEqual([
      [302, "http_error"],
      [undefined, "http_error"],
      [undefined, "http_timeout"],
      [204, undefined],
    ]);
    expect(log!.attempts[2]!.error).toBe("no answer within 1000 ms");
    hook.release();
  });

  it("stop for a deleted subscription, and use a rotated key", async () => {
    const hook = await receiver((i) => (i === 0 ? 500 : 200));
    const e = await emulator({ webhookRetryScale: SCALE });
    const api = client(e, "rotation");
    const path = "/v2/webhooks/subscriptions";
    const sub = (
      await api("POST", path, {
        body: { subscription: { event_types: ["customer.created"], notification_url: hook.url } },
      })
    ).body.subscription;
    await createCustomer(api);
    await hook.waitFor(1);
    const rotated = (await api("POST", `${path}/${sub.id}/signature-key`, { body: {} })).body.signature_key;
    const [, retry] = await hook.waitFor(2);
    await verified(retry!, rotated, hook.url);
    await expect(verified(retry!, sub.signature_key, hook.url)).rejects.toThrow(/refused/);

    // A failing delivery to a subscription deleted before its retry is cancelled, not sent.
    const failing = await receiver(() => 500);
    await api("PUT", `${path}/${sub.id}`, { body: { subscription: { notification_url: failing.url } } });
    await createCustomer(api);
    await failing.waitFor(1);
    await api("DELETE", `${path}/${sub.id}`);
    await e.webhooks.whenIdle();
    expect(failing.deliveries).toHaveLength(1);
    expect(e.webhooks.deliveries().at(-1)).toMatchObject({ state: "cancelled", attempts: [{ status: 500 }] });
  });
});

describe("a receiver that hangs or crashes", () => {
  it("never holds up the API: every call answers while the receiver still hangs", async () => {
    const hook = await receiver(() => "hang");
    const e = await emulator({ webhooks: { url: hook.url, signatureKey: KEY } });
    const api = client(e, "hanging");
    await createCustomer(api);
    await hook.waitFor(1);
    for (let i = 0; i < 30; i++) await createCustomer(api, { given_name: `H${i}` });
    const bulk = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, { given_name: `B${i}` }]));
    expect((await api("POST", "/v2/customers/bulk-create", { body: { customers: bulk } })).status).toBe(200);
    await hook.waitFor(MAX_ACTIVE_PER_SUBSCRIPTION);
    // All 31 calls answered while the receiver held its first deliveries without answering (10 s
    // timeout: none has timed out yet); only a subscription's share of slots is taken.
    expect(hook.deliveries).toHaveLength(MAX_ACTIVE_PER_SUBSCRIPTION);
    expect(e.webhooks.pending()).toBe(81);
    expect(e.webhooks.deliveries().filter((d) => d.state === "sending")).toHaveLength(
      MAX_ACTIVE_PER_SUBSCRIPTION,
    );
    // (How long API calls take beside a hanging receiver is measured by bench/webhooks.ts.)
    hook.release();
  });

  it("close() ends delivery at once: hanging attempts are abandoned, retries never made", async () => {
    const hook = await receiver((i) => (i === 0 ? 500 : "hang"));
    const e = await startEmulator({
      webhooks: { url: hook.url, signatureKey: KEY },
      webhookRetryScale: SCALE,
    });
    const api = client(e, "closing");
    await createCustomer(api);
    await hook.waitFor(1); // the first fails: a retry is due in 60 ms
    await createCustomer(api);
    await hook.waitFor(2); // this one hangs
    await e.close();
    expect(e.webhooks.pending()).toBe(0);
    const count = hook.deliveries.length;
    await pause(300);
    expect(hook.deliveries).toHaveLength(count);
    hook.release();
  });
});

describe("publishing", () => {
  async function dispatcherWith(maxPending?: number) {
    const hook = await receiver(() => "hang");
    const store = new Store(":memory:");
    store.addMerchant("token-hash-of-M1", "M1");
    const webhooks = new WebhookDispatcher(
      store,
      webhookSettings({
        startup: { url: hook.url, signatureKey: KEY },
        seed: 0,
        ...(maxPending ? { maxPending } : {}),
      }),
    );
    return { hook, store, webhooks };
  }

  it("follows a commit, in commit order; a rolled-back transaction publishes nothing", async () => {
    const { hook, store, webhooks } = await dispatcherWith();
    const write = (name: string, fail: boolean) => {
      const changes = new Changes();
      return runHandler({ store, webhooks }, "M1", true, changes, () => {
        const customer = newCustomer({ given_name: name }, store.nowMs(), { id: newId(store, "M1") });
        insertCustomer(store, "M1", customer);
        changes.customer("created", customer);
        if (fail) throw new Error("the handler failed after writing");
        return customer;
      });
    };
    const first = write("First", false);
    expect(() => write("Rolled back", true)).toThrow(/after writing/);
    const second = write("Second", false);
    expect(store.getCustomerJson("M1", first.id)).toBeDefined();
    expect(store.all("SELECT COUNT(*) AS n FROM customers", [])[0]!.n).toBe(2);
    const log = webhooks.log.since(0);
    expect(log.map((d) => d.eventType)).toEqual(["customer.created", "customer.created"]);
    const bodies = await hook.waitFor(2);
    const ids = bodies.map((d) => d.body.data.id).sort();
    expect(ids).toEqual([first.id, second.id].sort());
    await webhooks.close();
    store.close();
  });

  it("drops deliveries past the queue's bound, and says so in the log", async () => {
    const { store, webhooks } = await dispatcherWith(3);
    const changes = new Changes();
    for (let i = 0; i < 5; i++)
      changes.customer(
        "created",
        newCustomer({ given_name: `Q${i}` }, store.nowMs(), { id: newId(store, "M1") }),
      );
    webhooks.publish("M1", changes.list);
    expect(webhooks.log.since(0).map((d) => d.state)).toEqual([
      "sending",
      "sending",
      "sending",
      "dropped",
      "dropped",
    ]);
    expect(webhooks.stats()).toMatchObject({ pending: 3, dropped: 2, capacity: 3 });
    await webhooks.close();
    store.close();
  });
});

describe("the delivery log", () => {
  it("is served under /_emulator/webhooks/deliveries, changes after a revision, and never a key", async () => {
    const key = `secret-${randomUUID()}`;
    const hook = await receiver((i) => (i === 0 ? 503 : 200));
    const e = await emulator({ webhooks: { url: hook.url, signatureKey: key }, webhookRetryScale: SCALE });
    const api = client(e, "log");
    const sub = (
      await api("POST", "/v2/webhooks/subscriptions", {
        body: { subscription: { event_types: ["customer.updated"], notification_url: hook.url } },
      })
    ).body.subscription;
    await createCustomer(api);
    await hook.waitFor(2);
    await e.webhooks.whenIdle();
    const read = async (after?: number) => {
      const res = await fetch(
        `${e.url}/_emulator/webhooks/deliveries${after === undefined ? "" : `?after=${after}`}`,
      );
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(key);
      expect(text).not.toContain(sub.signature_key);
      return JSON.parse(text);
    };
    const all = await read();
    expect(all.deliveries).toEqual([
      {
        seq: expect.any(Number),
        rev: expect.any(Number),
        eventId: hook.deliveries[1]!.body.event_id,
        eventType: "customer.created",
        merchantId: hook.deliveries[1]!.body.merchant_id,
        subscriptionId: "startup",
        notificationUrl: hook.url,
        test: false,
        faults: [],
        state: "delivered",
        attempts: [
          {
            retry: 0,
            at: expect.any(String),
            status: 503,
            latencyMs: expect.any(Number),
            failure: "http_error",
            error: "answered 503",
          },
          {
            retry: 1,
            at: expect.any(String),
            status: 200,
            latencyMs: expect.any(Number),
            retryReason: "http_error",
          },
        ],
        createdAt: expect.any(String),
      },
    ]);
    expect(all.queue).toEqual({
      pending: 0,
      sending: 0,
      dropped: 0,
      capacity: 10_000,
      retryScale: SCALE,
      timeoutMs: 1_000,
    });
    expect((await read(all.rev)).deliveries).toEqual([]);

    await api("PUT", `/v2/customers/${hook.deliveries[0]!.body.data.id}`, { body: { note: "n" } });
    await e.webhooks.whenIdle();
    const later = await read(all.rev);
    expect(later.deliveries.map((d: { subscriptionId: string }) => d.subscriptionId)).toEqual([
      "startup",
      sub.id,
    ]);
  });

  it("and the webhook faults are read and set there, live", async () => {
    const e = await emulator();
    const url = `${e.url}/_emulator/webhooks/faults`;
    const put = (body: unknown) =>
      fetch(url, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(await (await fetch(url)).json()).toEqual({
      rules: [],
      kinds: ["duplicate", "reorder", "delay", "fail_first"],
    });
    const set = await put({ rules: [{ kind: "duplicate", rate: 0.5 }] });
    expect(set.status).toBe(200);
    expect(e.webhooks.faults.rules()).toEqual([{ kind: "duplicate", rate: 0.5 }]);
    const bad = await put({ rules: [{ kind: "explode" }] });
    expect(bad.status).toBe(400);
    const refusal = (await bad.json()) as { errors: Array<{ detail: string }> };
    expect(refusal.errors[0]?.detail).toMatch(/kind must be one of/);
    expect((await put({ nope: 1 })).status).toBe(400);
  });
});
