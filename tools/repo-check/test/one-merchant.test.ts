// One merchant in every example: the READMEs' `curl` lines, the client examples' `SQUARE_ACCESS_TOKEN=…` and
// the `customers` CLI's default token name the same one, and, run against one emulator as the READMEs say,
// each sees what the others made: a customer the CLI creates shows up in the curl line's answer and in the
// promise client example's search, and the customer that example creates shows up in the CLI's.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlocks, readmeFiles, repoRoot } from "../src/blocks.ts";

const run = promisify(execFile);
const CLI = resolve(repoRoot, "apps/example/dist/cli.js");
/** Inside this package, so that the example's imports resolve as in a user's project. */
const blockDir = resolve(repoRoot, "tools/repo-check/.blocks-merchant");

/** The token the CLI uses against an emulator when SQUARE_ACCESS_TOKEN is not set. */
const cliToken = /export const EMULATOR_TOKEN = "([^"]+)"/.exec(
  readFileSync(resolve(repoRoot, "apps/example/src/target.ts"), "utf8"),
)?.[1];

/** Every token a README hands to the emulator: `Bearer X` and `SQUARE_ACCESS_TOKEN=X`, with where. */
function readmeTokens(): { where: string; token: string }[] {
  return readmeFiles().flatMap((readme) =>
    readFileSync(resolve(repoRoot, readme), "utf8")
      .split("\n")
      .flatMap((line, i) =>
        [...line.matchAll(/Bearer ([\w-]+)|SQUARE_ACCESS_TOKEN=([\w-]+)/g)].map((m) => ({
          where: `${readme}:${i + 1}`,
          token: m[1] ?? m[2]!,
        })),
      ),
  );
}

/** The environment a README line gives an example: `SQUARE_ACCESS_TOKEN=… SQUARE_ENVIRONMENT=…`. */
function readmeEnvironment(readme: string): Record<string, string> {
  const text = readFileSync(resolve(repoRoot, readme), "utf8");
  const line = /SQUARE_ACCESS_TOKEN=(\S+) SQUARE_ENVIRONMENT=(\S+) node example\.ts/.exec(text);
  expect(line, `${readme} says how to run its example against the emulator`).toBeTruthy();
  return { SQUARE_ACCESS_TOKEN: line![1]!, SQUARE_ENVIRONMENT: line![2]! };
}

let emulator: Emulator;
/** The README's `http://127.0.0.1:4010` is this emulator. */
const here = (text: string) => text.replaceAll("http://127.0.0.1:4010", emulator.url);

async function cli(args: string[]): Promise<string> {
  const env = { ...process.env };
  delete env.SQUARE_ACCESS_TOKEN;
  const { stdout } = await run(process.execPath, [CLI, ...args, "--url", emulator.url], { env });
  return stdout;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  rmSync(blockDir, { recursive: true, force: true });
  mkdirSync(blockDir, { recursive: true });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(blockDir, { recursive: true, force: true });
});

describe("one merchant in every example", () => {
  it("every README token, and the CLI's default, is the same", () => {
    const tokens = readmeTokens();
    expect(cliToken).toBeDefined();
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    expect(tokens.filter((t) => t.token !== cliToken)).toEqual([]);
  });

  it("the CLI, the curl line and the promise client example see each other's customers", async () => {
    await cli(["create", "--set", "given_name=Grace", "email_address=grace@example.com"]);

    // The root README's curl line, as written (its header and URL).
    const curl = /curl -H '([^:]+): ([^']+)' (\S+)/.exec(
      readFileSync(resolve(repoRoot, "README.md"), "utf8"),
    );
    expect(curl).toBeTruthy();
    const res = await fetch(here(curl![3]!), { headers: { [curl![1]!]: curl![2]! } });
    const { customers } = (await res.json()) as { customers?: { given_name?: string }[] };
    expect(customers?.map((c) => c.given_name)).toEqual(["Grace"]);

    // The promise client's example, run as its README says: it searches example.com, so it finds Grace too.
    const example = codeBlocks("packages/client/README.md").find((b) => b.heading === "Example");
    expect(example).toBeDefined();
    const file = join(blockDir, "example.ts");
    writeFileSync(file, example!.code);
    const env = { ...process.env };
    for (const [name, value] of Object.entries(readmeEnvironment("packages/client/README.md"))) {
      env[name] = here(value);
    }
    const { stdout } = await run(process.execPath, [file], { env, cwd: repoRoot });
    expect(stdout).toMatch(/ Grace /);
    expect(stdout).toMatch(/ Amelia Amy\n/);

    // And the customer the example made is the CLI's too.
    const found = JSON.parse(await cli(["search", "--email", "amelia@example.com", "--exact", "--json"]));
    expect(found.map((c: { given_name?: string }) => c.given_name)).toEqual(["Amelia"]);
  });

  it("the Effect client example runs as its README says, on the same merchant", async () => {
    const example = codeBlocks("packages/client-effect/README.md").find((b) => b.heading === "Example");
    expect(example).toBeDefined();
    const file = join(blockDir, "effect-example.ts");
    writeFileSync(file, example!.code);
    const env = { ...process.env };
    for (const [name, value] of Object.entries(readmeEnvironment("packages/client-effect/README.md"))) {
      env[name] = here(value);
    }
    const { stdout } = await run(process.execPath, [file], { env, cwd: repoRoot });
    expect(stdout).toMatch(/ Amelia\n/);
    // The CLI lists what the example created.
    const listed = JSON.parse(await cli(["list", "--json"])) as { given_name?: string }[];
    expect(listed.filter((c) => c.given_name === "Amelia").length).toBeGreaterThanOrEqual(2);
  });
});
