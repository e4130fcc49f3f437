// create, update and delete, run as child processes against an emulator; and the confirmation that any write
// to Square production needs. Those tests never reach Square: the command refuses before it opens a
// client, and the test processes' fetch only reaches 127.0.0.1 anyway (see support.ts).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import type { Customer } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmWrite } from "../src/confirm.js";
import { json, run } from "./support.js";

let emulator: Emulator;
let dir: string;
/** A file an import could send: one valid row. */
let csv: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1", seed: 3 });
  dir = await mkdtemp(join(tmpdir(), "customers-write-test-"));
  csv = join(dir, "one.csv");
  await writeFile(csv, "given_name\nAda\n");
});

afterAll(async () => {
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function customers(token: string): Promise<Customer[]> {
  return json<Customer[]>(await run(["list", "--json", "--url", emulator.url], { token }));
}

describe.concurrent("create", () => {
  it("creates a customer from --set fields (nested ones too) and prints it", async () => {
    const result = await run(
      [
        "create",
        "--set",
        "given_name=Ada",
        "email_address=ada@example.com",
        "address.locality=London",
        "--json",
        "--url",
        emulator.url,
      ],
      { token: "creator" },
    );
    expect(result.code, result.stderr).toBe(0);
    const created = json<Customer>(result);
    expect(created).toMatchObject({
      given_name: "Ada",
      email_address: "ada@example.com",
      address: { locality: "London" },
    });
    expect((await customers("creator")).map((c) => c.id)).toContain(created.id);
  });

  it("refuses an invalid value before sending anything, naming the field once (exit 2)", async () => {
    const result = await run(
      ["create", "--set", "given_name=Ada", "email_address=nope", "--url", emulator.url],
      { token: "creator-bad" },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "customers: createCustomer request is invalid, nothing was sent: email_address is not a valid email address (INVALID_EMAIL_ADDRESS)\n",
    );
    // Nothing was created: the merchant has its 3 seeded customers only.
    expect(await customers("creator-bad")).toHaveLength(3);
  });

  it("refuses a customer with nothing to identify it, and an unknown field with the closest name", async () => {
    const empty = await run(["create", "--set", "note=hello", "--url", emulator.url], {
      token: "creator-bad",
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      "at least one of given_name, family_name, company_name, email_address, phone_number is required",
    );
    const typo = await run(["create", "--set", "first_name=Ada"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      '--set: "first_name" is not a field create can set (did you mean "given_name"?)',
    );
  });

  it("against the embedded emulator says the customer is gone with it", async () => {
    const result = await run(["create", "--set", "given_name=Ada"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^given_name: +Ada$/m);
    expect(result.stderr).toContain("create with --url to keep the customer");
  });
});

describe.concurrent("update", () => {
  it("an invalid value names the field once (exit 2, nothing sent)", async () => {
    const [first] = await customers("updater-bad");
    const result = await run(["update", first!.id!, "--set", "email_address=nope", "--url", emulator.url], {
      token: "updater-bad",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "customers: updateCustomer request is invalid, nothing was sent: email_address is not a valid email address (INVALID_EMAIL_ADDRESS)\n",
    );
  });

  it("sets fields, clears one with an empty value, and keeps the rest of the address", async () => {
    const [first] = await customers("updater");
    const id = first!.id!;
    const result = await run(
      [
        "update",
        id,
        "--set",
        "nickname=Amy",
        "address.locality=Paris",
        "note=",
        "--json",
        "--url",
        emulator.url,
      ],
      { token: "updater" },
    );
    expect(result.code, result.stderr).toBe(0);
    const updated = json<Customer>(result);
    expect(updated.nickname).toBe("Amy");
    expect(updated.note).toBeUndefined();
    expect(updated.address).toEqual({ ...first!.address, locality: "Paris" });
    expect(updated.version).toBe(first!.version! + 1);
    expect(first!.note).toBeDefined();
  });

  it("passes core's check of a value through (exit 2, nothing sent)", async () => {
    const [first] = await customers("bad-update");
    const result = await run(["update", first!.id!, "--set", "email_address=nope", "--url", emulator.url], {
      token: "bad-update",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("email_address is not a valid email address");
  });

  it("an unknown id exits 1", async () => {
    const result = await run(["update", "NO_SUCH_ID", "--set", "nickname=X", "--url", emulator.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no customer with id NO_SUCH_ID");
  });
});

describe.concurrent("delete", () => {
  it("deletes each id, reports one that is not there, and exits 1 for it", async () => {
    const [a, b, c] = await customers("deleter");
    const result = await run(["delete", a!.id!, "NO_SUCH_ID", b!.id!, "--url", emulator.url], {
      token: "deleter",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`deleted ${a!.id}\ndeleted ${b!.id}\n`);
    expect(result.stderr).toContain("no customer with id NO_SUCH_ID");
    expect(result.stderr).toContain("1 of 3 not deleted");
    expect((await customers("deleter")).map((x) => x.id)).toEqual([c!.id]);
  });
});

describe.concurrent("writes to Square production ask first", () => {
  it.each([
    [["import", "CSV"], "refusing to import the customers of CSV in Square production"],
    [
      ["update", "SOME_ID", "--set", "nickname=X"],
      "refusing to update customer SOME_ID in Square production",
    ],
    [["delete", "A", "B"], "refusing to delete 2 customers in Square production"],
  ])("customers %j without a terminal and without --yes refuses (exit 2)", async (args, message) => {
    const withFile = (text: string) => text.replace("CSV", csv);
    const result = await run([...args.map(withFile), "--environment", "production"], {
      token: "not-a-real-token",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(withFile(message));
    expect(result.stderr).toContain("pass --yes");
  });

  it("--dry-run sends nothing, so it asks nothing", async () => {
    const result = await run(["import", csv, "--dry-run", "--environment", "production"], {
      token: "not-a-real-token",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 rows, 1 valid, 0 invalid. Nothing was sent.");
  });

  it("--yes goes ahead without asking (here to the loopback-only guard, not to Square)", async () => {
    const result = await run(["delete", "A", "--yes", "--environment", "production"], {
      token: "not-a-real-token",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("refusing");
    expect(result.stderr).toContain("test guard: no requests outside 127.0.0.1");
  });
});

/** A terminal-like input that answers `answer`, and the output the question goes to. */
function terminal(answer: string | undefined) {
  const input = Object.assign(Readable.from(answer === undefined ? [] : [`${answer}\n`]), { isTTY: true });
  const output = new PassThrough();
  let asked = "";
  output.on("data", (chunk: Buffer) => {
    asked += chunk.toString();
  });
  return { prompter: { input, output }, asked: () => asked };
}

describe("the confirmation prompt", () => {
  it('goes ahead on "yes", after saying what will happen where', async () => {
    const { prompter, asked } = terminal("yes");
    await confirmWrite({ environment: "production" }, "delete customer X", prompter);
    expect(asked()).toContain(
      'This will delete customer X in Square production (real customers). Type "yes"',
    );
  });

  it.each([["no"], ["y"], [""], [undefined]])(
    "refuses on %j, with exit 1 and nothing sent",
    async (answer) => {
      const { prompter } = terminal(answer);
      await expect(
        confirmWrite({ environment: "production" }, "delete customer X", prompter),
      ).rejects.toMatchObject({ exitCode: 1, message: "not confirmed: nothing was sent" });
    },
  );

  it("asks nothing for the sandbox, an emulator, or with --yes", async () => {
    const { prompter, asked } = terminal(undefined);
    await confirmWrite({ environment: "sandbox" }, "x", prompter);
    await confirmWrite({}, "x", prompter);
    await confirmWrite({ environment: "production", yes: true }, "x", prompter);
    expect(asked()).toBe("");
  });
});
