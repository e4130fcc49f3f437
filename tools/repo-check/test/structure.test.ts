// The house in order (issue 20): every hand-written source file of the packages and tools stays short
// enough to read whole, no file imports one that imports it back, and the DOM lib is given only to code
// that runs in a page.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { handWrittenSources, importCircles, lineCount, ownLib, trackedFiles } from "../src/structure.ts";

/** The longest a hand-written source file may be. */
const MAX_LINES = 400;

/**
 * The tsconfigs that give the DOM lib, and why: the emulator's dashboard script runs in the browser; the
 * browser tests' pages, and the functions they run in the page, too; the release proof's consumers are
 * a user's project, type-checked as a browser app would be.
 */
const DOM_LIB_FOR_THE_PAGE = [
  "packages/emulator/src/dashboard/tsconfig.json",
  "tools/browser-tests/tsconfig.json",
  "tools/release-proof/test/fixtures/tsconfig.bundler.json",
  "tools/release-proof/test/fixtures/tsconfig.nodenext.json",
];

describe("the source tree", () => {
  const sources = handWrittenSources();

  it("is found", () => {
    expect(sources).toContain("packages/emulator/src/server.ts");
    expect(sources).toContain("packages/emulator/src/dashboard/index.html");
    expect(sources).toContain("packages/core/src/client-kit.ts");
    expect(sources).toContain("apps/example/src/cli.ts");
    expect(sources.some((file) => file.includes("/generated/"))).toBe(false);
  });

  it(`has no hand-written source file over ${MAX_LINES} lines`, () => {
    const long = sources.filter((file) => lineCount(file) > MAX_LINES).map((f) => `${f}: ${lineCount(f)}`);
    expect(long).toEqual([]);
  });

  it("has no file that imports another that imports it back", () => {
    expect(importCircles(sources.filter((file) => /\.(ts|mts|mjs|js)$/.test(file)))).toEqual([]);
  });

  it("gives the DOM lib only to code that runs in a page", () => {
    const withDom = trackedFiles("tsconfig*.json", "**/tsconfig*.json").filter((tsconfig) =>
      ownLib(tsconfig)?.includes("dom"),
    );
    expect(withDom).toEqual(DOM_LIB_FOR_THE_PAGE);
    expect(ownLib("tsconfig.base.json")).toEqual(["es2023"]);
  });
});

describe("finding circles", () => {
  it("names each group of files that reach one another through any import, and only those", () => {
    const root = mkdtempSync(join(tmpdir(), "circles-"));
    const files: Record<string, string> = {
      "a.ts": 'import { b } from "./b.js";\nexport const a = b;\n',
      "b.ts": 'import type { C } from "./deep/c.js";\nexport const b = 1 as unknown as C;\n',
      "deep/c.ts": 'export type C = number;\nexport const load = () => import("../a.js");\n',
      "d.ts": 'export { a } from "./a.js";\n',
      "e.ts": 'import "./f.js";\n',
      "f.ts": 'export * from "./e.js";\n',
    };
    try {
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      }
      expect(importCircles(Object.keys(files), root)).toEqual([
        ["a.ts", "b.ts", "deep/c.ts"],
        ["e.ts", "f.ts"],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
