// The bin on a Node that is too old: a friendly message and exit 2, not ERR_UNKNOWN_BUILTIN_MODULE from
// the node:sqlite import. Run with the machine's own older Node, when it has one.
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

/** Every `node` on PATH (and the usual system places) older than 22.19, other than the one running us. */
function olderNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/local/bin", "/usr/bin", "/bin"];
  const self = realpathSync(process.execPath);
  for (const dir of dirs) {
    const candidate = `${dir}/node`;
    if (dir === "" || !existsSync(candidate) || realpathSync(candidate) === self) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
    const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
    if (major > 0 && (major < 22 || (major === 22 && minor < 19))) return { path: candidate, version };
  }
  return undefined;
}

const old = olderNode();

describe("the bin on an old Node", () => {
  it.skipIf(old === undefined)(
    `says which Node it needs and exits 2 (${old ? `${old.path}, ${old.version}` : "no Node older than 22.19 on this machine: skipped"})`,
    () => {
      const run = spawnSync(old!.path, [bin, "--port", "0"], { encoding: "utf8", timeout: 20_000 });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `square-customers-emulator: needs Node 22.19 or newer (this is ${old!.version}).\n` +
          "  Install a newer Node (https://nodejs.org/) and run it again.\n",
      );
      expect(run.stdout).toBe("");
    },
  );
});
