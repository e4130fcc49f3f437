// `npm test` prints plain text where nobody reads colours: with CI=true or when its output is not a
// terminal, the verify script sets NO_COLOR, turbo keeps such runs' logs apart from coloured ones (the
// variable is part of every task's hash, so a cached log replays as it was printed), and the tools it
// runs honour it. attw prints its tables only when it finds a problem.
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/blocks.ts";

const run = promisify(execFile);
const ESCAPE = "\u001b[";

/** The environment of a CI run: CI=true, and NO_COLOR as the verify script sets it. */
function ciEnv(): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _, ...env } = process.env;
  return { ...env, CI: "true", NO_COLOR: "1" };
}

describe("npm test's output", () => {
  it("turns colour off under CI=true or when not printed to a terminal", () => {
    const manifest = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8"));
    const verify: string = manifest.scripts.verify;
    const decision = verify.slice(0, verify.indexOf("fi;") + "fi;".length);
    expect(decision).toContain("NO_COLOR=1");
    const { NO_COLOR: _, CI: __, ...env } = process.env;
    // Run with a pipe for stdout, as CI runs it; once with CI=true, once without.
    for (const ci of [{ CI: "true" }, {}]) {
      const shown = execFileSync("sh", ["-c", `${decision} echo "NO_COLOR=$NO_COLOR"`], {
        env: { ...env, ...ci },
        encoding: "utf8",
      });
      expect(shown).toBe("NO_COLOR=1\n");
    }
    const turbo = JSON.parse(readFileSync(resolve(repoRoot, "turbo.json"), "utf8"));
    expect(turbo.globalEnv).toContain("NO_COLOR");
  });

  it("has no colour codes from vitest", async () => {
    const { stdout, stderr } = await run("vitest", ["run", "--root", "tools/spec-check"], {
      cwd: repoRoot,
      env: ciEnv(),
    });
    expect(stdout).toContain("passed");
    expect(stdout + stderr).not.toContain(ESCAPE);
  });

  it("has no colour codes, and no attw tables, from a package check that passes", async () => {
    const { stdout, stderr } = await run("pnpm", ["--silent", "run", "check-package"], {
      cwd: resolve(repoRoot, "packages/core"),
      env: ciEnv(),
    });
    expect(stdout + stderr).not.toContain(ESCAPE);
    expect(stdout + stderr).not.toContain("ignored");
    expect(stdout + stderr).not.toContain("node16");
  });
});
