#!/usr/bin/env node
// `npm run pack [-- --out <dir>]`: builds the published packages and writes one installable tarball per
// package into <dir> (default: packs/ at the repository root, git-ignored), to try them outside the
// repository with plain npm:
//
//   npm install /path/to/packs/square-customers-core-0.3.0.tgz /path/to/packs/square-customers-client-0.3.0.tgz
//
// `npm pack` in a package folder cannot do this: the manifests say `workspace:^` and `catalog:`, which
// only pnpm understands. `pnpm pack` writes the real ranges in their place (as `changeset publish` does),
// so a tarball installs anywhere. Install a package together with the tarballs of the packages of ours it
// depends on (the client with core, say): npm takes them from there, and the rest from the registry.
//
// Run through scripts/toolchain.mjs (package.json's `pack` script), which provides pnpm and turbo.
// Prints the tarballs' paths on stdout, one a line; build and pack output goes to stderr.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
if (
  (outAt !== -1 && args[outAt + 1] === undefined) ||
  args.some((a, i) => a !== "--out" && i !== outAt + 1)
) {
  console.error("usage: npm run pack [-- --out <dir>]");
  process.exit(2);
}
// A relative --out is relative to where the command was typed (npm runs scripts from the root).
const out = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  outAt === -1 ? join(root, "packs") : args[outAt + 1],
);

const packages = publishedPackages();
mkdirSync(out, { recursive: true });
run(
  "turbo",
  ["run", "build", "--output-logs=errors-only", ...packages.map((p) => `--filter=${p.name}`)],
  root,
);
for (const p of packages) {
  const packed = run("pnpm", ["pack", "--pack-destination", out], p.dir, "pipe");
  // pnpm prints the tarball's path last.
  const tarball = packed.trim().split("\n").at(-1);
  process.stdout.write(`${resolve(p.dir, tarball)}\n`);
}

/** The packages under packages/ that are not private: the ones `changeset publish` publishes. */
function publishedPackages() {
  return readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, "packages", entry.name))
    .flatMap((dir) => {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        return manifest.private === true ? [] : [{ name: manifest.name, dir }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs a command; its output goes to stderr, or is returned with `stdout: "pipe"`. Fails loudly. */
function run(command, argv, cwd, stdout = "stderr") {
  const result = spawnSync(command, argv, {
    cwd,
    stdio: ["ignore", stdout === "pipe" ? "pipe" : 2, 2],
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  if (result.status !== 0) {
    console.error(
      `pack: ${command} ${argv.join(" ")} failed${result.error ? `: ${result.error.message}` : ""}`,
    );
    process.exit(result.status ?? 1);
  }
  return result.stdout ?? "";
}
