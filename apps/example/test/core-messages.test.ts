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

/** What `import --dry-run` says about the one data row of a CSV file (exit 1: the row is invalid). */
async function problemWith(name: string, text: string): Promise<string> {
  const csv = join(dir, name);
  await writeFile(csv, text);
  const result = await run(["import", csv, "--dry-run"]);
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
