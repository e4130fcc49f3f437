// Help, usage errors and the read commands (list, search, get), each run as a child process.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Customer } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, run } from "./support.js";

let seeded: Emulator; // every merchant starts with 30 sample customers
let guarded: Emulator; // accepts one token only
const SEEDED = 30;
const COMMANDS = [
  "demo",
  "list",
  "search",
  "get",
  "create",
  "update",
  "delete",
  "export",
  "import",
  "sync",
  "generate",
];
/** Tokens are long, as real ones are (clients scrub the token out of any text they keep). */
const READER = "reader-merchant-token";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "customers-cli-test-"));
  seeded = await startEmulator({ port: 0, host: "127.0.0.1", seed: SEEDED });
  guarded = await startEmulator({ port: 0, host: "127.0.0.1", tokens: ["the-only-good-token"] });
});

afterAll(async () => {
  await seeded?.close();
  await guarded?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("help", () => {
  it("lists the commands and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command);
  });

  it("states the exit codes, Ctrl-C's 130 through npm run included, in the global and each command's help", async () => {
    for (const args of [["--help"], ["import", "--help"], ["list", "--help"]]) {
      const { stdout } = await run(args);
      expect(stdout).toContain(
        "130  interrupted with Ctrl-C: the command stops, prints what it did, then exits 130",
      );
      expect(stdout).toContain("Through `npm run customers` too.");
      expect(stdout).toContain(
        "An import whose invalid rows were reported and skipped still exits 0 (--strict: 1).",
      );
    }
  });

  it("--version prints the CLI's version and the Square API version, and exits 0", async () => {
    const result = await run(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^customers \d+\.\d+\.\d+ \(Square API version \d{4}-\d{2}-\d{2}\)\n$/);
  });

  it.each(COMMANDS)("%s --help exits 0", async (command) => {
    const result = await run([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: customers ${command}`);
  });

  it("import --help lists every column an import reads", async () => {
    const result = await run(["import", "--help"]);
    for (const column of ["given_name", "address.postal_code", "address.country", "tax_ids.eu_vat"]) {
      expect(result.stdout).toContain(column);
    }
  });

  it("no command prints the help on stderr and exits 2", async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: customers");
  });
});

describe.concurrent("usage errors exit 2 with a message", () => {
  it.each([
    [["bogus"], "unknown command"],
    [["list", "--limit", "0"], "--limit must be a whole number"],
    [["list", "--nope"], "unknown option"],
    [["list", "--sort", "sideways"], "Allowed choices are default, created_at"],
    [["list", "--url", "not a url"], "--url must be an http:// or https:// URL"],
    [["list", "--url", "http://127.0.0.1:1", "--environment", "sandbox"], "cannot be used with"],
    [["list", "--environment", "sandbox"], "set SQUARE_ACCESS_TOKEN"],
    [["search", "--created-after", "yesterday"], "--created-after must be a date"],
    [["get"], "missing required argument"],
    [["export", "customers.txt"], "name it *.csv or *.json"],
    [["import", "does-not-exist.csv"], "cannot read does-not-exist.csv"],
    [["import", "."], "cannot read .: not a file"],
    [["import", "missing.json"], "cannot read missing.json"],
    [["import", "x.csv", "--chunk-size", "101"], "--chunk-size must be a whole number from 1 to 100"],
    [["sync"], "required option '--db <file | postgres://…>' not specified"],
    [["sync", "--db", "m.sqlite"], "customers sync needs --url (a running emulator) or --environment"],
    [["sync", "--db", "m.sqlite", "--listen", "8080"], "--listen must be HOST:PORT"],
    [["sync", "--db", "m.sqlite", "--listen", "127.0.0.1:70000"], "--listen must be HOST:PORT"],
    [["sync", "--db", "m.sqlite", "--reconcile-every", "-1"], "--reconcile-every must be a whole number"],
    [["sync", "--db", "m.sqlite", "--notification-url", "ftp://x"], "--notification-url must be an http"],
    [
      ["sync", "--db", "/nonexistent-dir/m.sqlite", "--url", "http://127.0.0.1:1"],
      "cannot open /nonexistent-dir/m.sqlite",
    ],
    [["import", "x.csv", "--delimiter", ";;"], "--delimiter must be one character"],
    [["import", "x.csv", "--format", "xml"], "Allowed choices are csv, json"],
    [["list", "--json", "--table"], "cannot be used with"],
    [["update", "SOME_ID"], "required option '--set <field=value...>' not specified"],
    [["update", "SOME_ID", "--set", "nickname"], "--set takes field=value"],
    [["update", "SOME_ID", "--set", "version=3"], '"version" is not a field update can set'],
    [["update", "SOME_ID", "--set", "id=X"], '"id" is not a field update can set'],
    [["delete"], "missing required argument"],
  ])("customers %j", async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });
});

describe.concurrent("list", () => {
  it("--json prints every customer across pages", async () => {
    const customers = json<Customer[]>(await run(["list", "--json", "--url", seeded.url], { token: READER }));
    expect(customers).toHaveLength(SEEDED);
    expect(new Set(customers.map((c) => c.id)).size).toBe(SEEDED);
  });

  it("prints one plain line per customer when stdout is not a terminal", async () => {
    const result = await run(["list", "--url", seeded.url, "--sort", "created_at"], { token: READER });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(SEEDED);
    expect(lines[0]?.split("\t")).toHaveLength(6); // id, name, email, phone, reference, created
    expect(result.stderr).toContain(`${SEEDED} customers from ${seeded.url}`);
  });

  it("--limit stops early, and says how many of how many were shown", async () => {
    const customers = json<Customer[]>(
      await run(["list", "--json", "--limit", "7", "--url", seeded.url], { token: READER }),
    );
    expect(customers).toHaveLength(7);
    const plain = await run(["list", "--limit", "7", "--url", seeded.url], { token: READER });
    expect(plain.stdout.trimEnd().split("\n")).toHaveLength(7);
    expect(plain.stderr).toContain(`7 of ${SEEDED} customers from ${seeded.url}`);
  });

  it("--table fits 80 columns: long cells are cut, columns dropped, nothing wraps", async () => {
    const long = "Bartholomew-Maximilian Featherstonehaugh-Cholmondeley";
    const csv = join(dir, "long.csv");
    await writeFile(
      csv,
      "given_name,family_name,email_address,phone_number,reference_id\n" +
        `${long},${long},${"very.long.address".repeat(4)}@example.com,+1 555 010 0000,${"REF".repeat(20)}\n` +
        "Ada,Lovelace,ada@example.com,+1 555 010 0001,SHORT\n",
    );
    expect((await run(["import", csv, "--url", seeded.url], { token: "wide" })).code).toBe(0);
    const result = await run(["list", "--table", "--url", seeded.url], { token: "wide" });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+EMAIL/);
    expect(lines[1]).toMatch(/^─+/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(result.stdout).toContain("…");
    // The ids are whole, so a row can still be looked up.
    const ids = json<Customer[]>(await run(["list", "--json", "--url", seeded.url], { token: "wide" })).map(
      (c) => c.id!,
    );
    for (const id of ids) expect(result.stdout).toContain(id);
  });

  it("uses a fresh embedded emulator by default, with --seed sample customers", async () => {
    const seededRun = await run(["list", "--json", "--seed", "4"]);
    expect(seededRun.code).toBe(0);
    expect(json<Customer[]>(seededRun)).toHaveLength(4);
    const empty = await run(["list"]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toContain("starts empty on every run");
  });

  it("an API error exits 1 with the reason and a hint, and never prints the token", async () => {
    const token = "wrong-token-7f3a9c";
    const result = await run(["list", "--url", guarded.url], { token });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("UNAUTHORIZED");
    expect(result.stderr).toContain("hint: check SQUARE_ACCESS_TOKEN");
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it("an unreachable server exits 1", async () => {
    const closed = await startEmulator({ port: 0, host: "127.0.0.1" });
    const url = closed.url;
    await closed.close();
    const result = await run(["list", "--url", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is the server running");
  });
});

describe.concurrent("search", () => {
  it('--limit 3 says "3 of N matches"', async () => {
    const all = json<Customer[]>(
      await run(["search", "--email", "example.com", "--json", "--url", seeded.url], { token: READER }),
    );
    expect(all.length).toBeGreaterThan(3);
    const result = await run(["search", "--email", "example.com", "--limit", "3", "--url", seeded.url], {
      token: READER,
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(result.stderr).toContain(`3 of ${all.length} matches from ${seeded.url}`);
  });

  it("filters by email (fuzzy by default)", async () => {
    const result = await run(["search", "--email", "amelia", "--json", "--url", seeded.url], {
      token: READER,
    });
    const customers = json<Customer[]>(result);
    expect(customers.length).toBeGreaterThan(0);
    expect(customers.length).toBeLessThan(SEEDED);
    for (const c of customers) expect(c.email_address).toContain("amelia");
  });

  it("--exact matches a reference id exactly; filters combine with AND", async () => {
    const byRef = json<Customer[]>(
      await run(["search", "--reference-id", "SEED-3", "--exact", "--json", "--url", seeded.url], {
        token: READER,
      }),
    );
    expect(byRef.map((c) => c.reference_id)).toEqual(["SEED-3"]);
    const none = json<Customer[]>(
      await run(
        [
          "search",
          "--reference-id",
          "SEED-3",
          "--exact",
          "--created-after",
          "2100-01-01",
          "--json",
          "--url",
          seeded.url,
        ],
        { token: READER },
      ),
    );
    expect(none).toEqual([]);
  });
});

describe.concurrent("get", () => {
  it("shows one customer as JSON or as field: value lines", async () => {
    const [first] = json<Customer[]>(
      await run(["list", "--json", "--limit", "1", "--url", seeded.url], { token: READER }),
    );
    const asJson = json<Customer>(
      await run(["get", first!.id!, "--json", "--url", seeded.url], { token: READER }),
    );
    expect(asJson).toEqual(first);
    const plain = await run(["get", first!.id!, "--url", seeded.url], { token: READER });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^id:\\s+${first!.id}$`, "m"));
    expect(plain.stdout).toMatch(/^given_name:\s+\S+/m);
  });

  it("an unknown id exits 1", async () => {
    const result = await run(["get", "NO_SUCH_CUSTOMER", "--url", seeded.url], { token: READER });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no customer with id NO_SUCH_CUSTOMER");
  });
});
