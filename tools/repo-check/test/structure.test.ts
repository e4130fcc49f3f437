// The house in order (issue 20): every hand-written source file is at most 400 lines, and no file
// imports another that imports it back, through any chain (type-only imports count: a reader follows
// them too). Generated files (`generated/`) are written by tools/codegen and left out.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/blocks.ts";
import { importsOf, relativeTarget } from "../src/import-graph.ts";

/**
 * The source folders held to these rules. The emulator (packages/emulator/src) joins once its own part of
 * issue 20 (folders by concept, files under 400 lines) has landed.
 */
const SOURCES = [
  "packages/core/src",
  "packages/client/src",
  "packages/client-effect/src",
  "packages/mirror-sqlite/src",
  "packages/mirror-postgres/src",
  "apps/example/src",
  ...readdirSync(join(repoRoot, "tools")).map((tool) => `tools/${tool}/src`),
];

const MAX_LINES = 400;

/** The hand-written TypeScript files under a source folder (none if it does not exist). */
function sourceFiles(dir: string): string[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(join(repoRoot, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const files = SOURCES.flatMap(sourceFiles);

/** The files each file imports, relative ones only (a package's own modules). */
function edges(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(join(repoRoot, file))
      .filter(({ specifier }) => specifier.startsWith("."))
      .map(({ specifier }) => relativeTarget(join(repoRoot, file), specifier))
      .filter((target): target is string => target !== undefined)
      .map((target) => relative(repoRoot, target));
    graph.set(file, targets);
  }
  return graph;
}

/** The groups of files that import each other in a loop (strongly connected components of two or more). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      group.push(member);
      if (member === file) break;
    }
    if (group.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(group.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe("the house in order", () => {
  it("reads the sources it holds to the rules", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain("packages/core/src/client-kit.ts");
  });

  it(`has no hand-written source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({
        file,
        lines: readFileSync(join(repoRoot, file), "utf8").trimEnd().split("\n").length,
      }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it("has no file that imports another that imports it back", () => {
    expect(cycles(edges())).toEqual([]);
  });

  it("finds a cycle when there is one (the check itself)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});
