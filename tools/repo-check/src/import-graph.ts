// The import graph of TypeScript sources, read from their import and export statements: relative
// modules (a `.js` specifier of a `.ts` file is the `.ts` file, a folder its index), and the packages a
// walk is told to follow, through their `exports` for ESM. What the repository's structure checks read:
// which files import which (import cycles), and what a package's entry makes Node load.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** `import … from "x"` and `export … from "x"` (with `type` or not), and `import "x"`. */
const STATIC =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']/g;
const DYNAMIC = /import\(\s*["']([^"']+)["']\s*\)/g;
const TYPE_ONLY = /^[\s;]*(?:import|export)\s+type\s/;

/** One import of a file: what it names, whether only types, whether through `import()`. */
export interface ImportOf {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

/** The imports of one source file (comments left out). */
export function importsOf(file: string): ImportOf[] {
  const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  const statics = [...source.matchAll(STATIC)].map((match) => ({
    specifier: (match[1] ?? match[2])!,
    typeOnly: TYPE_ONLY.test(match[0]),
    dynamic: false,
  }));
  const dynamics = [...source.matchAll(DYNAMIC)].map((match) => ({
    specifier: match[1]!,
    typeOnly: false,
    dynamic: true,
  }));
  return [...statics, ...dynamics];
}

/** The file a relative specifier names from `from`, or undefined when there is none. */
export function relativeTarget(from: string, specifier: string): string | undefined {
  const path = resolve(dirname(from), specifier);
  const candidates = [path, path.replace(/\.js$/, ".ts"), `${path}.ts`, join(path, "index.ts")];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** The package a bare specifier names (`@square-customers/core/client-kit` → `@square-customers/core`). */
export function packageOf(specifier: string): string {
  return specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
}

/**
 * Entry file of a package (or one of its subpaths) as seen from `from`: nearest node_modules/<pkg>, its
 * `exports["."]` (or `exports["./subpath"]`) under `condition` (`node`, as Node loads it, or `default`,
 * as a bundler for browsers does).
 */
export function entryOf(specifier: string, from: string, condition: "node" | "default"): string {
  const pkg = packageOf(specifier);
  const subpath = `.${specifier.slice(pkg.length)}`;
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifestPath = join(dir, "node_modules", pkg, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    const target =
      subpath === "." ? (manifest.exports?.["."] ?? manifest.exports) : manifest.exports[subpath];
    return resolve(dirname(manifestPath), conditionTarget(target, condition));
  }
  throw new Error(`cannot find ${pkg} from ${from}`);
}

function conditionTarget(target: unknown, condition: "node" | "default"): string {
  if (typeof target === "string") return target;
  const conditions = target as Record<string, unknown>;
  const chosen =
    (condition === "node" ? conditions.node : undefined) ?? conditions.import ?? conditions.default;
  return conditionTarget(chosen, condition);
}

/**
 * Every file reached from `start`, and every import of a package `follow` does not name (not walked
 * further). `runtime: true` walks what is loaded when `start` is imported: no `import type`, no
 * `import()`. Packages are entered under `condition`.
 */
export function importGraph(
  start: string,
  options: {
    readonly follow: ReadonlySet<string>;
    readonly runtime: boolean;
    readonly condition?: "node" | "default";
  },
): { files: Set<string>; packages: Array<{ readonly from: string; readonly specifier: string }> } {
  const files = new Set<string>();
  const packages: Array<{ from: string; specifier: string }> = [];
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const { specifier, typeOnly, dynamic } of importsOf(file)) {
      if (options.runtime && (typeOnly || dynamic)) continue;
      if (specifier.startsWith(".")) {
        const target = relativeTarget(file, specifier);
        if (target === undefined) throw new Error(`${file}: ${specifier} names no file`);
        queue.push(target);
      } else if (options.follow.has(packageOf(specifier))) {
        queue.push(entryOf(specifier, file, options.condition ?? "default"));
      } else {
        packages.push({ from: file, specifier });
      }
    }
  }
  return { files, packages };
}
