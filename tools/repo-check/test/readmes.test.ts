// Every TypeScript block of every README compiles, as a user's strict project would compile it
// (exactOptionalPropertyTypes included), against the packages as built. Each block then either runs
// here, against an emulator on 127.0.0.1, with its output checked, or is listed as compile-only with a
// reason; a new block is neither until someone decides. Errors name the README line.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blockFileName,
  type CodeBlock,
  codeBlocks,
  readmeFiles,
  readmePositions,
  repoRoot,
} from "../src/blocks.ts";

const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Inside this package, so that `@square-customers/*` and `effect` resolve as in a user's project. */
const blocksDir = join(packageDir, ".blocks");

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}
interface Run {
  readonly title: string;
  /** Environment variables to set (a string) or remove (undefined); `url` is the emulator's. */
  readonly env: (url: string, token: string) => Record<string, string | undefined>;
  readonly check: (outcome: Outcome) => void;
}

const emulatorEnv = (url: string, token: string) => ({ SQUARE_ACCESS_TOKEN: token, SQUARE_ENVIRONMENT: url });

/** The blocks that run, by `README#heading`, each with what it must print. */
const runs: Record<string, readonly Run[]> = {
  "packages/client/README.md#Example": [
    {
      title: "creates, updates, searches and reports a missing customer",
      env: emulatorEnv,
      check: ({ stdout, code }) => {
        expect(code).toBe(0);
        expect(stdout).toMatch(/^\S+ Amelia Amy\nnot found: NOT_FOUND \S+\n$/);
      },
    },
  ],
  "packages/client-effect/README.md#Example": [
    {
      title: "creates, updates, streams and recovers from a typed error",
      env: emulatorEnv,
      check: ({ stdout, code }) => {
        expect(code).toBe(0);
        expect(stdout).toMatch(/^\S+ Amelia\nnot found \(404\)\n$/);
      },
    },
    {
      title: "names the missing variable and fails when SQUARE_ACCESS_TOKEN is not set",
      env: (url) => ({ SQUARE_ACCESS_TOKEN: undefined, SQUARE_ENVIRONMENT: url }),
      check: ({ stderr, code }) => {
        expect(code).toBe(1);
        expect(stderr).toContain("SQUARE_ACCESS_TOKEN is not set: set it to the access token");
        expect(stderr).not.toContain("SchemaError");
        expect(stderr).not.toContain("[object Object]");
      },
    },
  ],
  "README.md#Webhooks and sync": [
    {
      title: "subscribes, loads a mirror, and sees an update arrive by webhook",
      env: emulatorEnv,
      check: ({ stdout, code }) => {
        expect(code).toBe(0);
        expect(stdout).toBe("Millie 1\n");
      },
    },
  ],
  "packages/core/README.md#@square-customers/core": [
    {
      title: "prints an operation and a validation issue",
      env: () => ({}),
      check: ({ stdout, code }) => {
        expect(code).toBe(0);
        const [operation, ...issues] = stdout.trim().split("\n");
        expect(operation).toBe("PUT /v2/customers/{customer_id} safe");
        expect(issues.join("\n")).toContain("MISSING_REQUIRED_PARAMETER");
      },
    },
  ],
  "packages/emulator/README.md#Run it": [
    {
      title: "starts an emulator, prints its URL and a request count, and closes it",
      env: () => ({}),
      check: ({ stdout, code }) => {
        expect(code).toBe(0);
        expect(stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n0\n0\n$/);
      },
    },
  ],
  "packages/emulator/README.md#Delivery": [
    {
      title: "delivers a signed customer.created to a local receiver, which verifies it",
      env: () => ({}),
      check: ({ stdout, code }) => {
        expect(code).toBe(0);
        expect(stdout).toBe("customer.created\n");
      },
    },
  ],
};

/** A block that is a whole test file, run by its test runner: which one, and how many tests must pass. */
interface TestFile {
  readonly runner: "vitest" | "node:test" | "jest";
  readonly passed: number;
}

/** The blocks that are test files, by `README#heading`. */
const testFiles: Record<string, TestFile> = {
  "packages/emulator/README.md#With Vitest": { runner: "vitest", passed: 3 },
  "packages/emulator/README.md#With Vitest and Effect": { runner: "vitest", passed: 2 },
  // node:test counts the parent test and its three subtests.
  "packages/emulator/README.md#With node:test": { runner: "node:test", passed: 5 },
  "packages/emulator/README.md#With Jest": { runner: "jest", passed: 3 },
};

/** Blocks that are only compiled, by `README#heading`, and why they are not run. */
const compileOnly: Record<string, string> = {
  "packages/client-effect/README.md#Small bundles: import effect by subpath":
    "import lines only; bench/client-effect.ts measures the bundle they give",
  "packages/client-effect/README.md#Trace headers and cross-origin requests":
    "the layer it shows is run by packages/client-effect/test/propagation.test.ts",
  "packages/client-effect/README.md#Entries":
    "it only builds a layer; packages/client-effect/test/transform-client.test.ts runs such a transformClient over HTTP",
  "packages/client-effect/README.md#The mirror on `effect/sql`":
    "needs a PostgreSQL server; packages/client-effect/test/sql-store.test.ts runs the store on one",
  "packages/client/README.md#Webhooks in any framework":
    "a route handler for a framework; packages/client/test/mirror.test.ts serves this handler and applies deliveries through it",
  "packages/mirror-sqlite/README.md#@square-customers/mirror-sqlite":
    "needs a real token and merchant; the root README's Webhooks and sync example runs this store",
  "packages/mirror-postgres/README.md#@square-customers/mirror-postgres":
    "needs a PostgreSQL server; packages/mirror-postgres/test/store.test.ts runs the store on one",
};

const keyOf = (block: CodeBlock) => `${block.readme}#${block.heading}`;
const tsBlocks = readmeFiles()
  .flatMap(codeBlocks)
  .filter((block) => block.lang === "ts" || block.lang === "typescript");
const blocksByFile = new Map(tsBlocks.map((block) => [blockFileName(block), block]));
/** The code of every block that runs; a copy elsewhere (the root README repeats the packages') is covered. */
const runCode = new Set(tsBlocks.filter((b) => runs[keyOf(b)]).map((b) => b.code));

beforeAll(() => {
  rmSync(blocksDir, { recursive: true, force: true });
  mkdirSync(blocksDir, { recursive: true });
  for (const [file, block] of blocksByFile) writeFileSync(join(blocksDir, file), block.code);
  writeFileSync(
    join(blocksDir, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      compilerOptions: { composite: false, declaration: false, noEmit: true, types: ["node"] },
      include: ["*.ts"],
    }),
  );
});

describe("README code blocks", () => {
  it("are found in every README that has them", () => {
    const readmes = new Set(tsBlocks.map((b) => b.readme));
    for (const readme of ["README.md", "packages/client/README.md", "packages/client-effect/README.md"]) {
      expect(readmes).toContain(readme);
    }
  });

  it("each run here or are listed as compile-only", () => {
    const undecided = tsBlocks
      .filter(
        (b) => !runs[keyOf(b)] && !testFiles[keyOf(b)] && !compileOnly[keyOf(b)] && !runCode.has(b.code),
      )
      .map((b) => `${b.readme}:${b.line} (${b.heading})`);
    expect(undecided).toEqual([]);
    // Every entry of the tables names a block that exists.
    const keys = new Set(tsBlocks.map(keyOf));
    expect(
      [...Object.keys(runs), ...Object.keys(testFiles), ...Object.keys(compileOnly)].filter(
        (k) => !keys.has(k),
      ),
    ).toEqual([]);
  });

  it("compile under the project's strict settings", async () => {
    const result = await run("tsc", ["-p", blocksDir, "--pretty", "false"], { cwd: packageDir }).then(
      () => "",
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(readmePositions(result, blocksByFile)).toEqual([]);
  });
});

describe("runnable README blocks", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => emulator?.close());

  const runnable = tsBlocks.filter((block) => runs[keyOf(block)]);
  for (const block of runnable) {
    for (const { title, env, check } of runs[keyOf(block)]!) {
      it(`${block.readme}:${block.line} ${title}`, async () => {
        const vars: Record<string, string | undefined> = { ...process.env };
        for (const [name, value] of Object.entries(env(emulator.url, `readme-${block.line}-${Date.now()}`))) {
          if (value === undefined) delete vars[name];
          else vars[name] = value;
        }
        const outcome = await run(process.execPath, [join(blocksDir, blockFileName(block))], {
          cwd: repoRoot,
          env: vars,
          timeout: 30_000,
        }).then(
          ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
          (error: { stdout: string; stderr: string; code: number }) => ({
            stdout: error.stdout,
            stderr: error.stderr,
            code: error.code,
          }),
        );
        check(outcome);
      });
    }
  }
});

/** Where a test-file block runs: a folder of its own inside this package (so packages resolve as for a user). */
const testFilesDir = join(packageDir, ".test-files");

/** Writes a test-file block into its folder and the command that runs it there, with the passing count it prints. */
function testFileCommand(block: CodeBlock, file: TestFile): { args: string[]; cwd: string; passed: RegExp } {
  const dir = join(testFilesDir, blockFileName(block).replace(/\.ts$/, ""));
  mkdirSync(dir, { recursive: true });
  switch (file.runner) {
    case "vitest":
      writeFileSync(join(dir, "readme.test.ts"), block.code);
      // The timeouts are the harness's, not the README's: a loaded CI machine is slow to load effect.
      writeFileSync(
        join(dir, "vitest.config.mjs"),
        'export default { test: { include: ["readme.test.ts"], testTimeout: 60000, hookTimeout: 60000 } };\n',
      );
      return {
        args: [join(packageDir, "node_modules/vitest/vitest.mjs"), "run", "--config", "vitest.config.mjs"],
        cwd: dir,
        passed: new RegExp(`Tests\\s+${file.passed} passed`),
      };
    case "node:test":
      writeFileSync(join(dir, "readme.test.ts"), block.code);
      return { args: ["--test", "readme.test.ts"], cwd: dir, passed: new RegExp(`pass ${file.passed}\\n`) };
    case "jest":
      // Jest does not strip types: the block is written without any, and runs as a module.
      writeFileSync(join(dir, "readme.test.mjs"), block.code);
      return {
        args: [
          "--experimental-vm-modules",
          join(packageDir, "node_modules/jest/bin/jest.js"),
          "--ci",
          "--testTimeout",
          "60000",
          "--rootDir",
          dir,
        ],
        cwd: dir,
        passed: new RegExp(`Tests:\\s+${file.passed} passed, ${file.passed} total`),
      };
  }
}

describe("README test files", () => {
  beforeAll(() => rmSync(testFilesDir, { recursive: true, force: true }));

  for (const block of tsBlocks.filter((b) => testFiles[keyOf(b)])) {
    const file = testFiles[keyOf(block)]!;
    it(`${block.readme}:${block.line} passes under ${file.runner}`, async () => {
      const { args, cwd, passed } = testFileCommand(block, file);
      const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
      delete env.VITEST; // the block's own vitest must not think it runs inside this one
      delete env.NODE_OPTIONS;
      const outcome = await run(process.execPath, args, { cwd, env, timeout: 120_000 }).then(
        ({ stdout, stderr }) => ({ output: stdout + stderr, code: 0 }),
        (error: { stdout: string; stderr: string; code: number }) => ({
          output: error.stdout + error.stderr,
          code: error.code,
        }),
      );
      expect(outcome.code, outcome.output).toBe(0);
      expect(outcome.output).toMatch(passed);
    }, 150_000);
  }
});

describe("the Node version", () => {
  /** The minimum, as engines state it and as prose states it. */
  const ENGINES = ">=22.19";
  const PROSE = "Node 22.19+";

  it("is the same in every README", () => {
    const mentions = readmeFiles().flatMap((readme) =>
      [
        ...readFileSync(resolve(repoRoot, readme), "utf8").matchAll(/Node(?:\.js)? v?(\d+(?:\.\d+)*)(\+?)/g),
      ].map((m) => ({ readme, text: m[0] })),
    );
    // Node 24 is what the repository's own commands install for themselves; every minimum reads the same.
    expect(mentions.filter((m) => m.text !== PROSE && m.text !== "Node 24")).toEqual([]);
    expect(mentions.filter((m) => m.text === PROSE).length).toBeGreaterThanOrEqual(5);
  });

  it("is the engines field of the workspace and of every package and app", () => {
    const manifests = [
      "package.json",
      ...readmeFiles()
        .filter((f) => f !== "README.md")
        .map((f) => join(dirname(f), "package.json")),
    ];
    const engines = manifests.map((file) => {
      const manifest = JSON.parse(readFileSync(resolve(repoRoot, file), "utf8"));
      return [file, manifest.engines?.node];
    });
    expect(engines.filter(([, node]) => node !== ENGINES)).toEqual([]);
  });
});
