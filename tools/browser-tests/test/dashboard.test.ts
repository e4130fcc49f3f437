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
    const startupUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    expect(cells.slice(3, 10)).toEqual([
      "startup",
      startupUrl,
      "delivered",
      "2",
      "200",
      expect.any(String),
      "http_error",
    ]);
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
  it("shows Loading… in each table until its data arrives", async () => {
    const page = await chromium.context.newPage();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The admin API's answers for the merchant's data are held back until the screenshot is taken.
    await page.route(
      /\/_emulator\/merchants\/[^/]+\/(customers|groups|segments|custom-attribute-definitions)/,
      async (route) => {
        await held;
        await route.continue();
      },
    );
    try {
      await page.goto(`${emulator.url}/`);
      const loading = page.locator("#customer-table tbody tr.loading");
      await expect.poll(() => loading.textContent()).toBe("Loading…");
      for (const section of ["#groups", "#segments", "#definitions"]) {
        expect(await page.locator(`${section} tbody tr.loading`).textContent()).toBe("Loading…");
      }
      await page.screenshot({ path: `${ARTIFACTS}07-loading.png`, fullPage: true });
      release();
      await expect.poll(() => page.locator("#customer-table tbody tr[data-customer]").count()).toBe(25);
      await expect.poll(() => page.locator("tr.loading").count()).toBe(0);
    } finally {
      release();
      await page.close();
    }
  });

  it("opens a customer beside the list, in view, even from the bottom of a long page", async () => {
    await tab.setViewportSize({ width: 1400, height: 700 });
    await tab.fill("#customer-search input", "");
    await expect.poll(customerNames).toHaveLength(25);
    const last = tab.locator("#customer-table tbody tr").last();
    await last.scrollIntoViewIfNeeded();
    await last.click();
    await tab.waitForSelector("#customer-detail:not([hidden])");
    const detail = (await tab.locator("#customer-detail").boundingBox())!;
    const list = (await tab.locator("#customers .list").boundingBox())!;
    // Beside the list, not below it, and on screen where the user clicked.
    expect(detail.x).toBeGreaterThanOrEqual(list.x + list.width);
    expect(detail.y).toBeLessThan(list.y + list.height);
    const inView = await tab.locator("#customer-detail h3").evaluate((node) => {
      const box = node.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    });
    expect(inView).toBe(true);
    await tab.screenshot({ path: `${ARTIFACTS}08-detail-beside-list.png` });
    await tab.setViewportSize({ width: 1400, height: 1000 });
  });

  it("says None. under a heading for every empty part of a customer, and for an empty search", async () => {
    await tab.fill("#customer-search input", "zelda hyrule");
    await expect.poll(customerNames).toEqual(["Zelda"]);
    await tab.click("#customer-table tbody tr");
    await tab.waitForSelector("#customer-detail:not([hidden])");
    const headings = await tab.locator("#customer-detail h4").allTextContents();
    expect(headings).toEqual(["Custom attribute values", "Cards on file"]);
    expect(await tab.locator("#detail-cards tbody").textContent()).toBe("None.");
    // A seeded customer has no custom attribute values either.
    await tab.fill("#customer-search input", "");
    await expect.poll(customerNames).toHaveLength(25);
    await tab.locator("#customer-table tbody tr").nth(1).click();
    await expect.poll(() => tab.locator("#detail-attributes tbody").textContent()).toBe("None.");
    await tab.fill("#customer-search input", "no-such-customer-anywhere");
    await expect.poll(() => tab.locator("#customer-table tbody").textContent()).toBe("No customer matches.");
    await shot("09-none-rows");
  });

  it("closes the detail of a customer the search no longer finds", async () => {
    await tab.fill("#customer-search input", "zelda");
    await expect.poll(customerNames).toEqual(["Zelda"]);
    await tab.click("#customer-table tbody tr");
    await tab.waitForSelector("#customer-detail:not([hidden])");
    await tab.fill("#customer-search input", "zelda nobody");
    await expect.poll(() => tab.locator("#customer-detail").isHidden()).toBe(true);
    await shot("10-search-hides-detail");
    // Still found: the detail stays.
    await tab.fill("#customer-search input", "zelda");
    await expect.poll(customerNames).toEqual(["Zelda"]);
    await tab.click("#customer-table tbody tr");
    await tab.fill("#customer-search input", "hyrule");
    await expect.poll(customerNames).toEqual(["Zelda"]);
    expect(await tab.locator("#customer-detail").isVisible()).toBe(true);
    await tab.fill("#customer-search input", "");
  });

  it("shows a repointed subscription's new notification_url on its deliveries still on their way", async () => {
    // A receiver that always fails (its deliveries keep retrying), then one that accepts.
    const failing = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(503).end());
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    const oldUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/old`;
    const newUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/new`;
    try {
      const { subscription } = (
        await api("POST", "/v2/webhooks/subscriptions", {
          subscription: { event_types: ["customer.updated"], notification_url: oldUrl },
        })
      ).body;
      const zelda = (
        await api("POST", "/v2/customers/search", {
          query: { filter: { email_address: { exact: "zelda@hyrule.example" } } },
        })
      ).body.customers[0];
      await api("PUT", `/v2/customers/${zelda.id}`, { nickname: "Z" });
      const row = tab.locator(`#delivery-log tbody tr`, { hasText: subscription.id });
      await expect.poll(() => row.locator("td.url").textContent(), { timeout: 10_000 }).toBe(oldUrl);
      await expect.poll(() => row.getAttribute("data-state"), { timeout: 10_000 }).toBe("retrying");
      await api("PUT", `/v2/webhooks/subscriptions/${subscription.id}`, {
        subscription: { notification_url: newUrl },
      });
      await expect.poll(() => row.locator("td.url").textContent(), { timeout: 10_000 }).toBe(newUrl);
      await expect.poll(() => row.getAttribute("data-state"), { timeout: 20_000 }).toBe("delivered");
      expect(await row.locator("td.url").textContent()).toBe(newUrl);
      await shot("11-repointed-subscription");
    } finally {
      failing.close();
    }
  });
});
