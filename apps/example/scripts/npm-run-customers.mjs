// What `npm run customers -- <command>` runs (from anywhere in the repository, with the Node that
// scripts/toolchain.mjs provides): builds the CLI if its sources changed, then runs it in the directory
// the user typed the command in. npm runs scripts from the repository root and says where the user was
// in INIT_CWD; pnpm, which the other root scripts go through, would overwrite that, so this runs without
// it. Nothing but the CLI's own output reaches stdout: `npm run customers -- list --json > out.json`
// writes pure JSON (the repository's .npmrc keeps npm's own banner off stdout).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Ctrl-C before the CLI has started (during the build, say) ends with 130 like any interrupted command,
// never by the signal: `npm run` then reports that code. The CLI takes SIGINT over when it starts.
process.on("SIGINT", () => {
  process.stderr.write("\nInterrupted.\n");
  process.exit(130);
});

const example = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
// Compiler messages go to stderr, so a failed build never reads as the command's output.
const build = spawnSync(process.execPath, [tsc, "-b", example], { stdio: ["ignore", 2, 2] });
if (build.status !== 0) process.exit(build.signal === "SIGINT" ? 130 : (build.status ?? 1));

if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import("../dist/cli.js");
