// The contract check itself: every integration test file routes the client through `check` (see
// support.ts) and fails in afterAll if any request broke the spec. Here: the check does catch requests
// the spec forbids, so a pass elsewhere means something.
import { describe, expect, it } from "vitest";
import { check } from "./support.js";

const base = "http://127.0.0.1:1";
const headers = {
  authorization: "Bearer t",
  "square-version": "2025-08-20",
  "content-type": "application/json",
};

describe("the contract check", () => {
  it("passes a request the spec allows", async () => {
    const violations: string[] = [];
    await check(new Request(`${base}/v2/customers?limit=10`, { headers }), violations);
    await check(
      new Request(`${base}/v2/customers/bulk-retrieve`, {
        method: "POST",
        headers,
        body: '{"customer_ids":["a"]}',
      }),
      violations,
    );
    expect(violations).toEqual([]);
  });

  it("flags ill-typed query values, bodies of the wrong shape, unknown paths and missing headers", async () => {
    const violations: string[] = [];
    await check(new Request(`${base}/v2/customers?limit=ten&sort_field=NAME`, { headers }), violations);
    await check(
      new Request(`${base}/v2/customers/bulk-retrieve`, { method: "POST", headers, body: "{}" }),
      violations,
    );
    await check(new Request(`${base}/v2/customerz`, { headers }), violations);
    await check(new Request(`${base}/v2/customers`), violations);
    expect(violations).toHaveLength(5); // the last request lacks both the token and the version
    expect(violations.join("\n")).toMatch(/query limit/);
  });
});
