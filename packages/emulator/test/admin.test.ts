// The dashboard and its admin API over real HTTP: what they show, how faults are switched, the live
// request log, and who may call them (loopback only). tools/browser-tests drives the page in Chromium.
import { request as httpRequest } from "node:http";
import { networkInterfaces } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { isLoopbackAddress, isLoopbackHost } from "../src/admin/guard.js";
import type { Emulator } from "../src/index.js";
import { type Api, client, createCustomer, emulator } from "./helpers.js";

const STRING = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String";
const TOKEN = "admin-test-secret-token";

let e: Emulator;
let api: Api;
beforeAll(async () => {
  e = await emulator({ seed: 30 });
  api = client(e, TOKEN);
});

async function admin(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(new URL(path, e.url), init);
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith("{") ? JSON.parse(text) : undefined,
    text,
    headers: res.headers,
  };
}

/** The merchant of TOKEN as the admin API lists it. */
async function merchantOfToken(): Promise<any> {
  await api("GET", "/v2/customers", { query: { limit: 1 } }); // creates (and seeds) the merchant
  const { body } = await admin("/_emulator/merchants");
  return body.merchants.find((m: any) => m.customers >= 30);
}

/** Sends a request with a Host header of our choosing (fetch does not allow setting it). */
function withHost(url: string, path: string, host: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the dashboard page", () => {
  it("is served at / with its script and style, locked to its own origin", async () => {
    const page = await admin("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.text).toContain('<script type="module" src="/_emulator/dashboard.js">');
    expect(page.text).toContain('id="webhook-deliveries"');
    const script = await admin("/_emulator/dashboard.js");
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.text).toContain("EventSource");
    expect((await admin("/_emulator/dashboard.css")).status).toBe(200);
    expect(page.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves every module the script imports, and no other file", async () => {
    const script = (await admin("/_emulator/dashboard.js")).text;
    const modules = [...script.matchAll(/from "\.\/([a-z-]+\.js)"/g)].map((m) => m[1]);
    expect(modules).toContain("dom.js");
    for (const module of modules) {
      const served = await admin(`/_emulator/${module}`);
      expect(served.status, module).toBe(200);
      expect(served.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(served.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
    const style = await admin("/_emulator/dashboard.css");
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(style.text).toContain("#customer-detail");
    expect((await admin("/_emulator/no-such-module.js")).status).toBe(404);
    for (const path of ["/_emulator/index.html", "/_emulator/style.css", "/_emulator/dashboard.ts"]) {
      expect((await admin(path)).status, path).toBe(404);
    }
    expect((await admin("/_emulator/dom.js", { method: "POST" })).status).toBe(405);
  });
});

describe("admin API", () => {
  it("describes the emulator", async () => {
    const { body } = await admin("/_emulator/info");
    expect(body).toEqual({
      storage: "memory",
      seed: 30,
      tokensRestricted: false,
      cors: [],
      features: { webhookDeliveries: true, snapshots: true },
      clock: "system",
    });
  });

  it("lists merchants by a short hash of their token, never the token", async () => {
    const merchant = await merchantOfToken();
    expect(merchant.tokenHash).toMatch(/^[0-9a-f]{12}$/);
    expect(merchant.customers).toBe(30);
    const raw = await admin("/_emulator/merchants");
    expect(raw.text).not.toContain(TOKEN);
  });

  it("pages a merchant's customers newest first and searches them", async () => {
    const merchant = await merchantOfToken();
    const newest = await createCustomer(api, { given_name: "Zelda", email_address: "zelda@admin.example" });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const { body } = await admin(
        `/_emulator/merchants/${merchant.id}/customers?limit=7${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...body.customers.map((c: any) => c.id));
      cursor = body.next;
    } while (cursor !== undefined);
    expect(seen[0]).toBe(newest.id);
    expect(new Set(seen).size).toBe(31);

    const search = async (q: string) =>
      (
        await admin(`/_emulator/merchants/${merchant.id}/customers?q=${encodeURIComponent(q)}`)
      ).body.customers.map((c: any) => c.id);
    expect(await search("zelda admin")).toEqual([newest.id]);
    expect(await search("ZELDA")).toEqual([newest.id]);
    expect(await search(newest.id.slice(3, 12))).toEqual([newest.id]);
    expect((await search("amelia")).length).toBeGreaterThan(1);
    expect(await search("nobody at all")).toEqual([]);
    expect((await admin(`/_emulator/merchants/${merchant.id}/customers?limit=0`)).status).toBe(400);
    expect((await admin(`/_emulator/merchants/${merchant.id}/customers?cursor=abc`)).status).toBe(400);
    expect((await admin("/_emulator/merchants/NOPE/customers")).status).toBe(404);
  });

  it("shows a customer with custom attribute values, and groups, segments and definitions", async () => {
    const merchant = await merchantOfToken();
    const customer = await createCustomer(api, { given_name: "Attr" });
    const group = (await api("POST", "/v2/customers/groups", { body: { group: { name: "VIP" } } })).body
      .group;
    await api("PUT", `/v2/customers/${customer.id}/groups/${group.id}`);
    await api("POST", "/v2/customers/custom-attribute-definitions", {
      body: {
        custom_attribute_definition: {
          key: "tier",
          name: "Tier",
          description: "d",
          schema: { $ref: STRING },
          visibility: "VISIBILITY_READ_ONLY",
        },
      },
    });
    await api("POST", `/v2/customers/${customer.id}/custom-attributes/tier`, {
      body: { custom_attribute: { value: "gold" } },
    });
    const base = `/_emulator/merchants/${merchant.id}`;
    const detail = (await admin(`${base}/customers/${customer.id}`)).body;
    expect(detail.customer.id).toBe(customer.id);
    expect(detail.customer.group_ids).toEqual([group.id]);
    expect(detail.custom_attributes).toMatchObject([{ key: "tier", value: "gold", version: 1 }]);
    expect(detail.cards).toEqual([]);
    expect((await admin(`${base}/customers/MISSING`)).status).toBe(404);

    const groups = (await admin(`${base}/groups`)).body;
    expect(groups.items).toContainEqual(expect.objectContaining({ id: group.id, name: "VIP", members: 1 }));
    const segments = (await admin(`${base}/segments`)).body.items;
    expect(segments.map((s: any) => s.name)).toEqual(["Reachable", "Loyal", "Lapsed"]);
    // Seeded customers 0..29: Reachable holds the even ones.
    expect(segments[0].members).toBe(15);
    const definitions = (await admin(`${base}/custom-attribute-definitions`)).body.items;
    expect(definitions).toMatchObject([{ key: "tier", name: "Tier", version: 1 }]);
  });

  it("logs API requests with merchant, status, latency and fault, and streams them live", async () => {
    const fresh = await emulator({
      faults: [{ kind: "server_error", nth: [2], operations: ["listCustomers"] }],
    });
    const freshApi = client(fresh, "log-token");
    const get = (path: string) => fetch(new URL(path, fresh.url)).then((r) => r.json() as Promise<any>);
    await freshApi("GET", "/v2/customers");
    await freshApi("GET", "/v2/customers");
    await get("/_emulator/merchants"); // admin requests stay out of the log
    const { requests } = await get("/_emulator/requests");
    expect(requests.map((r: any) => [r.method, r.path, r.status, r.operation, r.fault])).toEqual([
      ["GET", "/v2/customers", 200, "listCustomers", undefined],
      ["GET", "/v2/customers", 500, "listCustomers", "server_error"],
    ]);
    expect(requests[0].merchant).toMatch(/^[0-9A-Z]{13}$/);
    expect(requests[1].seq).toBe(requests[0].seq + 1);
    expect(JSON.stringify(requests)).not.toContain("log-token");
    expect((await get(`/_emulator/requests?after=${requests[0].seq}`)).requests).toHaveLength(1);

    // The stream replays what is kept after Last-Event-ID, then follows.
    const controller = new AbortController();
    const res = await fetch(new URL("/_emulator/requests/stream", fresh.url), {
      headers: { "last-event-id": String(requests[0].seq) },
      signal: controller.signal,
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    let text = "";
    const waitFor = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await waitFor(/"status":500/);
    expect(text).not.toContain(`"seq":${requests[0].seq},`);
    await freshApi("GET", "/v2/customers/NOPE");
    await waitFor(/"status":404/);
    expect(text).toMatch(/^id: \d+\nevent: request\ndata: \{/m);
    controller.abort();

    fresh.reset();
    expect((await get("/_emulator/requests")).requests).toEqual([]);
  });

  it("switches faults on and off, and the next request sees it", async () => {
    const fresh = await emulator();
    const freshApi = client(fresh, "fault-token");
    const put = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
      fetch(new URL("/_emulator/faults", fresh.url), { method: "PUT", headers, body: JSON.stringify(body) });
    const settings = (await (await fetch(new URL("/_emulator/faults", fresh.url))).json()) as any;
    expect(settings.rules).toEqual([]);
    expect(settings.kinds).toContain("server_error");
    expect(settings.operations).toContain("createCustomer");

    const on = await put({ rules: [{ kind: "unavailable", operations: ["listCustomers"] }] });
    expect(on.status).toBe(200);
    expect(((await on.json()) as any).rules).toEqual([
      { kind: "unavailable", operations: ["listCustomers"] },
    ]);
    expect((await freshApi("GET", "/v2/customers")).status).toBe(503);
    expect(fresh.faults.rules()).toEqual([{ kind: "unavailable", operations: ["listCustomers"] }]);
    expect((await put({ rules: [] })).status).toBe(200);
    expect((await freshApi("GET", "/v2/customers")).status).toBe(200);

    const bad = await put({ rules: [{ kind: "explode" }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0].detail).toMatch(/kind must be one of/);
    expect((await put({ nope: 1 })).status).toBe(400);
    // Cross-site writes: a form post (not JSON), or JSON from another origin.
    expect((await put({ rules: [] }, { "content-type": "text/plain" })).status).toBe(415);
    expect(
      (await put({ rules: [] }, { "content-type": "application/json", origin: "https://evil.example" }))
        .status,
    ).toBe(403);
    const sameOrigin = await put({ rules: [] }, { "content-type": "application/json", origin: fresh.url });
    expect(sameOrigin.status).toBe(200);
  });

  it("answers unknown admin paths and methods with Square-style errors", async () => {
    expect((await admin("/_emulator/nothing")).status).toBe(404);
    expect((await admin("/_emulator/%E0%A4%A")).status).toBe(404);
    const post = await admin("/_emulator/faults", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, PUT");
    expect(post.body.errors[0].code).toBe("METHOD_NOT_ALLOWED");
    const postPage = await admin("/", { method: "POST" });
    expect([postPage.status, postPage.headers.get("allow")]).toEqual([405, "GET"]);
  });
});

describe("who may call the admin API", () => {
  it("refuses a Host that is not loopback (DNS rebinding)", async () => {
    expect(await withHost(e.url, "/_emulator/info", "evil.example:80")).toBe(403);
    expect(await withHost(e.url, "/", "attacker.test")).toBe(403);
    expect(await withHost(e.url, "/_emulator/info", `localhost:${new URL(e.url).port}`)).toBe(200);
    // The API itself does not care about Host.
    expect(await withHost(e.url, "/v2/customers", "evil.example")).toBe(401);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;

  it.skipIf(external === undefined)(
    `refuses requests that arrive over a non-loopback address (${external ?? "this machine has none: skipped"})`,
    async () => {
      const open = await emulator({ host: "0.0.0.0" });
      const port = new URL(open.url).port;
      const remote = `http://${external}:${port}`;
      const refused = await fetch(`${remote}/_emulator/merchants`);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).errors[0].detail).toContain("own machine");
      expect((await fetch(`${remote}/`)).status).toBe(403);
      // The API answers there as usual, and the admin API on loopback.
      expect((await fetch(`${remote}/v2/customers`, { headers: { authorization: "Bearer x" } })).status).toBe(
        200,
      );
      expect((await fetch(`http://127.0.0.1:${port}/_emulator/info`)).status).toBe(200);
    },
  );

  it("knows loopback addresses and hosts", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"]) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
    for (const a of [
      "192.0.2.2",
      "10.0.0.1",
      "::ffff:192.0.2.2",
      "fd00::2",
      "::",
      "fe80::1%eth0",
      undefined,
      "",
    ]) {
      expect(isLoopbackAddress(a), String(a)).toBe(false);
    }
    for (const h of ["localhost", "localhost:8080", "app.localhost:1", "127.0.0.1:9", "[::1]:80"]) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ["evil.example", "localhost.evil.example", "192.0.2.2:80", "[fd00::2]", "", undefined]) {
      expect(isLoopbackHost(h), String(h)).toBe(false);
    }
  });
});
