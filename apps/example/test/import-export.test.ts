// import, export and generate, run as child processes against one emulator; each test uses its own
// access token, which the emulator treats as its own (empty) merchant.
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Customer } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json, run, start, until } from "./support.js";

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
  outcomeUnknown: number;
  unknownRows: { line: number; reasons: string[] }[];
  notSent: number;
  complete: boolean;
  lastLine: number;
  interrupted: boolean;
  aborted?: string;
  customersBefore?: number;
  customersAfter?: number;
  http: { attempts: number; statuses: Record<string, number> };
}

/** Every row read is counted in exactly one outcome. */
function expectEveryRowCounted(report: Report): void {
  const { rows, invalid, imported, rejected, outcomeUnknown, notSent } = report;
  expect(invalid + imported + rejected + outcomeUnknown + notSent).toBe(rows);
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
    expect(report).toMatchObject({ outcomeUnknown: 0, complete: true, interrupted: false });
    expectEveryRowCounted(report);
    expect(report.http.statuses["429"]).toBe(1);
    expect(report.http.statuses["503"]).toBe(1);
    expect(report.customersAfter! - report.customersBefore!).toBe(250);

    // Human output: a summary on stdout that tells new rows from rows already there; piped, no progress.
    const again = await run(["import", csv, "--url", emulator.url], { token: "importer" });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /\n {2}imported {14}250: 0 new, 250 already there \(from an earlier import of the same rows\)\n/,
    );
    expect(again.stdout).toMatch(/customers in account\s+250 → 250\n/);
    expect(again.stderr).toBe("");

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
    expect(result.code).toBe(0);
    const report = json<Report>(result);
    expect(report).toMatchObject({ rows: 50, valid: 45, invalid: 5 });
    // --strict: any invalid row fails the check.
    expect((await run(["import", csv, "--dry-run", "--strict", "--json"])).code).toBe(1);
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
    expect(result.code).toBe(0); // every valid row went in; the invalid ones are reported, not fatal
    const problems = result.stderr.split("\n").filter((l) => l.startsWith(`${csv}:`));
    // Core words the reasons (core-messages.test.ts checks the wording of two of them).
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
    expect(result.code).toBe(0);
    const report = json<Report & { dryRun: boolean }>(result);
    expect(report).toMatchObject({ dryRun: true, rows: 9, valid: 3, invalid: 6 });
    expect(report.invalidRows.map((r) => r.line)).toEqual([3, 6, 7, 8, 9, 10]);
    expect(emulator.requests.bulkCreateCustomers).toBe(sentBefore);
  });

  it("--strict: the same import exits 1, having imported every valid row all the same", async () => {
    const csv = file("bad-rows-strict.csv");
    await writeFile(csv, `${lines.join("\n")}\n`);
    const result = await run(["import", csv, "--url", emulator.url, "--strict"], {
      token: "bad-rows-strict",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/invalid, not sent\s+6/);
    expect(await listAll("bad-rows-strict")).toHaveLength(3);
  });

  it.each([
    ["unknown column", "given_name,emial\nAda,ada@example.com\n", 'unknown column "emial"'],
    ["repeated column", "given_name,given_name\nAda,Ada\n", 'column "given_name" appears more than once'],
    ["empty file", "", "is empty: expected a header line"],
    ["unclosed quote in the header", 'given_name,"note\nAda,x\n', "bad-file.csv:1: unclosed quote"],
    ["semicolons", "given_name;email_address\nAda;ada@example.com\n", "pass --delimiter ';'"],
    ["tabs", "given_name\temail_address\nAda\tada@example.com\n", "pass --delimiter tab"],
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
    // Piped, no progress lines: progress is for a terminal (terminal.test.ts shows the bar).
    expect(exported.stderr).toBe("");

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

  it("export, then import into the same merchant: every row is already there, nothing is created twice", {
    timeout: 120_000,
  }, async () => {
    const source = file("same-source.csv");
    await run(["generate", source, "--count", "150", "--seed", "11"]);
    expect((await run(["import", source, "--url", emulator.url], { token: "round-trip" })).code).toBe(0);
    const sentBefore = emulator.requests.bulkCreateCustomers;

    // CSV, read by a human: the summary says so.
    const csv = file("round-trip.csv");
    expect((await run(["export", csv, "--url", emulator.url], { token: "round-trip" })).code).toBe(0);
    const human = await run(["import", csv, "--url", emulator.url], { token: "round-trip" });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /\n {2}already in the account {2}150 {2}\(their id is a customer of this account: not sent, not duplicated\)\n/,
    );
    expect(human.stdout).toMatch(/\n {2}imported +0\n/);
    expect(human.stdout).toContain("150 → 150");

    // JSON, with the report as JSON: every row counted as existing.
    const jsonFile = file("round-trip.json");
    expect((await run(["export", jsonFile, "--url", emulator.url], { token: "round-trip" })).code).toBe(0);
    const report = json<Report & { existing: number; existingRows: { line: number }[] }>(
      await run(["import", jsonFile, "--url", emulator.url, "--json"], { token: "round-trip" }),
    );
    expect(report).toMatchObject({ rows: 150, existing: 150, imported: 0, notSent: 0 });
    expect(report.existingRows[0]?.line).toBe(2);

    expect(emulator.requests.bulkCreateCustomers).toBe(sentBefore);
    expect(await listAll("round-trip")).toHaveLength(150);
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

describe("malformed CSV rows", () => {
  it("an unclosed quote in data row 4 of a 51-line file costs that row only, reported at the line it starts on", async () => {
    const csv = file("stray-quote.csv");
    expect((await run(["generate", csv, "--count", "50", "--seed", "3"])).code).toBe(0);
    const lines = (await readFile(csv, "utf8")).split("\n");
    lines[4] = lines[4]!.replace(",", ',"'); // data row 4 is line 5: its second field opens a quote
    await writeFile(csv, lines.join("\n"));

    const result = await run(["import", csv, "--url", emulator.url, "--json"], { token: "stray-quote" });
    expect(result.code).toBe(0);
    const report = json<Report>(result);
    expect(report).toMatchObject({ rows: 50, invalid: 1, imported: 49, complete: true });
    expect(report.invalidRows).toEqual([{ line: 5, reasons: [expect.stringContaining("unclosed quote")] }]);
    expectEveryRowCounted(report);

    const human = await run(["import", csv, "--dry-run"]);
    expect(human.stderr).toContain(
      `${csv}:5: unclosed quote: a quoted field starts on this line and does not end`,
    );
  });

  it("a stray quote closed rows later, a multi-line note and text after a closing quote", async () => {
    const csv = file("quotes.csv");
    await writeFile(
      csv,
      [
        "given_name,family_name,note",
        'Ada,"Love,lace', //                  2: opens a quote that line 4 closes: malformed, row skipped
        "Grace,Hopper,ok", //                3
        'Alan,Turing",x', //                 4: read again on its own: a quote inside a field is text
        'Katherine,"Johnson"x,', //          5: text after a closing quote
        'Edsger,Dijkstra,"two', //           6-7: a quoted note over two lines is fine
        'lines"',
        "Barbara,Liskov,", //                8
      ].join("\r\n"),
    );
    const result = await run(["import", csv, "--url", emulator.url, "--json"], { token: "quotes" });
    const report = json<Report>(result);
    expect(report.invalidRows).toEqual([
      { line: 2, reasons: [expect.stringContaining("a quote opened on this line closes only on line 4")] },
      { line: 5, reasons: ["unexpected text after the closing quote of field 2"] },
    ]);
    expect(report).toMatchObject({ rows: 6, invalid: 2, imported: 4 });
    const customers = await listAll("quotes");
    expect(customers.map((c) => c.family_name).sort()).toEqual(
      ["Dijkstra", "Hopper", 'Turing"', "Liskov"].sort(),
    );
    expect(customers.find((c) => c.given_name === "Edsger")?.note).toBe("two\nlines");
  });

  it("--delimiter reads semicolon- and tab-separated files", async () => {
    const semicolons = file("semicolons.csv");
    await writeFile(semicolons, 'given_name;family_name;note\nAda;Lovelace;"a; b"\nGrace;Hopper;\n');
    const tabs = file("tabs.csv");
    await writeFile(tabs, "given_name\tfamily_name\nAlan\tTuring\n");
    const a = await run(["import", semicolons, "--delimiter", ";", "--url", emulator.url], {
      token: "delims",
    });
    expect(a.code, a.stderr).toBe(0);
    const b = await run(["import", tabs, "--delimiter", "tab", "--url", emulator.url], { token: "delims" });
    expect(b.code, b.stderr).toBe(0);
    const customers = await listAll("delims");
    expect(customers.map((c) => c.family_name).sort()).toEqual(["Hopper", "Lovelace", "Turing"]);
    expect(customers.find((c) => c.given_name === "Ada")?.note).toBe("a; b");
  });
});

describe("JSON import", () => {
  it("export → import round trips in JSON as in CSV", async () => {
    const source = file("json-source.csv");
    await run(["generate", source, "--count", "130", "--seed", "11"]);
    expect((await run(["import", source, "--url", emulator.url], { token: "json-a" })).code).toBe(0);
    const exported = file("json-a.json");
    expect((await run(["export", exported, "--url", emulator.url], { token: "json-a" })).code).toBe(0);

    const result = await run(["import", exported, "--url", emulator.url, "--json"], { token: "json-b" });
    expect(result.code, result.stderr).toBe(0);
    expect(json<Report>(result)).toMatchObject({ rows: 130, imported: 130, invalid: 0 });
    const a = await listAll("json-a");
    const b = await listAll("json-b");
    expect(b.map(content).sort()).toEqual(a.map(content).sort());
  });

  it("reports bad elements by the line they start on and imports the rest", async () => {
    const input = file("mixed.json");
    await writeFile(
      input,
      [
        "[",
        '  {"given_name": "Ada", "id": "ignored", "version": 3, "address": {"country": "GB"}},',
        '  {"given_name": "Bad", "emial": "typo@example.com"},',
        '  {"given_name": "Trailing", },',
        '  "just text",',
        '  {"given_name": "Grace",',
        '   "note": "spans lines"}',
        "]",
      ].join("\n"),
    );
    const result = await run(["import", input, "--url", emulator.url], { token: "mixed-json" });
    expect(result.code).toBe(0);
    const problems = result.stderr.split("\n").filter((l) => l.startsWith(`${input}:`));
    expect(problems).toEqual([
      `${input}:3: unknown field "emial"`,
      expect.stringMatching(new RegExp(`^${input}:4: not valid JSON`)),
      `${input}:5: not a JSON object (expected one customer)`,
    ]);
    expect((await listAll("mixed-json")).map((c) => c.given_name).sort()).toEqual(["Ada", "Grace"]);
  });

  it.each([
    ["not an array", '{"given_name": "Ada"}', "mixed-bad.json:1: expected a JSON array"],
    ["never closed", '[\n  {"given_name": "Ada"},\n', "the array is not closed"],
  ])("refuses a file that is not a JSON array (%s) with exit 2", async (_name, text, message) => {
    const input = file("mixed-bad.json");
    await writeFile(input, text);
    const result = await run(["import", input, "--url", emulator.url], { token: "bad-json" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe("an early stop", () => {
  it("reports a call whose answer was lost as outcome unknown, never as not sent", async () => {
    const csv = file("lost-answer.csv");
    await run(["generate", csv, "--count", "1000", "--seed", "5"]);
    // The second bulk call is applied, then its connection dropped: with no retries, its answer is lost.
    emulator.faults.set([{ kind: "drop_connection", operations: ["bulkCreateCustomers"], nth: [2] }]);
    const args = ["import", csv, "--url", emulator.url, "--max-retries", "0", "--concurrency", "1"];
    const result = await run([...args, "--json"], { token: "lost-answer" });
    expect(result.code).toBe(1);
    const report = json<Report>(result);
    expect(report).toMatchObject({ imported: 100, outcomeUnknown: 100, notSent: 0, complete: false });
    expect(report.aborted).toBeDefined();
    expect(report.unknownRows[0]?.line).toBe(102);
    expectEveryRowCounted(report);
    expect(result.stderr).toContain("run the same command again; rows already imported are skipped");
    emulator.faults.set([]);

    // A human reads the same; running the command again settles it, creating nothing twice.
    const again = await run(["import", csv, "--url", emulator.url], { token: "lost-answer" });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/imported\s+1,000: 800 new, 200 already there/);
    expect(again.stdout).toContain("200 → 1,000");
    expect(await listAll("lost-answer")).toHaveLength(1000);
  });

  it("the human summary says outcome unknown and how to confirm", async () => {
    const csv = file("lost-answer-human.csv");
    await run(["generate", csv, "--count", "300", "--seed", "6"]);
    emulator.faults.set([{ kind: "drop_connection", operations: ["bulkCreateCustomers"], nth: [1] }]);
    const result = await run(["import", csv, "--url", emulator.url, "--max-retries", "0"], {
      token: "human",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/outcome unknown\s+\d+\s+\(run the same command again to confirm\)/);
    expect(result.stdout).not.toContain("not sent (stopped early)");
  });
});

describe("Ctrl-C", () => {
  it("during an import: says what was done and how to resume; the next run finishes it", async () => {
    const csv = file("interrupted.csv");
    await run(["generate", csv, "--count", "3000", "--seed", "8"]);
    emulator.faults.set([{ kind: "latency", operations: ["bulkCreateCustomers"], latencyMs: 200 }]);
    const calls = emulator.requests.bulkCreateCustomers;
    const running = start(["import", csv, "--url", emulator.url], { token: "interrupted" });
    await until(() => emulator.requests.bulkCreateCustomers >= calls + 3, "three bulk calls");
    running.child.kill("SIGINT");
    const result = await running.exited;
    emulator.faults.set([]);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(
      "Interrupted: run the same command again; rows already imported are skipped.",
    );
    const imported = Number(/imported\s+([\d,]+)/.exec(result.stdout)?.[1]?.replace(",", ""));
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(3000);
    expect(result.stdout).toMatch(/rows read\s+[\d,]+\s+\(stopped at line/);

    const again = await run(["import", csv, "--url", emulator.url], { token: "interrupted" });
    expect(again.code, again.stderr).toBe(0);
    expect(await listAll("interrupted")).toHaveLength(3000);
  });

  it("during an export: no file, and the partial one is removed", async () => {
    const big = await startEmulator({ port: 0, host: "127.0.0.1", seed: 1000 });
    try {
      big.faults.set([{ kind: "latency", operations: ["listCustomers"], latencyMs: 300 }]);
      const target = file("interrupted-export.csv");
      const running = start(["export", target, "--url", big.url], { token: "exporter" });
      await until(() => big.requests.listCustomers >= 2, "the first page");
      running.child.kill("SIGINT");
      const result = await running.exited;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain(
        `${target} was not written, and the partial file ${target}.partial was removed`,
      );
      await expect(access(target)).rejects.toThrow();
      await expect(access(`${target}.partial`)).rejects.toThrow();
    } finally {
      await big.close();
    }
  });
});

describe("output files", () => {
  it("export refuses to replace a file without --force (exit 2)", async () => {
    const target = file("existing.json");
    await writeFile(target, "keep me");
    const refused = await run(["export", target, "--url", emulator.url], { token: "force" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${target} already exists: pass --force to replace it`);
    expect(await readFile(target, "utf8")).toBe("keep me");
    const forced = await run(["export", target, "--force", "--url", emulator.url], { token: "force" });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(target, "utf8"))).toEqual([]);
  });

  it.each([
    [["export", "no-such-dir/out.csv"], "cannot write no-such-dir/out.csv: no directory"],
    [["generate", "no-such-dir/out.csv"], "cannot write no-such-dir/out.csv: no directory"],
    [["export", "."], "cannot write .: it is a directory"],
    [["generate", "."], "cannot write .: it is a directory"],
  ])("customers %j is a clear usage error (exit 2)", async (args, message) => {
    const result = await run([...args, ...(args[0] === "export" ? ["--format", "csv"] : [])], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("ENOENT");
  });

  it("generate refuses to replace a file without --force", async () => {
    const target = file("generated-twice.csv");
    expect((await run(["generate", target, "--count", "3"])).code).toBe(0);
    const again = await run(["generate", target, "--count", "3"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists: pass --force");
    expect((await run(["generate", target, "--count", "3", "--force"])).code).toBe(0);
  });
});
