// Messages the CLI passes through from core and the clients unchanged, checked as a user reads them.
// The wording itself is core's (a bad country shows the value given and the expected form, not 250 codes;
// an impossible date says it does not exist) and the clients' (one wording for a connection failure,
// whichever client a command uses); the CLI's part is to print it as it is.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./support.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "customers-core-messages-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `import --dry-run --strict` says about the one data row of a CSV file (exit 1: the row is invalid). */
async function problemWith(name: string, text: string): Promise<string> {
  const csv = join(dir, name);
  await writeFile(csv, text);
  const result = await run(["import", csv, "--dry-run", "--strict"]);
  expect(result.code).toBe(1);
  return result.stderr.split("\n").find((line) => line.startsWith(`${csv}:2:`)) ?? "";
}

describe.concurrent("row problems worded by core", () => {
  it("a bad country code shows the value given and the expected form, without listing every code", async () => {
    const problem = await problemWith("country.csv", "given_name,address.country\nAda,XX\n");
    expect(problem).toContain("address.country");
    expect(problem).toContain('"XX"');
    expect(problem).toContain("two-letter");
    expect(problem.length).toBeLessThan(300);
  });

  it("1990-02-30 says the date does not exist", async () => {
    const problem = await problemWith("birthday.csv", "given_name,birthday\nAda,1990-02-30\n");
    expect(problem).toContain("birthday");
    expect(problem).toContain("does not exist");
  });
});

describe("connection failures", () => {
  it("are worded the same by list (promise client) and import (Effect client)", async () => {
    const closed = await startEmulator({ port: 0, host: "127.0.0.1" });
    await closed.close();
    const csv = join(dir, "one.csv");
    await writeFile(csv, "given_name\nAda\n");
    const list = await run(["list", "--url", closed.url]);
    const imported = await run(["import", csv, "--url", closed.url, "--max-retries", "0"]);
    expect(list.code).toBe(1);
    expect(imported.code).toBe(1);
    const firstLine = (stderr: string) => stderr.split("\n")[0];
    expect(firstLine(imported.stderr)).toBe(firstLine(list.stderr));
  });
});

describe.concurrent("messages that say what to do", () => {
  it("--url ending in /v2 is refused before anything is sent, with the URL to use", async () => {
    const result = await run(["list", "--url", "http://127.0.0.1:4010/v2"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--url is the server's base URL, without /v2 (the client adds it): use --url http://127.0.0.1:4010",
    );
  });

  it("an https:// URL for a plain-HTTP server says so, in one line, without the TLS library's text", async () => {
    const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
    try {
      const result = await run(["list", "--url", emulator.url.replace("http:", "https:")]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "customers: listCustomers: the connection closed before a response arrived (this server does not speak HTTPS: use an http:// URL)\n",
      );
    } finally {
      await emulator.close();
    }
  });

  it("a CSV header in other words gets the field names an import reads", async () => {
    const csv = join(dir, "aliases.csv");
    await writeFile(csv, "first_name,email\nAda,ada@example.com\n");
    const result = await run(["import", csv, "--dry-run"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${csv}:1: unknown columns "first_name" (did you mean "given_name"?), "email" (did you mean "email_address"?)`,
    );
  });
});
