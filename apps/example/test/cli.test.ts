// Help, usage errors and the read commands (list, search, get), each run as a child process.
import type { Customer } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, run } from "./support.js";

let seeded: Emulator; // every merchant starts with 30 sample customers
let guarded: Emulator; // accepts one token only
const SEEDED = 30;
/** Tokens are long, as real ones are (clients scrub the token out of any text they keep). */
const READER = "reader-merchant-token";

beforeAll(async () => {
  seeded = await startEmulator({ port: 0, host: "127.0.0.1", seed: SEEDED });
  guarded = await startEmulator({ port: 0, host: "127.0.0.1", tokens: ["the-only-good-token"] });
});

afterAll(async () => {
  await seeded?.close();
  await guarded?.close();
});

describe.concurrent("help", () => {
  it("lists the commands and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["demo", "list", "search", "get", "export", "import", "sync", "generate"]) {
      expect(result.stdout).toContain(command);
    }
  });

  it.each(["demo", "list", "search", "get", "export", "import", "sync", "generate"])(
    "%s --help exits 0",
    async (command) => {
      const result = await run([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: customers ${command}`);
    },
  );

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
    [["import", "customers.json"], "import reads CSV files"],
    [["import", "x.csv", "--chunk-size", "101"], "--chunk-size must be a whole number from 1 to 100"],
    [["sync"], "required option '--db <file>' not specified"],
    [["sync", "--db", "m.sqlite"], "customers sync needs --url (a running emulator) or --environment"],
    [["sync", "--db", "m.sqlite", "--listen", "8080"], "--listen must be HOST:PORT"],
    [["sync", "--db", "m.sqlite", "--listen", "127.0.0.1:70000"], "--listen must be HOST:PORT"],
    [["sync", "--db", "m.sqlite", "--reconcile-every", "-1"], "--reconcile-every must be a whole number"],
    [["sync", "--db", "m.sqlite", "--notification-url", "ftp://x"], "--notification-url must be an http"],
    [
      ["sync", "--db", "/nonexistent-dir/m.sqlite", "--url", "http://127.0.0.1:1"],
      "cannot open /nonexistent-dir/m.sqlite",
    ],
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

  it("--limit stops early", async () => {
    const customers = json<Customer[]>(
      await run(["list", "--json", "--limit", "7", "--url", seeded.url], { token: READER }),
    );
    expect(customers).toHaveLength(7);
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
