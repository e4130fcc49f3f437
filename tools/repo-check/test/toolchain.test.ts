// scripts/toolchain.mjs, which `npm test`, `npm run demo` and `npm run customers` go through: what it
// installs is no output of the command's (stderr, never stdout), and a command stopped by a signal ends
// it with the shell's code for that signal, never by the signal. Run in a scratch copy of the script with
// a stand-in `pnpm` on PATH, so the test installs nothing and touches no node_modules.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/blocks.ts";

let scratch: string;
let bin: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "toolchain-test-"));
  mkdirSync(join(scratch, "scripts"));
  copyFileSync(resolve(repoRoot, "scripts/toolchain.mjs"), join(scratch, "scripts/toolchain.mjs"));
  copyFileSync(resolve(repoRoot, "package.json"), join(scratch, "package.json"));
  writeFileSync(join(scratch, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  // A pnpm that reports a version and, for `install`, prints what pnpm prints and writes its state file.
  bin = join(scratch, "bin");
  mkdirSync(bin);
  const pnpm = join(bin, "pnpm");
  writeFileSync(
    pnpm,
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo 12.21.0; exit 0; fi
if [ "$1" = "install" ]; then
  echo "Packages: +490"
  echo "Progress: resolved 490, reused 490, downloaded 0, added 490, done"
  mkdir -p node_modules && touch node_modules/.modules.yaml
  exit 0
fi
exit 3
`,
  );
  chmodSync(pnpm, 0o755);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function toolchain(args: string[]) {
  return spawnSync(process.execPath, [join(scratch, "scripts/toolchain.mjs"), ...args], {
    cwd: scratch,
    env: { ...process.env, PATH: [bin, process.env.PATH].join(delimiter) },
    encoding: "utf8",
  });
}

describe("scripts/toolchain.mjs", () => {
  it("installs the dependencies with their output on stderr: stdout is the command's alone", () => {
    rmSync(join(scratch, "node_modules"), { recursive: true, force: true });
    const first = toolchain([process.execPath, "-e", "console.log('the command')"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe("the command\n");
    expect(first.stderr).toContain("Packages: +490");
    // Installed now: a second run installs nothing.
    const second = toolchain([process.execPath, "-e", "console.log('again')"]);
    expect([second.stdout, second.stderr]).toEqual(["again\n", ""]);
  });

  it("passes a command's exit code on, and ends with 128 + the signal for one killed by a signal", () => {
    expect(toolchain([process.execPath, "-e", "process.exit(130)"]).status).toBe(130);
    const killed = toolchain([process.execPath, "-e", "process.kill(process.pid, 'SIGINT')"]);
    expect([killed.status, killed.signal]).toEqual([130, null]);
    const terminated = toolchain([process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"]);
    expect([terminated.status, terminated.signal]).toEqual([143, null]);
  });
});
