// Both clients, bundled for the browser, in a page served from one loopback origin, calling the emulator
// on another (localhost vs 127.0.0.1, different ports): create, list, and a typed not-found. And the
// negative: with CORS off, Chromium blocks the call.
import { fileURLToPath } from "node:url";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Failure, TourResult } from "../pages/tour.ts";
import { bundleForBrowser } from "../src/bundle.ts";
import { type Chromium, startChromium } from "../src/chromium.ts";
import { type StaticServer, serveStatic } from "../src/static-server.ts";

const page = (name: string) => fileURLToPath(new URL(`../pages/${name}`, import.meta.url));

const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>clients</title>
<script type="module" src="/promise-client.js"></script>
<script type="module" src="/effect-client.js"></script></head><body></body></html>`;

let chromium: Chromium;
let site: StaticServer;
let withCors: Emulator;
let withoutCors: Emulator;

/** The emulator's URL as the page calls it: `localhost`, so host and port differ from the page's. */
const crossOrigin = (e: Emulator) => e.url.replace("127.0.0.1", "localhost");

beforeAll(async () => {
  const [promiseJs, effectJs] = await Promise.all([
    bundleForBrowser(page("promise-client.ts")),
    bundleForBrowser(page("effect-client.ts")),
  ]);
  site = await serveStatic({
    "/": { type: "text/html; charset=utf-8", body: HTML },
    "/promise-client.js": { type: "text/javascript", body: promiseJs },
    "/effect-client.js": { type: "text/javascript", body: effectJs },
  });
  withCors = await startEmulator({ port: 0, host: "127.0.0.1" });
  withoutCors = await startEmulator({ port: 0, host: "127.0.0.1", cors: false });
  chromium = await startChromium();
});

afterAll(async () => {
  await chromium?.close();
  await Promise.all([site?.close(), withCors?.close(), withoutCors?.close()]);
});

/** A fresh tab on the page, with both tours loaded; console errors are collected. */
async function openPage(): Promise<{ tab: Page; console: string[] }> {
  const tab = await chromium.context.newPage();
  const console: string[] = [];
  tab.on("console", (message) => console.push(message.text()));
  await tab.goto(`${site.origin}/`);
  await tab.waitForFunction(() => window.tours?.promise !== undefined && window.tours?.effect !== undefined);
  return { tab, console };
}

function expectTour(result: TourResult, kind: string) {
  expect(result.created.given_name).toBe("Browser");
  expect(result.listedIds).toContain(result.created.id);
  expect(result.notFound).toEqual({
    kind,
    typed: true,
    status: 404,
    requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
}

describe("the clients in Chromium, across origins", () => {
  it("promise client: create, list, and NotFoundError", async () => {
    const { tab } = await openPage();
    const origins: Array<Promise<string | undefined>> = [];
    tab.on("request", (r) => {
      if (r.url().startsWith(crossOrigin(withCors))) origins.push(r.allHeaders().then((h) => h.origin));
    });
    const result = await tab.evaluate(
      ([url]) => window.tours!.promise!(url!, "browser-promise"),
      [crossOrigin(withCors)],
    );
    expectTour(result, "NotFoundError");
    // It really was a cross-origin call: the browser said where from.
    expect(new Set(await Promise.all(origins))).toEqual(new Set([site.origin]));
    await tab.close();
  });

  it("Effect client: create, list, and SquareNotFound (trace headers allowed)", async () => {
    const { tab } = await openPage();
    const sent: Array<Record<string, string>> = [];
    tab.on("request", (r) => {
      if (r.url().startsWith(crossOrigin(withCors))) sent.push(r.headers());
    });
    const result = await tab.evaluate(
      ([url]) => window.tours!.effect!(url!, "browser-effect"),
      [crossOrigin(withCors)],
    );
    expectTour(result, "SquareNotFound");
    expect(sent.some((h) => h.traceparent !== undefined && h.b3 !== undefined)).toBe(true);
    await tab.close();
  });

  it("is blocked by the browser when the emulator runs with CORS off", async () => {
    const { tab, console } = await openPage();
    const before = withoutCors.requests.createCustomer;
    const result = (await tab.evaluate(
      ([url]) => window.tours!.promiseCreateOnce!(url!, "browser-blocked"),
      [crossOrigin(withoutCors)],
    )) as Failure | string;
    expect(result).toMatchObject({ failed: true, name: "ConnectionError" });
    expect(console.join("\n")).toMatch(/blocked by CORS policy/);
    // The preflight failed, so the create itself never reached the emulator.
    expect(withoutCors.requests.createCustomer).toBe(before);
    // The same call against the emulator with CORS on goes through.
    const allowed = await tab.evaluate(
      ([url]) => window.tours!.promiseCreateOnce!(url!, "browser-blocked"),
      [crossOrigin(withCors)],
    );
    expect(typeof allowed).toBe("string");
    await tab.close();
  });
});
