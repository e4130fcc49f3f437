// Regenerates every generated file from spec/customers.openapi.json, formatted with the repository's
// biome settings. With --check, writes nothing and fails when a committed file differs (CI drift check).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { generateEffectSchemas } from "./effect-schemas.ts";
import { generateCore } from "./generate-core.ts";
import { generateMethodInterfaces, generateModelReexports } from "./method-interfaces.ts";
import type { OpenApiDocument } from "./openapi.ts";
import { clientGeneratedDir, coreGeneratedDir, effectGeneratedDir, repoRoot, specPath } from "./paths.ts";
import { generateResponseShapes } from "./response-shapes.ts";

const check = process.argv.includes("--check");
const doc = JSON.parse(readFileSync(specPath, "utf8")) as OpenApiDocument;

// Each directory holds generated files only: one it no longer gets is removed.
const outputs: Array<{ dir: string; files: Record<string, string> }> = [
  { dir: coreGeneratedDir, files: { ...generateCore(doc), ...generateResponseShapes(doc) } },
  {
    dir: clientGeneratedDir,
    files: {
      "methods.ts": generateMethodInterfaces(doc, "promise"),
      "models.ts": generateModelReexports(doc),
    },
  },
  {
    dir: effectGeneratedDir,
    files: {
      "methods.ts": generateMethodInterfaces(doc, "effect"),
      "schemas.ts": generateEffectSchemas(doc),
    },
  },
];

const drifted: string[] = [];
for (const { dir, files } of outputs) {
  const expected = new Set(Object.keys(files));
  for (const [name, source] of Object.entries(files)) {
    const file = join(dir, name);
    const formatted = format(file, source);
    const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    if (current === formatted) continue;
    drifted.push(relative(repoRoot, file));
    if (!check) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, formatted);
    }
  }
  // A file no longer generated is drift too.
  for (const stale of existsSync(dir) ? readdirSync(dir).filter((f) => !expected.has(f)) : []) {
    drifted.push(relative(repoRoot, join(dir, stale)));
    if (!check) rmSync(join(dir, stale));
  }
}

if (check && drifted.length > 0) {
  console.error(`Generated code is out of date (run \`npm run codegen\`):\n  ${drifted.join("\n  ")}`);
  process.exit(1);
}
console.log(check ? "generated code is up to date" : `codegen: ${drifted.length} file(s) updated`);

/**
 * A source as `biome check --write` leaves the file at that path (formatted, imports and exports
 * sorted), so that the lint task passes on generated code too.
 */
function format(file: string, source: string): string {
  const result = spawnSync("biome", ["check", "--write", `--stdin-file-path=${file}`], {
    cwd: repoRoot,
    input: source,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`biome could not format ${file}:\n${result.stderr}`);
  return result.stdout;
}
