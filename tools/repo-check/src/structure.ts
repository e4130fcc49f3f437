// The repository's shape as its files state it: the source files of every package, app and tool, the files
// each imports (by relative path; type-only imports count: a reader follows them too), the circles those
// imports make, and the `lib` each tsconfig asks for. Read as text, so nothing here runs the code.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "./blocks.ts";
import { importsOf as importsFrom, relativeTarget } from "./import-graph.ts";

/** Files under version control (untracked ones too) matching `patterns`, relative to the repository root. */
export function trackedFiles(...patterns: string[]): string[] {
  const listed = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", ...patterns],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  return [...new Set(listed.split("\n").filter(Boolean))].sort();
}

/** The hand-written source files of every package, app and tool (`packages/*\/src`, `apps/*\/src`, `tools/*\/src`). */
export function handWrittenSources(): string[] {
  return trackedFiles("packages/*/src/**", "apps/*/src/**", "tools/*/src/**").filter(
    (file) => /\.(ts|mts|mjs|js|html|css)$/.test(file) && !file.split("/").includes("generated"),
  );
}

export function lineCount(file: string): number {
  const text = readFileSync(join(repoRoot, file), "utf8");
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/**
 * The source files among `known` that `file` imports by relative path, read by the import-graph reader the
 * lean-entry checks use too (comments left out; `import type`, `export … from` and `import()` count).
 */
export function importsOf(file: string, known: ReadonlySet<string>, root = repoRoot): string[] {
  const path = join(root, file);
  const found = new Set<string>();
  for (const { specifier } of importsFrom(path)) {
    if (!specifier.startsWith(".")) continue;
    const target = relativeTarget(path, specifier);
    if (target !== undefined && known.has(relative(root, target))) found.add(relative(root, target));
  }
  return [...found];
}

/**
 * The circles of imports among `files` (relative to `root`): each a group of files that reach one another
 * (Tarjan's strongly connected components), files sorted, groups sorted by their first file.
 */
export function importCircles(files: readonly string[], root = repoRoot): string[][] {
  const known = new Set(files);
  const edges = new Map(files.map((f) => [f, importsOf(f, known, root)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1) circles.push(group.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return circles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The `lib` a tsconfig sets itself (not through `extends`), lower-cased; undefined when it sets none. */
export function ownLib(tsconfig: string): string[] | undefined {
  const text = readFileSync(join(repoRoot, tsconfig), "utf8");
  const lib = /"lib"\s*:\s*\[([^\]]*)\]/.exec(text)?.[1];
  return lib?.match(/"[^"]*"/g)?.map((entry) => entry.slice(1, -1).toLowerCase());
}
