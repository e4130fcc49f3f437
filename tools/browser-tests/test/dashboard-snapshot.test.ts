// The dashboard's "save a snapshot" links, in Chromium: clicking one downloads the snapshot the admin API
// serves (every merchant, or the selected one), without webhook signature keys, and an emulator starts
// from the downloaded file.
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chromium, startChromium } from "../src/chromium.ts";

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
const TOKEN = "dashboard-snapshot-token";

let chromium: Chromium;
let emulator: Emulator;
let tab: Page;
let signatureKey: string;

async function api(token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(path, emulator.url), {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json();
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  emulator = await startEmulator({ port: 0, host: "127.0.0.1", seed: 3, clock: "manual" });
  const created = await api(TOKEN, "POST", "/v2/webhooks/subscriptions", {
    subscription: { event_types: ["customer.created"], notification_url: "https://example.com/hooks" },
  });
  signatureKey = created.subscription.signature_key;
  await api("dashboard-snapshot-other", "GET", "/v2/customers");
  chromium = await startChromium();
  tab = await chromium.context.newPage();
});

afterAll(async () => {
  await chromium?.close();
  await emulator?.close();
});

async function download(selector: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([tab.waitForEvent("download"), tab.click(selector)]);
  const path = `${ARTIFACTS}${file.suggestedFilename()}`;
  await file.saveAs(path);
  return { name: file.suggestedFilename(), text: readFileSync(path, "utf8") };
}

describe("the dashboard's snapshot links", () => {
  it("download every merchant, or the selected one, as the admin API serves them", async () => {
    await tab.goto(`${emulator.url}/`);
    await tab.waitForSelector("body[data-ready=true]");
    expect(await tab.locator("#about").textContent()).toContain("manual clock");
    expect(await tab.locator("#snapshot-save").isVisible()).toBe(true);
    await tab.screenshot({ path: `${ARTIFACTS}snapshot-links.png` });

    const all = await download("#snapshot-all");
    expect(all.name).toBe("emulator-snapshot.json");
    expect(all.text).toBe(await (await fetch(`${emulator.url}/_emulator/snapshot`)).text());
    expect(JSON.parse(all.text).merchants).toHaveLength(2);
    expect(all.text).not.toContain(signatureKey);

    const selected = await tab
      .locator("#merchant-list button[aria-pressed=true]")
      .getAttribute("data-merchant");
    const one = await download("#snapshot-merchant");
    expect(one.name).toBe(`emulator-snapshot-${selected}.json`);
    expect(JSON.parse(one.text).merchants.map((m: { id: string }) => m.id)).toEqual([selected]);

    // An emulator starts from the downloaded file.
    const loaded = await startEmulator({
      port: 0,
      host: "127.0.0.1",
      clock: "manual",
      snapshot: `${ARTIFACTS}${all.name}`,
    });
    try {
      expect(loaded.snapshot()).toEqual(JSON.parse(all.text));
    } finally {
      await loaded.close();
    }
  });
});
