// The emulator's dashboard, driven in Chromium: open it, search, page, look at a customer, switch a fault
// on and see the next request fail in the live log, follow webhook deliveries. Screenshots of each step go
// to ../artifacts/ (git-ignored) for people to look at.
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chromium, startChromium } from "../src/chromium.ts";

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
const TOKEN = "dashboard-secret-token";
const WEBHOOK_KEY = "dashboard-webhook-signature-key";
const STRING = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String";

let chromium: Chromium;
let emulator: Emulator;
let tab: Page;
/** Receives the emulator's webhook deliveries: fails the first one (so it is retried), accepts the rest. */
let receiver: Server;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(path, emulator.url), {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const shot = (name: string) => tab.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
const customerNames = () => tab.locator("#customer-table tbody tr td:first-child").allTextContents();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  let received = 0;
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(received++ === 0 ? 500 : 200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    seed: 60,
    webhooks: {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
      signatureKey: WEBHOOK_KEY,
      eventTypes: ["customer.created", "customer.updated"],
    },
    webhookRetryScale: 0.001,
  });
  // A merchant with 60 seeded customers, one more to find, a group, and a custom attribute.
  const zelda = (
    await api("POST", "/v2/customers", { given_name: "Zelda", email_address: "zelda@hyrule.example" })
  ).body.customer;
  const group = (await api("POST", "/v2/customers/groups", { group: { name: "VIP" } })).body.group;
  await api("PUT", `/v2/customers/${zelda.id}/groups/${group.id}`);
  await api("POST", "/v2/customers/custom-attribute-definitions", {
    custom_attribute_definition: {
      key: "tier",
      name: "Tier",
      description: "Loyalty tier",
      schema: { $ref: STRING },
    },
  });
  await api("POST", `/v2/customers/${zelda.id}/custom-attributes/tier`, {
    custom_attribute: { value: "gold" },
  });
  chromium = await startChromium();
  tab = await chromium.context.newPage();
});

afterAll(async () => {
  await chromium?.close();
  await emulator?.close();
  receiver?.close();
});

describe("the dashboard in Chromium", () => {
  it("opens on the merchant, its customers, groups, segments and definitions", async () => {
    await tab.goto(`${emulator.url}/`);
    await tab.waitForSelector("body[data-ready=true]");
    await expect.poll(customerNames).toHaveLength(25);
    const merchant = tab.locator("#merchant-list button");
    await expect.poll(() => merchant.count()).toBe(1);
    expect(await merchant.textContent()).toMatch(/token [0-9a-f]{12}…/);
    expect(await merchant.textContent()).toContain("61 customers");
    // Newest first: the customer made last leads.
    expect((await customerNames())[0]).toBe("Zelda");
    expect(await tab.locator("#groups tbody").textContent()).toMatch(/VIP.*1/);
    expect(await tab.locator("#segments tbody tr").count()).toBe(3);
    expect(await tab.locator("#definitions tbody").textContent()).toContain("tier");
    // The token itself appears nowhere on the page.
    expect(await tab.content()).not.toContain(TOKEN);
    await shot("01-overview");
  });

  it("pages through customers and back", async () => {
    const first = await customerNames();
    await tab.click("#next-page");
    await expect.poll(() => tab.locator("#page-number").textContent()).toBe("Page 2");
    await expect.poll(customerNames).not.toEqual(first);
    const second = await customerNames();
    expect(second).toHaveLength(25);
    await shot("02-page-2");
    await tab.click("#next-page");
    await expect.poll(customerNames).toHaveLength(11); // 61 = 25 + 25 + 11
    expect(await tab.locator("#next-page").isDisabled()).toBe(true);
    await tab.click("#previous-page");
    await tab.click("#previous-page");
    await expect.poll(customerNames).toEqual(first);
  });

  it("searches, and shows a customer with its custom attribute values", async () => {
    await tab.fill("#customer-search input", "zelda hyrule");
    await expect.poll(customerNames).toEqual(["Zelda"]);
    await tab.click("#customer-table tbody tr");
    await tab.waitForSelector("#customer-detail:not([hidden])");
    expect(await tab.locator("#detail-attributes tbody").textContent()).toContain('"gold"');
    expect(await tab.locator("#detail-json").textContent()).toContain("zelda@hyrule.example");
    await shot("03-search-and-detail");
    await tab.fill("#customer-search input", "");
    await expect.poll(customerNames).toHaveLength(25);
  });

  it("switches a fault on, and the next request fails in the live log; off again, it passes", async () => {
    await tab.check('input[data-fault="server_error"]');
    await expect.poll(() => emulator.faults.rules()).toEqual([{ kind: "server_error" }]);
    expect((await api("GET", "/v2/customers?limit=1")).status).toBe(500);
    const failed = tab.locator('#request-log tbody tr[data-status="500"][data-fault="server_error"]');
    await expect.poll(() => failed.count()).toBe(1);
    expect(await failed.textContent()).toContain("/v2/customers");
    await shot("04-fault-on");

    await tab.uncheck('input[data-fault="server_error"]');
    await expect.poll(() => emulator.faults.rules()).toEqual([]);
    expect((await api("GET", "/v2/customers?limit=2")).status).toBe(200);
    await expect
      .poll(() => tab.locator("#request-log tbody tr").first().getAttribute("data-status"))
      .toBe("200");
    await shot("05-fault-off");
  });

  it("follows webhook deliveries: attempts, status, retry reason; never the signature key", async () => {
    const rows = tab.locator("#delivery-log tbody tr");
    // Zelda's creation (failed once, then retried) and her group membership.
    await expect.poll(() => rows.count()).toBe(2);
    const created = tab.locator('#delivery-log tbody tr[data-state="delivered"]', {
      hasText: "customer.created",
    });
    await expect.poll(() => created.count()).toBe(1);
    const cells = await created.locator("td").allTextContents();
    expect(cells.slice(3, 9)).toEqual(["startup", "delivered", "2", "200", expect.any(String), "http_error"]);
    expect(await tab.locator("#webhook-queue").textContent()).toContain("0 pending");
    expect(await tab.content()).not.toContain(WEBHOOK_KEY);
    await shot("06-webhook-deliveries");
  });

  it("applies a fault to one operation, with the settings of its row", async () => {
    const row = tab.locator('#fault-table tr[data-kind="rate_limit"]');
    await row.locator("select").selectOption("createCustomer");
    await row.locator("input[name=retryAfterSeconds]").fill("7");
    await tab.check('input[data-fault="rate_limit"]');
    await expect
      .poll(() => emulator.faults.rules())
      .toEqual([{ kind: "rate_limit", operations: ["createCustomer"], retryAfterSeconds: 7 }]);
    const limited = await fetch(new URL("/v2/customers", emulator.url), {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ given_name: "Limited" }),
    });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await api("GET", "/v2/customers?limit=1")).status).toBe(200);
    await tab.uncheck('input[data-fault="rate_limit"]');
    await expect.poll(() => emulator.faults.rules()).toEqual([]);
  });
});
