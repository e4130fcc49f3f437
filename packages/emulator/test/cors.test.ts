// CORS over real HTTP (fetch in Node sends whatever Origin it is given, so the headers a browser would
// act on can be checked directly; tools/browser-tests runs the same in Chromium).
import { describe, expect, it } from "vitest";
import { corsPolicy, isLocalOrigin } from "../src/api/cors.js";
import { startEmulator } from "../src/index.js";
import { client, emulator, errorOf } from "./helpers.js";

/** A browser's preflight before a POST with JSON, a token and trace headers. */
function preflight(url: string, origin: string, path = "/v2/customers") {
  return fetch(new URL(path, url), {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, square-version, traceparent, b3",
    },
  });
}

describe("CORS", () => {
  it("answers preflights from local origins on any API path", async () => {
    const e = await emulator();
    for (const origin of [
      "http://localhost:5173",
      "http://127.0.0.1:3000",
      "http://[::1]:8080",
      "https://localhost",
      "http://localhost",
    ]) {
      for (const path of ["/v2/customers", "/v2/customers/ABC/custom-attributes/key", "/v2/not-an-api"]) {
        const res = await preflight(e.url, origin, path);
        expect(res.status, `${origin} ${path}`).toBe(204);
        expect(res.headers.get("access-control-allow-origin")).toBe(origin);
        expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE");
        const allowed = res.headers.get("access-control-allow-headers")!.split(", ");
        for (const header of [
          "authorization",
          "content-type",
          "square-version",
          "traceparent",
          "b3",
          "idempotency-key",
        ]) {
          expect(allowed).toContain(header);
        }
        expect(res.headers.get("vary")).toBe("Origin");
        expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
        expect(await res.text()).toBe("");
      }
    }
  });

  it("refuses preflights from other origins, saying why, without CORS headers", async () => {
    const e = await emulator();
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.example",
      "null",
      "http://127.0.0.2:80",
    ]) {
      const res = await preflight(e.url, origin);
      expect(res.status, origin).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(((await res.json()) as any).errors[0].detail).toContain("--cors");
    }
  });

  it("puts CORS headers on every answer, errors and injected faults included", async () => {
    const e = await emulator({
      faults: [{ kind: "rate_limit", nth: [1], operations: ["retrieveCustomer"] }],
    });
    const origin = "http://localhost:5173";
    const api = client(e, "cors-token");
    const answers = [
      await api("POST", "/v2/customers", { body: { given_name: "Cors" }, headers: { origin } }),
      await api("GET", "/v2/customers", { headers: { origin } }),
      await api("GET", "/v2/customers", { headers: { origin }, noAuth: true }),
      await api("GET", "/v2/customers/MISSING", { headers: { origin } }),
      await api("GET", "/v2/nowhere", { headers: { origin } }),
      await api("PATCH", "/v2/customers/X", { headers: { origin } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 429, 404, 405]);
    for (const answer of answers) {
      expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
      expect(answer.headers.get("access-control-expose-headers")).toBe(
        "x-request-id, square-version, retry-after",
      );
      expect(answer.headers.get("vary")).toBe("Origin");
    }
    // Without an Origin (not a browser) or from a foreign one: no CORS headers, same answers.
    const plain = await api("GET", "/v2/customers");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    const foreign = await api("GET", "/v2/customers", { headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows named origins, or any, and can be turned off", async () => {
    const named = await emulator({ cors: ["https://app.example.com", "http://192.168.1.20:8080"] });
    expect((await preflight(named.url, "https://app.example.com")).status).toBe(204);
    expect((await preflight(named.url, "http://192.168.1.20:8080")).status).toBe(204);
    expect((await preflight(named.url, "http://localhost:3000")).status).toBe(204); // local ones still
    expect((await preflight(named.url, "https://other.example.com")).status).toBe(403);

    const any = await emulator({ cors: ["*"] });
    const res = await preflight(any.url, "https://anything.example");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://anything.example");

    const off = await emulator({ cors: false });
    const offPreflight = await preflight(off.url, "http://localhost:5173");
    expect(
      errorOf(
        await client(off)("OPTIONS", "/v2/customers", { headers: { origin: "http://localhost:5173" } }),
      ),
    ).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });
    expect(offPreflight.headers.get("access-control-allow-origin")).toBeNull();
    const get = await client(off)("GET", "/v2/customers", { headers: { origin: "http://localhost:5173" } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
    expect(get.headers.get("vary")).toBeNull();
  });

  it("rejects an option that is not an origin before opening anything", async () => {
    for (const bad of [
      "app.example.com",
      "https://app.example.com/path",
      "ftp://x.example",
      "https://u@x.example",
    ]) {
      await expect(startEmulator({ cors: [bad] })).rejects.toThrow(/is not an origin/);
    }
  });

  it("knows local origins", () => {
    expect(isLocalOrigin("http://localhost:1")).toBe(true);
    expect(isLocalOrigin("https://127.0.0.1")).toBe(true);
    expect(isLocalOrigin("http://[::1]:9")).toBe(true);
    expect(isLocalOrigin("http://localhost.example.com")).toBe(false);
    expect(isLocalOrigin("file://localhost")).toBe(false);
    expect(isLocalOrigin("null")).toBe(false);
    expect(corsPolicy(["HTTPS://App.Example.COM:443"])?.origins).toEqual(
      new Set(["https://app.example.com"]),
    );
    expect(corsPolicy(false)).toBeUndefined();
  });
});
