#!/usr/bin/env node
// Runs a command with a toolchain this repository can build with: Node >= 22.19 and the pnpm pinned
// in package.json's `packageManager`. When the Node or pnpm on PATH is missing or too old, both are
// installed from the npm registry into `.toolchain/` (git-ignored) and put first on PATH. Then the
// workspace's dependencies are installed with the frozen lockfile, unless they already match it.
//
// Usage: node scripts/toolchain.mjs <command> [args…]
// Written for the oldest Node it may be started with (20): plain ESM, node: built-ins only.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const toolDir = join(root, ".toolchain");
const MIN_NODE = [22, 19, 0];
const NODE_PACKAGE_VERSION = "24.21.0";
const pinnedPnpm = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  .packageManager.replace(/^pnpm@/, "")
  .replace(/\+.*$/, "");

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/toolchain.mjs <command> [args…]");
  process.exit(2);
}

const env = { ...process.env, COREPACK_ENABLE_STRICT: "0" };
// Installing the toolchain or the dependencies is not the command's output: it goes to stderr, so that
// the first `npm run demo` or `npm run customers -- list --json > out.json` prints only the command's.
const TO_STDERR = ["inherit", 2, 2];
ensureToolchain();
ensureDependencies();
env.PATH = [join(root, "node_modules", ".bin"), env.PATH].join(delimiter);
process.exit(run(command, args, process.cwd()));

function ensureToolchain() {
  const nodeOk = atLeast(process.versions.node, MIN_NODE);
  const pnpmVersion = versionOf("pnpm");
  if (nodeOk && pnpmVersion !== undefined && atLeast(pnpmVersion, [10, 0, 0])) return;

  const nodePackage = `node-${process.platform}-${process.arch}`;
  const nodeBin = join(toolDir, "node_modules", nodePackage, "bin");
  const pnpmEntry = join(toolDir, "node_modules", "pnpm", "bin", "pnpm.mjs");
  const shimDir = join(toolDir, "bin");
  if (!existsSync(join(nodeBin, "node")) || !existsSync(pnpmEntry) || installedPnpm() !== pinnedPnpm) {
    console.error(
      `toolchain: Node ${process.versions.node}${nodeOk ? "" : " is older than 22.19"}, pnpm ${pnpmVersion ?? "missing"}; installing Node ${NODE_PACKAGE_VERSION} and pnpm ${pinnedPnpm} into .toolchain/`,
    );
    mkdirSync(toolDir, { recursive: true });
    writeFileSync(join(toolDir, "package.json"), `${JSON.stringify({ private: true }, null, 2)}\n`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const status = run(
      npm,
      [
        "install",
        "--prefix",
        toolDir,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
        `${nodePackage}@${NODE_PACKAGE_VERSION}`,
        `pnpm@${pinnedPnpm}`,
      ],
      root,
      TO_STDERR,
    );
    if (status !== 0)
      fail(
        `could not install ${nodePackage}@${NODE_PACKAGE_VERSION} and pnpm@${pinnedPnpm} from the npm registry`,
      );
  }
  // A shim, so that turbo and scripts find `pnpm` on PATH and run it with the Node installed here.
  mkdirSync(shimDir, { recursive: true });
  const shim = join(shimDir, "pnpm");
  writeFileSync(shim, `#!/bin/sh\nexec "${join(nodeBin, "node")}" "${pnpmEntry}" "$@"\n`);
  chmodSync(shim, 0o755);
  env.PATH = [shimDir, nodeBin, env.PATH].join(delimiter);
}

function ensureDependencies() {
  const state = join(root, "node_modules", ".modules.yaml");
  const lock = join(root, "pnpm-lock.yaml");
  if (existsSync(state) && statSync(state).mtimeMs >= statSync(lock).mtimeMs) return;
  const status = run("pnpm", ["install", "--frozen-lockfile"], root, TO_STDERR);
  if (status !== 0) fail("pnpm install --frozen-lockfile failed");
}

function installedPnpm() {
  const manifest = join(toolDir, "node_modules", "pnpm", "package.json");
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).version : undefined;
}

function versionOf(tool) {
  const result = spawnSync(tool, ["--version"], {
    env,
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function atLeast(version, minimum) {
  const parts = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < minimum.length; i++) {
    if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) > minimum[i];
  }
  return true;
}

function run(cmd, argv, cwd = root, stdio = "inherit") {
  // Ctrl-C reaches the whole process group: the command gets it and decides what to do (the CLI prints
  // what it did and exits 130). This process waits for it instead of dying first and giving the terminal
  // back while the command still writes.
  const waitForCommand = () => {};
  process.on("SIGINT", waitForCommand);
  const result = spawnSync(cmd, argv, {
    cwd,
    env,
    stdio,
    shell: process.platform === "win32",
  });
  process.off("SIGINT", waitForCommand);
  if (result.error) fail(`${cmd}: ${result.error.message}`);
  // A command killed by a signal ends this process with the shell's code for it (128 + the signal's
  // number: 130 for SIGINT) rather than by the signal, so `npm run` reports an exit code.
  if (result.signal) return 128 + (constants.signals[result.signal] ?? 0);
  return result.status ?? 1;
}

function fail(message) {
  console.error(`toolchain: ${message}`);
  process.exit(1);
}
