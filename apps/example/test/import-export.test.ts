// import, export and generate, run as child processes against one emulator; each test uses its own
// access token, which the emulator treats as its own (empty) merchant.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Customer } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json, run } from "./support.js";

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  dir = await mkdtemp(join(tmpdir(), "customers-cli-test-"));
});

afterAll(async () => {
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  emulator.faults.set([]);
});

interface Report {
  rows: number;
  valid: number;
  invalid: number;
  invalidRows: { line: number; reasons: string[] }[];
  imported: number;
  rejected: number;
  notSent: number;
  customersBefore?: number;
  customersAfter?: number;
  http: { attempts: number; statuses: Record<string, number> };
}

const file = (name: string) => join(dir, name);

async function listAll(token: string): Promise<Customer[]> {
  const result = await run(["list", "--json", "--url", emulator.url], { token });
  expect(result.code).toBe(0);
  return json<Customer[]>(result);
}

/** What a customer is, without what the server assigns. */
function content(customer: Customer): string {
  const {
    id,
    created_at,
    updated_at,
    version,
    creation_source,
    preferences,
    group_ids,
    segment_ids,
    ...rest
  } = customer;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

describe("generate + import", () => {
  it("imports every row through retried 429s and 503s, and a second import creates nothing", async () => {
    const csv = file("sample.csv");
    const generated = await run(["generate", csv, "--count", "250"]);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain("Wrote 250 customers");

    emulator.faults.set([
      { kind: "rate_limit", operations: ["bulkCreateCustomers"], nth: [1], retryAfterSeconds: 0 },
      { kind: "unavailable", operations: ["bulkCreateCustomers"], nth: [3] },
    ]);
    const first = await run(["import", csv, "--url", emulator.url, "--json"], { token: "importer" });
    expect(first.code, first.stderr).toBe(0);
    const report = json<Report>(first);
    expect(report).toMatchObject({ rows: 250, invalid: 0, imported: 250, rejected: 0, notSent: 0 });
    expect(report.http.statuses["429"]).toBe(1);
    expect(report.http.statuses["503"]).toBe(1);
    expect(report.customersAfter! - report.customersBefore!).toBe(250);

    // Human output: a summary on stdout, progress on stderr.
    const again = await run(["import", csv, "--url", emulator.url], { token: "importer" });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported\s+250/);
    expect(again.stdout).toContain("250 → 250 (+0)");
    expect(again.stdout).toContain("already in the account");
    expect(again.stderr).toContain("import: 250/250 (100%)");

    const customers = await listAll("importer");
    expect(customers).toHaveLength(250);
    expect(new Set(customers.map((c) => c.reference_id)).size).toBe(250);
  });
});

describe("generate --invalid", () => {
  it("mixes in exactly that many rows that core's rules refuse", async () => {
    const csv = file("with-invalid.csv");
    expect((await run(["generate", csv, "--count", "50", "--invalid", "5"])).code).toBe(0);
    const result = await run(["import", csv, "--dry-run", "--json"]);
    expect(result.code).toBe(1);
    const report = json<Report>(result);
    expect(report).toMatchObject({ rows: 50, valid: 45, invalid: 5 });
    expect(report.invalidRows.map((r) => r.line)).toEqual([11, 21, 31, 41, 51]);
  });
});

describe("import against a server that is not there", () => {
  it("stops at its first request with exit 1 and a hint, sending no row", async () => {
    const csv = file("unreachable.csv");
    await writeFile(csv, "given_name\nAda\n");
    const closed = await startEmulator({ port: 0, host: "127.0.0.1" });
    await closed.close();
    const result = await run(["import", csv, "--url", closed.url, "--max-retries", "0", "--json"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("is the server running");
    expect(result.stderr).not.toContain("bulkCreateCustomers");
  });
});

describe("a file with bad rows", () => {
  const lines = [
    "given_name,family_name,email_address,phone_number,birthday,note,address.country",
    "Ada,Lovelace,ada@example.com,+44 20 7946 0001,1815-12-10,,GB", //   2 ok
    "Bad,Email,not-an-email,,,,", //                                     3 bad email
    'Grace,Hopper,grace@example.com,,12-09,"Wrote the first', //         4 ok (note spans two lines)
    'compiler",US', //                                                   5
    ",,,,,,", //                                                         6 nothing to identify
    "Alan,Turing,alan@example.com,,1912-06-31,,GB", //                   7 no 31 June
    "Katherine,Johnson,katherine@example.com,,,,XX", //                  8 no such country
    "Ada,Lovelace,ada@example.com,+44 20 7946 0001,1815-12-10,,GB", //   9 same as line 2
    "Too,Many,fields@example.com,,,,US,extra", //                       10 extra field
    "Edsger,Dijkstra,,+31 20 555 0000,,,NL", //                         11 ok
  ];

  it("reports each bad row by line and reason, never sends it, and imports the rest", async () => {
    const csv = file("bad-rows.csv");
    await writeFile(csv, `${lines.join("\n")}\n`);
    const sentBefore = emulator.requests.bulkCreateCustomers;

    const result = await run(["import", csv, "--url", emulator.url], { token: "bad-rows" });
    expect(result.code).toBe(1); // some rows were not imported
    const problems = result.stderr.split("\n").filter((l) => l.startsWith(`${csv}:`));
    expect(problems).toEqual([
      `${csv}:3: email_address is not a valid email address`,
      `${csv}:6: at least one of given_name, family_name, company_name, email_address, phone_number is required`,
      `${csv}:7: birthday 1912-06-31 does not exist: June 1912 has 30 days`,
      `${csv}:8: address.country is "XX", not a two-letter country code (ISO 3166-1 alpha-2, such as US, GB or DE)`,
      `${csv}:9: the same customer as line 2`,
      `${csv}:10: has 8 fields, the header has 7`,
    ]);
    expect(result.stdout).toMatch(/rows read\s+9/); // line 4-5 is one record
    expect(result.stdout).toMatch(/invalid, not sent\s+6/);
    expect(result.stdout).toMatch(/imported\s+3/);
    expect(emulator.requests.bulkCreateCustomers - sentBefore).toBe(1); // one call, valid rows only

    const customers = await listAll("bad-rows");
    expect(customers.map((c) => c.given_name).sort()).toEqual(["Ada", "Edsger", "Grace"]);
    const grace = customers.find((c) => c.given_name === "Grace");
    expect(grace?.note).toBe("Wrote the first\ncompiler");
    expect(grace?.birthday).toBe("0000-12-09");
  });

  it("--dry-run reports the same rows and sends nothing", async () => {
    const csv = file("bad-rows-dry.csv");
    await writeFile(csv, `${lines.join("\n")}\n`);
    const sentBefore = emulator.requests.bulkCreateCustomers;
    const result = await run(["import", csv, "--dry-run", "--json"]);
    expect(result.code).toBe(1);
    const report = json<Report & { dryRun: boolean }>(result);
    expect(report).toMatchObject({ dryRun: true, rows: 9, valid: 3, invalid: 6 });
    expect(report.invalidRows.map((r) => r.line)).toEqual([3, 6, 7, 8, 9, 10]);
    expect(emulator.requests.bulkCreateCustomers).toBe(sentBefore);
  });

  it.each([
    ["unknown column", "given_name,emial\nAda,ada@example.com\n", 'unknown column "emial"'],
    ["repeated column", "given_name,given_name\nAda,Ada\n", 'column "given_name" appears more than once'],
    ["empty file", "", "is empty: expected a header line"],
    ["unclosed quote", 'given_name,note\nAda,"never closed\n', "not valid CSV"],
  ])("refuses a bad file (%s) with exit 2 before sending anything", async (_name, text, message) => {
    const csv = file("bad-file.csv");
    await writeFile(csv, text);
    const sentBefore = emulator.requests.bulkCreateCustomers;
    const result = await run(["import", csv, "--url", emulator.url], { token: "bad-file" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(emulator.requests.bulkCreateCustomers).toBe(sentBefore);
  });
});

describe("export", () => {
  it("export, then import into a fresh merchant, reproduces the same customers", async () => {
    const source = file("source.csv");
    await run(["generate", source, "--count", "120", "--seed", "7"]);
    expect((await run(["import", source, "--url", emulator.url], { token: "merchant-a" })).code).toBe(0);

    const csv = file("export-a.csv");
    const exported = await run(["export", csv, "--url", emulator.url], { token: "merchant-a" });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`Exported 120 customers to ${csv}`);
    expect(exported.stderr).toContain("export: 120/120 (100%)");

    const imported = await run(["import", csv, "--url", emulator.url], { token: "merchant-b" });
    expect(imported.code, imported.stderr).toBe(0);

    const a = await listAll("merchant-a");
    const b = await listAll("merchant-b");
    expect(b).toHaveLength(120);
    expect(b.map(content).sort()).toEqual(a.map(content).sort());
    // Different merchants, so different customers: nothing was shared but the data.
    expect(b.map((c) => c.id)).not.toEqual(expect.arrayContaining(a.map((c) => c.id)));

    const jsonFile = file("export-b.json");
    expect((await run(["export", jsonFile, "--url", emulator.url], { token: "merchant-b" })).code).toBe(0);
    const fromJson = JSON.parse(await readFile(jsonFile, "utf8")) as Customer[];
    expect(fromJson.map(content).sort()).toEqual(b.map(content).sort());
  });

  it("an empty account exports a header-only CSV and an empty JSON array", async () => {
    const csv = file("empty.csv");
    const jsonFile = file("empty.json");
    expect((await run(["export", csv, "--url", emulator.url], { token: "nobody" })).code).toBe(0);
    expect((await run(["export", jsonFile, "--url", emulator.url], { token: "nobody" })).code).toBe(0);
    expect((await readFile(csv, "utf8")).split("\n")[0]).toMatch(/^id,given_name,/);
    expect(JSON.parse(await readFile(jsonFile, "utf8"))).toEqual([]);
  });
});
