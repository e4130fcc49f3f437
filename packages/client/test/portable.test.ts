// Nothing Node-only in the client's import graph: walk it from dist/src through core and ky, and accept
// only relative modules and those two packages (which the walk follows too).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const ALLOWED_PACKAGES = new Set(["@square-customers/core", "ky"]);

/** The package a bare specifier names (`@square-customers/core/client-kit` → `@square-customers/core`). */
function packageOf(spec: string): string {
  return spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");
}

/**
 * Entry file of a package (or one of its subpaths) as seen from `from`: nearest node_modules/<pkg>, its
 * `exports["."]` (or `exports["./subpath"]`) for ESM.
 */
function entryOf(spec: string, from: string): string {
  const pkg = packageOf(spec);
  const subpath = `.${spec.slice(pkg.length)}`;
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifestPath = join(dir, "node_modules", pkg, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    const root = subpath === "." ? (manifest.exports?.["."] ?? manifest.exports) : manifest.exports[subpath];
    const target = typeof root === "string" ? root : (root.import?.default ?? root.import ?? root.default);
    return resolve(dirname(manifestPath), target);
  }
  throw new Error(`cannot find ${pkg} from ${from}`);
}

it("imports only relative modules, core and ky, all the way down", () => {
  const start = resolve(dirname(fileURLToPath(import.meta.url)), "../src/index.ts");
  const seen = new Set<string>();
  const foreign: string[] = [];
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    for (const match of source.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2])!;
      if (spec.startsWith(".")) {
        const path = resolve(dirname(file), spec);
        queue.push(file.endsWith(".ts") && spec.endsWith(".js") ? path.replace(/\.js$/, ".ts") : path);
      } else if (ALLOWED_PACKAGES.has(packageOf(spec))) {
        queue.push(entryOf(spec, file));
      } else {
        foreign.push(`${file}: ${spec}`);
      }
    }
  }
  expect(foreign).toEqual([]);
  expect(seen.size).toBeGreaterThan(20); // it really walked into core and ky
});
