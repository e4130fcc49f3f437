import { describe, expect, it } from "vitest";
import { type FaultRule, parseFaults, startEmulator } from "../src/index.js";
import { client, createCustomer, emulator, errorOf } from "./helpers.js";

const json = { "content-type": "application/json", authorization: "Bearer faults" };

describe("fault kinds", () => {
  it("rate_limit: 429 RATE_LIMITED with Retry-After on the chosen requests only", async () => {
    const e = await emulator({
      faults: [{ kind: "rate_limit", nth: [1, 2], operations: ["createCustomer"], retryAfterSeconds: 3 }],
    });
    const api = client(e);
    for (let i = 0; i < 2; i++) {
      const res = await api("POST", "/v2/customers", { body: { given_name: "R" } });
      expect(errorOf(res)).toEqual({ status: 429, code: "RATE_LIMITED", category: "RATE_LIMIT_ERROR" });
      expect(res.headers.get("retry-after")).toBe("3");
    }
    expect((await api("GET", "/v2/customers")).status).toBe(200); // other operations unaffected
    expect((await api("POST", "/v2/customers", { body: { given_name: "R" } })).status).toBe(200);
    expect(e.requests.createCustomer).toBe(3);
    expect(e.requests.listCustomers).toBe(1);
    expect((await api("GET", "/v2/customers")).body.customers).toHaveLength(1); // rejected ones not applied
  });

  it("server_error and unavailable: 500 / 503, nothing applied", async () => {
    const e = await emulator({
      faults: [
        { kind: "server_error", nth: [1] },
        { kind: "unavailable", nth: [2], retryAfterSeconds: 1 },
      ],
    });
    const api = client(e);
    const first = await api("POST", "/v2/customers", { body: { given_name: "S" } });
    expect(errorOf(first)).toEqual({ status: 500, code: "INTERNAL_SERVER_ERROR", category: "API_ERROR" });
    const second = await api("POST", "/v2/customers", { body: { given_name: "S" } });
    expect(errorOf(second)).toEqual({ status: 503, code: "SERVICE_UNAVAILABLE", category: "API_ERROR" });
    expect(second.headers.get("retry-after")).toBe("1");
    expect((await api("GET", "/v2/customers")).body).toEqual({});
  });

  it("latency: holds the matching operation only, and close() does not wait it out", async () => {
    // A delay far longer than the test may take, so nothing below depends on how fast the machine is.
    const e = await emulator({
      faults: [{ kind: "latency", latencyMs: 600_000, operations: ["listCustomers"] }],
    });
    const api = client(e);
    const c = await createCustomer(api);
    let listed: number | "pending" | "cut off" = "pending";
    const list = fetch(`${e.url}/v2/customers`, { headers: json }).then(
      (res) => {
        listed = res.status;
      },
      () => {
        listed = "cut off";
      },
    );
    // The request counter moves when the request arrives, before the delay.
    for (let i = 0; i < 1000 && e.requests.listCustomers === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(e.requests.listCustomers).toBe(1);
    expect((await api("GET", `/v2/customers/${c.id}`)).status).toBe(200);
    expect(listed).toBe("pending");
    await e.close();
    await list;
    expect(listed).toBe("cut off");
  });

  it("latency: a delayed request is then answered normally", async () => {
    const api = client(await emulator({ faults: [{ kind: "latency", latencyMs: 1 }] }));
    const c = await createCustomer(api, { given_name: "Slow" });
    expect((await api("GET", `/v2/customers/${c.id}`)).body.customer.given_name).toBe("Slow");
  });

  it("drop_connection: the write is applied, the answer never comes; an idempotent retry creates nobody twice", async () => {
    const e = await emulator({
      faults: [{ kind: "drop_connection", nth: [1], operations: ["createCustomer"] }],
    });
    const body = JSON.stringify({ given_name: "Dropped", idempotency_key: "drop-1" });
    await expect(fetch(`${e.url}/v2/customers`, { method: "POST", headers: json, body })).rejects.toThrow();
    const retry = await fetch(`${e.url}/v2/customers`, { method: "POST", headers: json, body });
    expect(retry.status).toBe(200);
    const api = client(e, "faults");
    const all = (await api("GET", "/v2/customers")).body.customers;
    expect(all).toHaveLength(1);
    expect(all[0].id).toBe(((await retry.json()) as any).customer.id);
  });

  it("truncated_body: headers promise more than arrives", async () => {
    const e = await emulator({ faults: [{ kind: "truncated_body", nth: [1] }] });
    const res = await fetch(`${e.url}/v2/customers`, { headers: json });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect((await fetch(`${e.url}/v2/customers`, { headers: json })).status).toBe(200);
  });

  it("malformed_body: a complete answer that is not JSON", async () => {
    const e = await emulator({
      faults: [{ kind: "malformed_body", nth: [1], operations: ["createCustomer"] }],
    });
    const res = await client(e)("POST", "/v2/customers", { body: { given_name: "M" }, unchecked: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(() => JSON.parse(res.text)).toThrow();
    expect(res.body).toBeUndefined();
  });
});

describe("fault selection", () => {
  async function pattern(seed: number): Promise<number[]> {
    const e = await startEmulator({
      seed,
      faults: [{ kind: "server_error", rate: 0.5, operations: ["listCustomers"] }],
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++)
        statuses.push((await fetch(`${e.url}/v2/customers`, { headers: json })).status);
      return statuses;
    } finally {
      await e.close();
    }
  }

  it("fires at a seeded rate, reproducibly", async () => {
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a).toContain(500);
    expect(a).toContain(200);
    expect(await pattern(8)).not.toEqual(a);
  });

  it("can be changed at run time and rewound by reset()", async () => {
    const e = await emulator();
    const api = client(e);
    expect((await api("GET", "/v2/customers")).status).toBe(200);
    e.faults.set([{ kind: "unavailable", nth: [2] }]);
    expect((await api("GET", "/v2/customers")).status).toBe(200);
    expect((await api("GET", "/v2/customers")).status).toBe(503);
    expect(e.requests.listCustomers).toBe(3);
    e.reset();
    expect(e.requests.listCustomers).toBe(0);
    expect((await api("GET", "/v2/customers")).status).toBe(200);
    expect((await api("GET", "/v2/customers")).status).toBe(503);
    expect(e.faults.rules()).toEqual([{ kind: "unavailable", nth: [2] }]);
    expect(() => e.faults.set([{ kind: "explode" } as unknown as FaultRule])).toThrow(/kind/);
  });

  it("parses the CLI syntax", () => {
    expect(parseFaults("rate_limit:nth=1,2;op=createCustomer latency:ms=50")).toEqual([
      { kind: "rate_limit", nth: [1, 2], operations: ["createCustomer"] },
      { kind: "latency", latencyMs: 50 },
    ]);
    expect(parseFaults("unavailable:rate=0.25;retry_after=2;ops=listCustomers,searchCustomers")).toEqual([
      {
        kind: "unavailable",
        rate: 0.25,
        retryAfterSeconds: 2,
        operations: ["listCustomers", "searchCustomers"],
      },
    ]);
    expect(parseFaults('[{"kind":"drop_connection","nth":[3]}]')).toEqual([
      { kind: "drop_connection", nth: [3] },
    ]);
    expect(parseFaults("  ")).toEqual([]);
    expect(() => parseFaults("explode")).toThrow(/kind/);
    expect(() => parseFaults("rate_limit:op=noSuchOperation")).toThrow(/noSuchOperation/);
    expect(() => parseFaults("rate_limit:nth=0")).toThrow(/nth/);
    expect(() => parseFaults("rate_limit:rate=2")).toThrow(/rate/);
    expect(() => parseFaults("rate_limit:bogus=1")).toThrow(/bogus/);
    expect(() => parseFaults("server_error:rate=")).toThrow(/rate=/);
    expect(() => parseFaults("server_error:nth=")).toThrow(/nth=/);
    expect(() => parseFaults("rate_limit:constructor=1")).toThrow(/constructor/);
  });
});
