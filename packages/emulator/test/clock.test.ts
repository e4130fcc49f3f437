// A clock the test controls: with `clock: "manual"` time stands still until advanced; timestamps and
// events follow it; webhook retries due in an advanced span are made in order at Square's times, and
// `advance` resolves once they have been answered — 72 hours of retries in milliseconds, without
// `webhookRetryScale`. The admin API and the command line do the same.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ManualClock, parseDuration } from "../src/clock.js";
import { retryDelayMs } from "../src/webhooks/schedule.js";
import { client, createCustomer, emulator } from "./helpers.js";
import { receiver, verified } from "./receiver.js";

const KEY = "clock-test-key";
const START = "2025-03-01T09:00:00.000Z";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (offsetMs: number) => new Date(Date.parse(START) + offsetMs).toISOString();

describe("durations", () => {
  it("are milliseconds or numbers with units, in any combination", () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration("2h")).toBe(2 * HOUR);
    expect(parseDuration("1h30m")).toBe(90 * MINUTE);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("3d")).toBe(72 * HOUR);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("42")).toBe(42);
  });

  it("refuse anything else with a message that shows the form", () => {
    for (const bad of ["2x", "h", "-1h", "", "1h 30m", -5, Number.NaN]) {
      expect(() => parseDuration(bad)).toThrow(/is not a duration: .*e\.g\. "2h"/);
    }
  });
});

describe("a manual clock", () => {
  it("stands still until advanced; created_at, updated_at and event times follow it", async () => {
    const hook = await receiver();
    const e = await emulator({
      clock: { mode: "manual", start: START },
      webhooks: { url: hook.url, signatureKey: KEY },
    });
    const api = client(e, "clock-stamps");
    expect(e.clock.mode).toBe("manual");
    expect(e.clock.now().toISOString()).toBe(START);
    const created = await createCustomer(api, { given_name: "Frozen" });
    const other = await createCustomer(api, { given_name: "Also frozen" });
    expect([created.created_at, created.updated_at, other.created_at]).toEqual([START, START, START]);

    expect((await e.clock.advance("2h")).toISOString()).toBe(at(2 * HOUR));
    const updated = (await api("PUT", `/v2/customers/${created.id}`, { body: { nickname: "Later" } })).body
      .customer;
    expect(updated).toMatchObject({ created_at: START, updated_at: at(2 * HOUR), version: 1 });
    const group = (await api("POST", "/v2/customers/groups", { body: { group: { name: "G" } } })).body.group;
    expect(group.created_at).toBe(at(2 * HOUR));

    await e.webhooks.whenIdle();
    const events = await Promise.all(hook.deliveries.map((d) => verified(d, KEY, hook.url)));
    expect(events.map((ev) => [ev.type, ev.created_at])).toEqual([
      ["customer.created", START],
      ["customer.created", START],
      ["customer.updated", at(2 * HOUR)],
    ]);
    expect(e.webhooks.deliveries().map((d) => d.attempts[0]!.at)).toEqual([START, START, at(2 * HOUR)]);
    // Searches by time see the clock's times.
    const recent = await api("POST", "/v2/customers/search", {
      body: { query: { filter: { updated_at: { start_at: at(HOUR) } } } },
    });
    expect(recent.body.customers.map((c: { id: string }) => c.id)).toEqual([created.id]);
  });

  it("makes the retries due in an advanced span, in order, at Square's times, and then resolves", async () => {
    // The receiver fails the first four attempts: retries after 1, 2 and 4 minutes fail too; the
    // fourth retry, 8 minutes after the third, is answered.
    const hook = await receiver((i) => (i < 4 ? 503 : 200));
    const e = await emulator({
      clock: { mode: "manual", start: START },
      webhooks: { url: hook.url, signatureKey: KEY },
    });
    await createCustomer(client(e, "clock-retries"));
    await hook.waitFor(1);
    await e.clock.advance(0); // lets the first attempt's answer be recorded
    expect(e.webhooks.deliveries()[0]).toMatchObject({ state: "retrying", nextAttemptAt: at(MINUTE) });

    // 6 minutes: the retries at +1 and +3 minutes are made (and fail); the next is due at +7.
    await e.clock.advance("6m");
    expect(hook.deliveries).toHaveLength(3);
    expect(e.webhooks.deliveries()[0]).toMatchObject({ state: "retrying", nextAttemptAt: at(7 * MINUTE) });

    // 10 more minutes: the retry at +7 fails, the one at +15 is delivered.
    await e.clock.advance("10m");
    const [log] = e.webhooks.deliveries();
    expect(log!.state).toBe("delivered");
    expect(log!.attempts.map((a) => [a.at, a.status])).toEqual([
      [START, 503],
      [at(MINUTE), 503],
      [at(3 * MINUTE), 503],
      [at(7 * MINUTE), 503],
      [at(15 * MINUTE), 200],
    ]);
    expect(hook.deliveries.map((d) => d.headers["square-retry-number"])).toEqual([
      undefined,
      "1",
      "2",
      "3",
      "4",
    ]);
    expect(hook.deliveries.slice(1).map((d) => d.headers["square-initial-delivery-timestamp"])).toEqual([
      START,
      START,
      START,
      START,
    ]);
    expect(e.webhooks.pending()).toBe(0);
  });

  it("runs a failing delivery to the end of the 72-hour window, then it has failed", async () => {
    const hook = await receiver(() => 500);
    const e = await emulator({
      clock: { mode: "manual", start: START },
      webhooks: { url: hook.url, signatureKey: KEY },
    });
    await createCustomer(client(e, "clock-window"));
    await hook.waitFor(1);
    await e.clock.advance("71h");
    expect(e.webhooks.deliveries()[0]!.state).toBe("retrying");
    await e.clock.advance("1h");
    const [log] = e.webhooks.deliveries();
    expect(log!.state).toBe("failed");
    // The first attempt, then retries after 1, 2, 4, 8, 16, 32 minutes and hourly: 77 attempts in all,
    // the last within 72 hours of the first.
    expect(log!.attempts).toHaveLength(77);
    expect(hook.deliveries).toHaveLength(77);
    let offset = 0;
    const expected = [START];
    for (let n = 1; n < 77; n++) {
      offset += retryDelayMs(n, 1)!;
      expected.push(at(offset));
    }
    expect(log!.attempts.map((a) => a.at)).toEqual(expected);
    expect(offset).toBeLessThanOrEqual(72 * HOUR);
    expect(retryDelayMs(77, 1)).toBeUndefined();
    expect(e.webhooks.pending()).toBe(0);
    await e.clock.advance("10h");
    expect(hook.deliveries).toHaveLength(77);
  });

  it("drives a merchant's own subscription: its retries, and a rotation mid-way", async () => {
    const hook = await receiver((i) => (i < 2 ? 500 : 200));
    const e = await emulator({ clock: { mode: "manual", start: START } });
    const api = client(e, "clock-subscription");
    const created = await api("POST", "/v2/webhooks/subscriptions", {
      body: { subscription: { event_types: ["customer.created"], notification_url: hook.url } },
    });
    const subscription = created.body.subscription;
    const customer = await createCustomer(api, { given_name: "Subscribed" });
    await hook.waitFor(1);
    const rotated = await api("POST", `/v2/webhooks/subscriptions/${subscription.id}/signature-key`, {
      body: { idempotency_key: "rotate-1" },
    });
    const newKey = rotated.body.signature_key as string;
    await e.clock.advance("3m");
    expect(hook.deliveries).toHaveLength(3);
    // Retries are signed with the key the subscription has when they are made.
    const last = await verified(hook.deliveries[2]!, newKey, hook.url);
    expect(last).toMatchObject({ type: "customer.created", data: { id: customer.id } });
    const [log] = e.webhooks.deliveries();
    expect(log).toMatchObject({ subscriptionId: subscription.id, state: "delivered" });
    expect(log!.attempts.map((a) => a.at)).toEqual([START, at(MINUTE), at(3 * MINUTE)]);
  });

  it("moves delayed deliveries too, and advances one call after the other", async () => {
    const hook = await receiver();
    const e = await emulator({
      clock: { mode: "manual", start: START },
      webhooks: { url: hook.url, signatureKey: KEY },
      webhookFaults: [{ kind: "delay", ms: 30_000 }],
    });
    await createCustomer(client(e, "clock-delay"));
    expect(e.webhooks.deliveries()[0]).toMatchObject({ state: "queued", nextAttemptAt: at(30_000) });
    // Two advances at once run in turn: the second starts where the first ended.
    const [first, second] = await Promise.all([e.clock.advance("20s"), e.clock.advance("20s")]);
    expect([first.toISOString(), second.toISOString()]).toEqual([at(20_000), at(40_000)]);
    expect(e.webhooks.deliveries()[0]).toMatchObject({ state: "delivered" });
    expect(e.webhooks.deliveries()[0]!.attempts[0]!.at).toBe(at(30_000));
  });

  it("refuses to go back", async () => {
    const e = await emulator({ clock: "manual" });
    await expect(e.clock.advance(-1)).rejects.toThrow(/not a duration/);
    const clock = new ManualClock(0);
    await expect(clock.advance(-1)).rejects.toThrow(/only moves forward/);
  });
});

describe("the system clock", () => {
  it("is the default, follows the machine's time, and cannot be advanced", async () => {
    const e = await emulator();
    expect(e.clock.mode).toBe("system");
    const before = Date.now();
    const customer = await createCustomer(client(e, "system-clock"));
    expect(Date.parse(customer.created_at)).toBeGreaterThanOrEqual(before);
    expect(Math.abs(e.clock.now().getTime() - Date.now())).toBeLessThan(1000);
    await expect(e.clock.advance("1h")).rejects.toThrow(/cannot be advanced: start it with clock: "manual"/);
  });

  it("still gives every write its own instant", async () => {
    const e = await emulator();
    const api = client(e, "system-instants");
    const customers = [];
    for (let i = 0; i < 5; i++) customers.push(await createCustomer(api, { given_name: `I${i}` }));
    const times = customers.map((c) => Date.parse(c.created_at));
    expect(new Set(times).size).toBe(5);
  });
});

describe("the admin API", () => {
  async function adminCall(url: string, path: string, init: RequestInit = {}) {
    const res = await fetch(new URL(path, url), init);
    return { status: res.status, body: (await res.json()) as any };
  }
  const advance = (url: string, by: unknown) =>
    adminCall(url, "/_emulator/clock/advance", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ by }),
    });

  it("tells the clock and advances a manual one, answering once the retries are made", async () => {
    const hook = await receiver((i) => (i === 0 ? 500 : 200));
    const e = await emulator({
      clock: { mode: "manual", start: START },
      webhooks: { url: hook.url, signatureKey: KEY },
    });
    expect(await adminCall(e.url, "/_emulator/clock")).toEqual({
      status: 200,
      body: { mode: "manual", now: START },
    });
    await createCustomer(client(e, "admin-clock"));
    await hook.waitFor(1);
    expect(await advance(e.url, "90s")).toEqual({ status: 200, body: { mode: "manual", now: at(90_000) } });
    expect(hook.deliveries).toHaveLength(2);
    expect(e.webhooks.deliveries()[0]!.state).toBe("delivered");
    expect(await advance(e.url, 1000)).toMatchObject({ body: { now: at(91_000) } });
  });

  it("says what is wrong with a bad duration, and that the system clock cannot move", async () => {
    const manual = await emulator({ clock: "manual" });
    const bad = await advance(manual.url, "soon");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].detail).toMatch(/"soon" is not a duration/);
    expect((await advance(manual.url, null)).status).toBe(400);
    const system = await emulator();
    const refused = await advance(system.url, "1h");
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].detail).toMatch(/system clock/);
  });
});

describe("the command line", () => {
  const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

  async function start(args: string[]) {
    const child = spawn(process.execPath, [bin, "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c;
    });
    const url = await new Promise<string | undefined>((resolve) => {
      child.stdout.on("data", () => {
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", () => resolve(undefined));
    });
    return { child, url, err: () => err };
  }

  it("--clock manual --clock-start sets a manual clock the admin API advances", async () => {
    const { child, url } = await start(["--clock", "manual", "--clock-start", START]);
    try {
      expect(url).toBeDefined();
      const clock = await (await fetch(`${url}/_emulator/clock`)).json();
      expect(clock).toEqual({ mode: "manual", now: START });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("refuses a bad clock with exit code 2", async () => {
    for (const args of [
      ["--clock", "sundial"],
      ["--clock-start", START],
      ["--clock", "manual", "--clock-start", "noon"],
    ]) {
      const { child, url, err } = await start(args);
      const [code] = child.exitCode === null ? await once(child, "exit") : [child.exitCode];
      expect(url).toBeUndefined();
      expect(code).toBe(2);
      expect(err()).toMatch(/clock/);
    }
  });
});
