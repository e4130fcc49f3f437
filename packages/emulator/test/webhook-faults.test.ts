// Webhook delivery faults, each seen from the receiver: duplicates, reordering, delays and failed first
// attempts; rules by count or seeded rate, set at startup, live, or as text (the command line's).
import { describe, expect, it } from "vitest";
import { type Emulator, parseWebhookFaults, type WebhookFaultRule } from "../src/index.js";
import { retryDelayMs } from "../src/webhooks/schedule.js";
import { client, createCustomer, emulator } from "./helpers.js";
import { type Receiver, receiver } from "./receiver.js";

const KEY = "faults-test-key";
const SCALE = 0.001;
const TIMER_SLACK_MS = 2;

async function setup(
  rules: WebhookFaultRule[],
  seed = 0,
): Promise<{ e: Emulator; hook: Receiver; create: (name: string) => Promise<any> }> {
  const hook = await receiver();
  const e = await emulator({
    seed,
    webhooks: { url: hook.url, signatureKey: KEY },
    webhookRetryScale: SCALE,
    webhookFaults: rules,
  });
  const api = client(e, `faults-${Math.random()}`);
  return { e, hook, create: (name) => createCustomer(api, { given_name: name }) };
}

const namesOf = (hook: Receiver) => hook.deliveries.map((d) => d.body.data.object.customer.given_name);

describe("webhook faults", () => {
  it("duplicate: the same event (same event_id and body) arrives twice", async () => {
    const { e, hook, create } = await setup([{ kind: "duplicate", nth: [1] }]);
    await create("Twice");
    await create("Once");
    await e.webhooks.whenIdle();
    const deliveries = await hook.waitFor(3);
    const twice = deliveries.filter((d) => d.body.data.object.customer.given_name === "Twice");
    expect(twice).toHaveLength(2);
    expect(twice[0]!.rawBody).toBe(twice[1]!.rawBody);
    expect(twice.every((d) => d.headers["square-retry-number"] === undefined)).toBe(true);
    expect(e.webhooks.deliveries().map((d) => d.faults)).toEqual([["duplicate"], ["duplicate"], []]);
  });

  it("reorder: a held event arrives after a later one was answered", async () => {
    const { e, hook, create } = await setup([{ kind: "reorder", nth: [1], ms: 10_000 }]);
    await create("Earlier");
    await create("Later");
    await e.webhooks.whenIdle();
    await hook.waitFor(2);
    expect(namesOf(hook)).toEqual(["Later", "Earlier"]);
    const [earlier, later] = hook.deliveries.map((d) => d.body).reverse();
    expect(earlier.created_at < later.created_at).toBe(true);
  });

  it("reorder: with no later event, the held one goes when its hold runs out", async () => {
    const { e, hook, create } = await setup([{ kind: "reorder", nth: [1], ms: 200 }]);
    const started = performance.now();
    await create("Alone");
    await hook.waitFor(1);
    expect(hook.deliveries[0]!.at - started).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
    await e.webhooks.whenIdle();
  });

  it("delay: the first attempt waits, and later events overtake it", async () => {
    const { e, hook, create } = await setup([{ kind: "delay", nth: [1], ms: 400 }]);
    const started = performance.now();
    await create("Slow");
    expect(e.webhooks.deliveries()[0]).toMatchObject({ state: "queued", nextAttemptAt: expect.any(String) });
    await create("Fast");
    await hook.waitFor(2);
    await e.webhooks.whenIdle();
    expect(namesOf(hook)).toEqual(["Fast", "Slow"]);
    expect(hook.deliveries[1]!.at - started).toBeGreaterThanOrEqual(400 - TIMER_SLACK_MS);
  });

  it("fail_first: nothing is sent at first; the receiver's first sight is retry 1", async () => {
    const { e, hook, create } = await setup([{ kind: "fail_first", nth: [1] }]);
    const started = performance.now();
    await create("Retried");
    const [d] = await hook.waitFor(1);
    await e.webhooks.whenIdle();
    expect(hook.deliveries).toHaveLength(1);
    expect(d!.headers["square-retry-number"]).toBe("1");
    expect(d!.headers["square-retry-reason"]).toBe("http_timeout");
    expect(d!.at - started).toBeGreaterThanOrEqual(retryDelayMs(1, SCALE)! - TIMER_SLACK_MS);
    const [log] = e.webhooks.deliveries();
    expect(log!.attempts).toEqual([
      expect.objectContaining({ retry: 0, failure: "http_timeout", injected: true }),
      expect.objectContaining({ retry: 1, status: 200, retryReason: "http_timeout" }),
    ]);
    expect(log!.attempts[0]).not.toHaveProperty("status");
  });

  it("fire at a seeded rate: the same seed, the same deliveries faulted", async () => {
    const pattern = async (seed: number) => {
      const { e, create } = await setup([{ kind: "duplicate", rate: 0.4 }], seed);
      for (let i = 0; i < 20; i++) await create(`R${i}`);
      await e.webhooks.whenIdle();
      return e.webhooks
        .deliveries()
        .filter((d) => d.faults.length > 0)
        .map((d) => d.seq);
    };
    const first = await pattern(7);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(40);
    expect(await pattern(7)).toEqual(first);
  });

  it("are set live, and reset() starts their counts afresh", async () => {
    const { e, hook, create } = await setup([]);
    await create("Plain");
    e.webhooks.faults.set([{ kind: "duplicate", nth: [1] }]);
    expect(e.webhooks.faults.rules()).toEqual([{ kind: "duplicate", nth: [1] }]);
    await create("Doubled");
    await create("Single");
    await e.webhooks.whenIdle();
    await hook.waitFor(4);
    expect(namesOf(hook).sort()).toEqual(["Doubled", "Doubled", "Plain", "Single"]);
    e.reset();
    expect(e.webhooks.deliveries()).toEqual([]);
    await create("Doubled again");
    await e.webhooks.whenIdle();
    expect(namesOf(hook).filter((n) => n === "Doubled again")).toHaveLength(2);
    expect(() => e.webhooks.faults.set([{ kind: "lose" } as unknown as WebhookFaultRule])).toThrow(/kind/);
  });

  it("read from text, as the command line gives them", () => {
    expect(parseWebhookFaults("duplicate:rate=0.1 reorder:nth=1,3;ms=500 delay:ms=250 fail_first")).toEqual([
      { kind: "duplicate", rate: 0.1 },
      { kind: "reorder", nth: [1, 3], ms: 500 },
      { kind: "delay", ms: 250 },
      { kind: "fail_first" },
    ]);
    expect(parseWebhookFaults('[{"kind":"delay","ms":5}]')).toEqual([{ kind: "delay", ms: 5 }]);
    expect(parseWebhookFaults(" ")).toEqual([]);
    expect(() => parseWebhookFaults("lose")).toThrow(
      /kind must be one of duplicate, reorder, delay, fail_first/,
    );
    expect(() => parseWebhookFaults("delay:rate=2")).toThrow(/rate/);
    expect(() => parseWebhookFaults("delay:op=createCustomer")).toThrow(
      /--webhook-faults: cannot read option "op=createCustomer"/,
    );
    expect(() => parseWebhookFaults("delay:ms=")).toThrow(/ms=/);
  });
});
