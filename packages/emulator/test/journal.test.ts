// The request journal: `emulator.requests({ merchant, operation })` returns what was sent — method,
// path, query, headers with the token redacted by core's rule, and the body — so a test can assert
// "exactly one bulk create of 100 rows". It is the request log's, bounded like it; the counts per
// operation (`requests.createCustomer`) stay as they were.
import { REDACTED } from "@square-customers/core";
import { describe, expect, it } from "vitest";
import { RequestLog } from "../src/api/request-log.js";
import { client, createCustomer, emulator } from "./helpers.js";

const TOKEN = "journal-token-0123456789";

describe("emulator.requests(filter)", () => {
  it("returns what a merchant sent, by operation, with its token redacted", async () => {
    const e = await emulator();
    const api = client(e, TOKEN);
    const other = client(e, "journal-someone-else");
    const customers = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`key-${i}`, { given_name: `Row ${i}` }]),
    );
    await api("POST", "/v2/customers/bulk-create", {
      body: { customers },
      headers: { "square-version": "2025-08-20", "x-trace": `trace ${TOKEN}` },
    });
    await api("GET", "/v2/customers", { query: { limit: 5, sort_field: "CREATED_AT" } });
    await createCustomer(other, { given_name: "Not mine" });
    await api("GET", "/v2/customers/NO-SUCH-ID");

    const merchant = e.merchantId(TOKEN);
    const bulk = e.requests({ merchant, operation: "bulkCreateCustomers" });
    expect(bulk).toHaveLength(1);
    const [sent] = bulk;
    expect(Object.keys((sent!.body as { customers: object }).customers)).toHaveLength(100);
    expect(sent).toMatchObject({
      method: "POST",
      path: "/v2/customers/bulk-create",
      operation: "bulkCreateCustomers",
      merchant,
      status: 200,
      query: "",
    });
    expect(sent!.headers).toMatchObject({
      authorization: `Bearer ${REDACTED}`,
      "content-type": "application/json",
      "square-version": "2025-08-20",
      "x-trace": `trace ${REDACTED}`,
    });
    expect(JSON.stringify(e.requests())).not.toContain(TOKEN);

    const mine = e.requests({ merchant });
    expect(mine.map((r) => [r.operation, r.status])).toEqual([
      ["bulkCreateCustomers", 200],
      ["listCustomers", 200],
      ["retrieveCustomer", 404],
    ]);
    expect(mine[1]).toMatchObject({ query: "limit=5&sort_field=CREATED_AT" });
    expect(mine[1]!.body).toBeUndefined();
    expect(e.requests({ operation: ["createCustomer", "retrieveCustomer"] }).map((r) => r.merchant)).toEqual([
      e.merchantId("journal-someone-else"),
      merchant,
    ]);
    // The counts per operation are still there.
    expect(e.requests.bulkCreateCustomers).toBe(1);
    expect(e.requests.createCustomer).toBe(1);
  });

  it("keeps a body that is not JSON as text, and requests no merchant was found for", async () => {
    const e = await emulator();
    const api = client(e, TOKEN);
    await api("POST", "/v2/customers", {
      raw: "{not json",
      headers: { "content-type": "application/json" },
      unchecked: true,
    });
    await api("GET", "/v2/customers", { noAuth: true });
    const all = e.requests();
    expect(all[0]).toMatchObject({ operation: "createCustomer", status: 400, body: "{not json" });
    expect(all[1]).toMatchObject({ operation: "listCustomers", status: 401 });
    expect(all[1]!.merchant).toBeUndefined();
    expect(all[1]!.headers.authorization).toBeUndefined();
  });

  it("gives a merchant's id before its first request, and the same one after", async () => {
    const e = await emulator();
    const before = e.merchantId("journal-new");
    await createCustomer(client(e, "journal-new"));
    expect(e.merchantId("journal-new")).toBe(before);
    expect(e.requests({ merchant: before })).toHaveLength(1);
  });

  it("is emptied by reset(), like the counts", async () => {
    const e = await emulator();
    await createCustomer(client(e, TOKEN));
    e.reset();
    expect(e.requests()).toEqual([]);
    expect(e.requests.createCustomer).toBe(0);
  });

  it("records the manual clock's time", async () => {
    const e = await emulator({ clock: { mode: "manual", start: "2025-01-01T00:00:00Z" } });
    await createCustomer(client(e, TOKEN));
    await e.clock.advance("1h");
    await createCustomer(client(e, TOKEN));
    expect(e.requests().map((r) => r.at)).toEqual(["2025-01-01T00:00:00.000Z", "2025-01-01T01:00:00.000Z"]);
  });
});

describe("the request log's bounds", () => {
  const entry = (seq: number) => ({
    method: "POST",
    path: "/v2/customers",
    operation: "createCustomer" as const,
    status: 200,
    durationMs: 1,
    requestId: `r${seq}`,
    fault: undefined,
    merchant: "M",
  });
  const raw = (body: string) => ({ query: "", headers: {}, body: Buffer.from(body), token: undefined });

  it("keeps the newest requests up to its capacity", () => {
    const log = new RequestLog(() => 0, 3);
    for (let i = 1; i <= 5; i++) log.add(entry(i), raw(`{"n":${i}}`));
    expect(log.journal().map((r) => r.body)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
    expect(log.since(0).map((r) => r.seq)).toEqual([3, 4, 5]);
  });

  it("and up to its body budget, dropping the oldest first", () => {
    const log = new RequestLog(() => 0, 100, 25);
    for (let i = 1; i <= 4; i++) log.add(entry(i), raw(`"${"x".repeat(8)}${i}"`)); // 11 bytes each
    expect(log.journal().map((r) => r.requestId)).toEqual(["r3", "r4"]);
  });

  it("shows the dashboard only the last 500, in summary form", () => {
    const log = new RequestLog(() => 0);
    for (let i = 1; i <= 600; i++) log.add(entry(i), raw("{}"));
    const shown = log.since(0);
    expect(shown).toHaveLength(500);
    expect(shown[0]!.seq).toBe(101);
    expect(shown[0]).not.toHaveProperty("headers");
    expect(log.journal()).toHaveLength(600);
  });
});
